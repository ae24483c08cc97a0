"""What hedgerow can recommend, and what people can decide about it.

These are the shared vocabulary between the planner (which proposes actions), the ledger (which records
recommendations and decisions) and the interfaces (which show them). Pure values: no pandas, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hedgerow.domain.enums import Mode


class ActionKind(StrEnum):
    """Kinds of action the planner can recommend."""

    ORDER = "order"  # buy from a supplier on a lane (mode) now
    TRANSFER = "transfer"  # move stock from one location to another
    EXPEDITE = "expedite"  # move an order or a waiting shipment to a faster mode
    KEEP_BUFFER = "keep_buffer"  # keep units as a protective buffer (do not sell off / move)
    DO_NOTHING = "do_nothing"  # the explicit alternative of not acting


class RecommendationStatus(StrEnum):
    """Lifecycle of a recommendation in the ledger."""

    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"
    MODIFIED = "modified"
    EXPORTED = "exported"
    CLOSED = "closed"
    SUPERSEDED = "superseded"


class Role(StrEnum):
    """Roles of ledger users, from least to most powerful."""

    VIEWER = "viewer"
    PLANNER = "planner"
    APPROVER = "approver"
    ADMIN = "admin"


@dataclass(frozen=True)
class Action:
    """One concrete thing to do now.

    Attributes
    ----------
    kind:
        What kind of action.
    item_id:
        The item concerned.
    location_id:
        Where the units end up (the destination of an order, transfer or expedite; the location of a buffer).
    qty:
        Units to order, move, expedite or keep (0 for do-nothing).
    origin_id:
        Supplier (orders) or location (transfers) the units come from; None otherwise.
    lane_id:
        Lane used (orders, transfers, expedites); None otherwise.
    mode:
        Transport mode of the lane; None when no lane is used.
    shipment_id:
        The in-transit shipment an expedite concerns; None otherwise.
    """

    kind: ActionKind
    item_id: str
    location_id: str
    qty: float
    origin_id: str | None = None
    lane_id: str | None = None
    mode: Mode | None = None
    shipment_id: str | None = None

    def __post_init__(self) -> None:
        if self.qty < 0:
            raise ValueError(f"action qty must be >= 0 units, got {self.qty}")
        if self.kind in (ActionKind.ORDER, ActionKind.TRANSFER) and self.lane_id is None:
            raise ValueError(f"a {self.kind.value} action needs a lane_id")
