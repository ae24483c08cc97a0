"""Holds: buffers people keep on purpose (the "shadow spreadsheet" made visible). Pure.

A hold keeps ``qty`` units of an item at a location until the end of ``expires_on`` (inclusive). Held units
count in the position (they are on hand) but the planner never moves, transfers or sells them off: it plans
with ``on hand − held`` as free stock. A released hold, or one past its expiry day, no longer holds anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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


@dataclass(frozen=True)
class HeldMoney:
    """What holds tie up in money, base currency: the buffers people keep, priced (issue 18, "holds in money").

    Attributes
    ----------
    values:
        Each hold's units × its item's unit cost in base currency; None when the item has no cost or its
        currency no rate (the hold is then counted in ``unvalued``, never as zero).
    total:
        The value of the holds in force on the day.
    by_location:
        That value per location, largest first.
    in_force, unvalued:
        How many holds are in force, and how many of those have no value.
    """

    values: Mapping[str, float | None]
    total: float
    by_location: tuple[tuple[str, float], ...]
    in_force: int
    unvalued: int

    def sentence(self, currency: str) -> str:
        """ "In force: 3 holds worth 52,300 USD (LAX 40,000, TYO 12,300).": what the holds tie up, in one line."""
        if not self.in_force:
            return "No hold in force."
        places = ", ".join(f"{loc} {value:,.0f}" for loc, value in self.by_location)
        worth = f"worth {self.total:,.0f} {currency}" + (f" ({places})" if places else "")
        unvalued = f"; {self.unvalued} without a unit cost or FX rate, not counted" if self.unvalued else ""
        return f"In force: {self.in_force} hold{'s' if self.in_force != 1 else ''} {worth}{unvalued}."


def held_money(holds: Iterable[Hold], unit_values: Mapping[str, float], on: date) -> HeldMoney:
    """Price ``holds`` at ``unit_values`` (item id → cost of one unit in base currency) as of day ``on``."""
    values: dict[str, float | None] = {}
    places: dict[str, float] = {}
    in_force = unvalued = 0
    for hold in holds:
        unit = unit_values.get(hold.item_id)
        value = None if unit is None else hold.qty * unit
        values[hold.hold_id] = value
        if not hold.in_force(on):
            continue
        in_force += 1
        if value is None:
            unvalued += 1
        else:
            places[hold.location_id] = places.get(hold.location_id, 0.0) + value
    by_location = tuple(sorted(places.items(), key=lambda kv: (-kv[1], kv[0])))
    return HeldMoney(values, sum(v for _, v in by_location), by_location, in_force, unvalued)
