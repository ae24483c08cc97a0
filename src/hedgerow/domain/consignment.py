"""Consolidation: the recommendations a manager decides together, one consignment per lane (pure).

Six hundred order lines are not six hundred decisions. A buyer places one purchase order per supplier lane and
week, and a transfer ships as one load per lane, so hedgerow's queue shows one **consignment** per lane: every
order (or transfer) of the plan that leaves on the same lane now, with its lines, units, capital and value summed
(issue 14). An expedite acts on one shipment already placed and stays alone; buffers to keep are grouped by the
location that keeps them. Every line keeps its own explanation and can still be decided on its own; a consignment
is decided by deciding each of its open lines.

The grouping reads only what the ledger stores of each line, so the plan, the ledger and every interface group
alike (:func:`consolidate` takes :class:`Line` figures).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from hedgerow.domain.actions import ActionKind
from hedgerow.domain.ids import stable_id

#: Prefix of consignment ids.
CONSIGNMENT_PREFIX = "con"
#: Kinds that ship together on a lane.
SHIPPED_ON_A_LANE = frozenset({ActionKind.ORDER, ActionKind.TRANSFER})


@dataclass(frozen=True)
class Line:
    """What consolidation needs of one recommendation, a plan's or a ledger row's (money in base currency)."""

    id: str
    kind: ActionKind
    location_id: str
    origin_id: str | None
    lane_id: str | None
    mode: str | None
    shipment_id: str | None
    qty: float
    capital: float
    value: float


@dataclass(frozen=True)
class Consignment:
    """The lines a manager decides together (module docstring); money in base currency.

    Attributes
    ----------
    id:
        ``con-`` + a hash of the kind, the grouping key and the line ids (same plan, same id).
    rank:
        1 = the consignment worth the most.
    kind:
        What its lines do (order, transfer, expedite, keep_buffer).
    key:
        What groups them: the lane (orders, transfers), the shipment (expedite) or the location (buffers).
    origin_id, location_id, lane_id, mode:
        Where from and to and how (None where the lines differ or have none).
    recommendation_ids:
        Its lines, in the plan's order (largest value first).
    units, capital, value:
        Sums over the lines: units shipped or kept, capital committed, risk-adjusted saving against doing
        nothing (each line's value with the others of the plan in place).
    """

    id: str
    rank: int
    kind: ActionKind
    key: str
    origin_id: str | None
    location_id: str | None
    lane_id: str | None
    mode: str | None
    recommendation_ids: tuple[str, ...]
    units: float
    capital: float
    value: float

    @property
    def lines(self) -> int:
        """How many recommendations it holds."""
        return len(self.recommendation_ids)

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "id": self.id,
            "rank": self.rank,
            "kind": self.kind.value,
            "key": self.key,
            "origin_id": self.origin_id,
            "location_id": self.location_id,
            "lane_id": self.lane_id,
            "mode": self.mode,
            "lines": self.lines,
            "recommendation_ids": list(self.recommendation_ids),
            "units": round(self.units, 6),
            "capital": round(self.capital, 2),
            "value": round(self.value, 2),
        }


def consignment_key(line: Line) -> tuple[ActionKind, str]:
    """The kind and what groups a line: its lane (order, transfer), shipment (expedite) or location (the rest)."""
    if line.kind in SHIPPED_ON_A_LANE and line.lane_id:
        return line.kind, line.lane_id
    if line.kind is ActionKind.EXPEDITE and line.shipment_id:
        return line.kind, line.shipment_id
    return line.kind, line.location_id


def _same(values: Iterable[str | None]) -> str | None:
    distinct = set(values)
    return distinct.pop() if len(distinct) == 1 else None


def consolidate(lines: Iterable[Line]) -> tuple[Consignment, ...]:
    """Group ``lines`` into consignments, ranked by value (largest first; ties by id)."""
    groups: dict[tuple[ActionKind, str], list[Line]] = {}
    for line in lines:
        groups.setdefault(consignment_key(line), []).append(line)
    made = []
    for (kind, key), members in groups.items():
        made.append(
            Consignment(
                id=stable_id(CONSIGNMENT_PREFIX, [kind.value, key, [m.id for m in members]]),
                rank=0,
                kind=kind,
                key=key,
                origin_id=_same(m.origin_id for m in members),
                location_id=_same(m.location_id for m in members),
                lane_id=_same(m.lane_id for m in members),
                mode=_same(m.mode for m in members),
                recommendation_ids=tuple(m.id for m in members),
                units=math.fsum(m.qty for m in members),
                capital=math.fsum(m.capital for m in members),
                value=math.fsum(m.value for m in members),
            )
        )
    made.sort(key=lambda c: (-c.value, c.id))
    return tuple(replace(c, rank=k) for k, c in enumerate(made, start=1))
