"""The newest plan's consignments as the queue shows them: names, line statuses and who must decide (issue 14).

A consignment (:mod:`hedgerow.domain.consignment`) is what a manager decides at once; the web queue lists the
newest plan's consignments, largest value first, each with its lines as queue rows
(:func:`hedgerow.services.queue_view.rows_of`), so a line reads and links the same in both views.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from hedgerow.decide.lifecycle import DecisionKind, allowed_decisions
from hedgerow.domain.actions import RecommendationStatus
from hedgerow.domain.consignment import Consignment
from hedgerow.services.consignments import plan_consignments
from hedgerow.services.names import names_of
from hedgerow.services.queue import list_plans
from hedgerow.services.queue_view import Decider, QueueRow, rows_of
from hedgerow.services.recommendations import list_recommendations, plan_of
from hedgerow.services.workspace import Workspace


@dataclass(frozen=True)
class ConsignmentRow:
    """One consignment as the queue lists it.

    Attributes
    ----------
    consignment:
        The consignment (sums, ids, kind, lane).
    lines:
        Its recommendations as queue rows, in the consignment's order.
    origin_name, location_name:
        Where from and to, in names (None where the lines differ or have none).
    allowed:
        Decisions that some line of it can still take (approve and reject while a line is proposed, close once
        one is exported).
    """

    consignment: Consignment
    lines: tuple[QueueRow, ...]
    origin_name: str | None
    location_name: str | None
    allowed: frozenset[DecisionKind]

    @property
    def open_lines(self) -> tuple[QueueRow, ...]:
        """The lines still waiting for a decision (proposed)."""
        return tuple(r for r in self.lines if r.view.status == RecommendationStatus.PROPOSED)

    @property
    def for_approver(self) -> int:
        """How many open lines only an approver may decide (above the planner's limit)."""
        return sum(r.decider is Decider.APPROVER for r in self.open_lines)

    @property
    def statuses(self) -> list[tuple[str, int]]:
        """How many of its lines are in each status, most common first."""
        return Counter(r.view.status for r in self.lines).most_common()


@dataclass(frozen=True)
class ConsignmentQueue:
    """The newest plan's consignments, largest value first (no plan: none)."""

    plan_id: str | None
    rows: tuple[ConsignmentRow, ...]

    @property
    def lines(self) -> int:
        """How many recommendations the consignments hold together."""
        return sum(r.consignment.lines for r in self.rows)


def consignment_rows(ws: Workspace, plan_id: str, consignments: Sequence[Consignment]) -> tuple[ConsignmentRow, ...]:
    """The queue rows of ``consignments`` of plan ``plan_id``, in their order."""
    by_id = {r.view.id: r for r in rows_of(ws, list_recommendations(ws, plan_id=plan_id))}
    names = names_of(ws)
    out = []
    for con in consignments:
        lines = tuple(by_id[rec_id] for rec_id in con.recommendation_ids)
        allowed = {k for r in lines for k in allowed_decisions(RecommendationStatus(r.view.status))}
        out.append(
            ConsignmentRow(
                consignment=con,
                lines=lines,
                origin_name=names.place(con.origin_id) if con.origin_id else None,
                location_name=names.location(con.location_id) if con.location_id else None,
                allowed=frozenset(allowed),
            )
        )
    return tuple(out)


def consignment_queue(ws: Workspace, plan_id: str | None = None) -> ConsignmentQueue:
    """The consignments of recorded plan ``plan_id`` (None: the newest), largest value first.

    Raises
    ------
    NotFound
        When ``plan_id`` is given and the ledger has no such plan.
    """
    if plan_id is None:
        newest = list_plans(ws, limit=1)
        if not newest:
            return ConsignmentQueue(None, ())
        plan_id = newest[0].plan_id
    else:
        plan_of(ws, plan_id)
    return ConsignmentQueue(plan_id, consignment_rows(ws, plan_id, plan_consignments(ws, plan_id)))
