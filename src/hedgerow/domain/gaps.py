"""Data gaps: a table a plan was made without, and what the plan assumed instead (pure).

Their own module so that `hedgerow status` can name a workspace's gaps without importing the plan's types
(docs/planner.md, "Missing data"); a :class:`~hedgerow.domain.plan.Plan` carries them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from hedgerow.domain.actions import Action, ActionKind
from hedgerow.domain.enums import TableName
from hedgerow.domain.fields import Fields


class DataGapKind(StrEnum):
    """What a plan had to assume for want of data (docs/planner.md, "Missing data")."""

    NO_INVENTORY = "no_inventory"  # an item-location without a count: 0 units on hand assumed
    NO_SHIPMENTS = "no_shipments"  # no shipments table: nothing in transit, the lanes' stated lead times
    NO_SIGNALS = "no_signals"  # no signals table: no current disruption known, lanes at their base rates
    MISSING_FX = "missing_fx"  # a currency without rates: its item-locations left out of the plan


@dataclass(frozen=True)
class DataGap:
    """A table a plan was made without (or without rows for some item-locations), and what it assumed instead.

    Attributes
    ----------
    kind:
        What is missing.
    table:
        The contract table that would fill it.
    assumed:
        What the plan assumed instead, in words ("no count on record — assumed 0 units on hand").
    fix:
        The import command that fills the gap.
    item_locations:
        How many item-locations of the plan rely on the assumption.
    affected:
        The (item_id, location_id) pairs of the plan that rely on the assumption, as many as ``item_locations``;
        empty in a gap read back from its JSON form, which counts them without listing them (so not compared).
    """

    kind: DataGapKind
    table: TableName
    assumed: str
    fix: str
    item_locations: int
    affected: frozenset[tuple[str, str]] = field(default_factory=frozenset, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.affected and len(self.affected) != self.item_locations:
            raise ValueError(f"a gap of {self.item_locations} item-locations lists {len(self.affected)}")

    @property
    def line(self) -> str:
        """The line of an explanation's data section: "Inventory: no count on record — assumed 0 units on hand"."""
        return f"{self.table.value.replace('_', ' ').capitalize()}: {self.assumed}"

    def touches(self, action: Action) -> bool:
        """True when ``action`` relies on the assumption: its destination (or a transfer's source) is affected."""
        places = [(action.item_id, action.location_id)]
        if action.kind is ActionKind.TRANSFER and action.origin_id is not None:
            places.append((action.item_id, action.origin_id))
        return any(p in self.affected for p in places)

    def to_dict(self) -> dict[str, Any]:
        """JSON form: the affected item-locations are counted, not listed."""
        return {
            "kind": self.kind.value,
            "table": self.table.value,
            "assumed": self.assumed,
            "fix": self.fix,
            "item_locations": self.item_locations,
            "line": self.line,
        }

    @classmethod
    def from_dict(cls, fields: Fields) -> DataGap:
        """Read back from :meth:`to_dict` (``line`` is derived, so it is not read; ``affected`` is left empty)."""
        return cls(
            kind=fields.enum("kind", DataGapKind),
            table=fields.enum("table", TableName),
            assumed=fields.text("assumed"),
            fix=fields.text("fix"),
            item_locations=fields.integer("item_locations"),
        )
