"""Holds: buffers people keep on purpose (the "shadow spreadsheet" made visible). Pure.

A hold keeps ``qty`` units of an item at a location until the end of ``expires_on`` (inclusive). Held units
count in the position (they are on hand) but the planner never moves, transfers or sells them off: it plans
with ``on hand − held`` as free stock. A released hold, or one past its expiry day, no longer holds anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any


class HoldStatus(StrEnum):
    """Whether a hold is in force or was released by a person (expiry is a matter of dates)."""

    ACTIVE = "active"
    RELEASED = "released"


class HoldSource(StrEnum):
    """Where a hold came from."""

    LEDGER = "ledger"  # created with `hedgerow holds add` (or the API)
    IMPORT = "import"  # came in with an import of the contract table ``holds``


@dataclass(frozen=True)
class Hold:
    """One hold as stored in the ledger."""

    hold_id: str
    item_id: str
    location_id: str
    qty: float
    owner: str
    reason: str
    expires_on: date
    status: HoldStatus
    source: HoldSource
    version: int = 1

    def in_force(self, on: date) -> bool:
        """Whether the hold holds units on day ``on``."""
        return self.status is HoldStatus.ACTIVE and on <= self.expires_on

    def days_left(self, on: date) -> int:
        """Days from ``on`` to the expiry day (0 on the last day, negative once expired)."""
        return (self.expires_on - on).days

    def to_dict(self, on: date | None = None) -> dict[str, Any]:
        """JSON-ready form; with ``on``, also whether it is in force and how many days are left."""
        out: dict[str, Any] = {
            "hold_id": self.hold_id,
            "item_id": self.item_id,
            "location_id": self.location_id,
            "qty": self.qty,
            "owner": self.owner,
            "reason": self.reason,
            "expires_on": self.expires_on.isoformat(),
            "status": self.status.value,
            "source": self.source.value,
            "version": self.version,
        }
        if on is not None:
            out["in_force"] = self.in_force(on)
            out["days_left"] = self.days_left(on)
        return out


def effective_holds(holds: Iterable[Hold], on: date) -> dict[tuple[str, str], float]:
    """Units held per (item_id, location_id) on day ``on``: the sum of the holds in force."""
    out: dict[tuple[str, str], float] = {}
    for hold in holds:
        if hold.in_force(on):
            key = (hold.item_id, hold.location_id)
            out[key] = out.get(key, 0.0) + hold.qty
    return out


def expiring(holds: Iterable[Hold], on: date, within_days: int) -> list[Hold]:
    """Holds in force on ``on`` that expire within ``within_days`` days, soonest first."""
    soon = [h for h in holds if h.in_force(on) and h.days_left(on) <= within_days]
    return sorted(soon, key=lambda h: (h.expires_on, h.hold_id))


def free_stock(on_hand: float, held: float) -> float:
    """Units the planner may move or count on selling: on hand minus held, never below zero."""
    return max(0.0, on_hand - held)
