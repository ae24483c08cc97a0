"""Consignments of a recorded plan, and deciding one: every open line on a lane at once (issue 14).

A consignment is not stored: it is the grouping of a plan's recorded recommendations by
:func:`hedgerow.domain.consignment.consolidate`, the same function the plan uses, so the CLI, the API and the plan
itself always agree on which lines travel together. Deciding a consignment decides each of its lines as its own
recorded decision (same checks, same audit events, each naming the consignment); a line that cannot be decided
(already decided, above the user's approval limit, changed by someone else) is reported and the others go on.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select

from hedgerow.decide.lifecycle import DecisionKind, allowed_decisions
from hedgerow.decide.records import DecisionRequest
from hedgerow.domain.actions import ActionKind, RecommendationStatus
from hedgerow.domain.consignment import CONSIGNMENT_PREFIX, Consignment, Line, consolidate
from hedgerow.errors import ConcurrentUpdate, HedgerowError, InvalidTransition, NotFound, PermissionDenied
from hedgerow.services.queue_view import values_of
from hedgerow.services.recommendations import RecommendationView, decide, get_recommendation
from hedgerow.services.workspace import Workspace
from hedgerow.store.decide_models import PlanRow, RecommendationRow

#: How many of the newest plans a consignment id is looked up in.
PLANS_SEARCHED = 20


def is_consignment_id(text: str) -> bool:
    """True when ``text`` names a consignment rather than a recommendation."""
    return text.startswith(f"{CONSIGNMENT_PREFIX}-")


def plan_consignments(ws: Workspace, plan_id: str) -> tuple[Consignment, ...]:
    """The consignments of recorded plan ``plan_id``, largest value first (empty for an unknown plan)."""
    r = RecommendationRow
    query = (
        select(
            r.id, r.kind, r.location_id, r.origin_id, r.lane_id, r.mode, r.shipment_id, r.qty, r.capital_base
        )
        .where(r.plan_id == plan_id)
        .order_by(r.rank, r.id)
    )  # fmt: skip
    with ws.session() as session:
        rows = session.execute(query).all()
    values = values_of(ws, (row[0] for row in rows))  # read once per process, shared with the queue
    return consolidate(
        Line(
            id=rid,
            kind=ActionKind(kind),
            location_id=loc,
            origin_id=origin,
            lane_id=lane,
            mode=mode,
            shipment_id=shipment,
            qty=float(qty),
            capital=float(capital),
            value=values.get(rid) or 0.0,
        )
        for rid, kind, loc, origin, lane, mode, shipment, qty, capital in rows
    )


def find_consignment(ws: Workspace, con_id: str) -> tuple[str, Consignment]:
    """The plan id and consignment ``con_id``, looked up in the :data:`PLANS_SEARCHED` newest plans.

    Raises
    ------
    NotFound
        When none of them has it.
    """
    with ws.session() as session:
        plan_ids = list(
            session.scalars(select(PlanRow.id).order_by(PlanRow.recorded_at.desc(), PlanRow.id).limit(PLANS_SEARCHED))
        )
    for plan_id in plan_ids:
        for con in plan_consignments(ws, plan_id):
            if con.id == con_id:
                return plan_id, con
    raise NotFound(
        f"no consignment {con_id!r} in the {len(plan_ids)} newest plans; `hedgerow plan` prints the current ones "
        "(or decide its recommendations one by one with `hedgerow decide REC_ID`)"
    )


@dataclass(frozen=True)
class ConsignmentDecision:
    """What deciding a consignment did: the lines decided and, for each line left as it was, why."""

    plan_id: str
    consignment: Consignment
    decided: tuple[RecommendationView, ...]
    skipped: tuple[tuple[str, str], ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "plan_id": self.plan_id,
            "consignment": self.consignment.to_dict(),
            "decided": [v.to_dict() for v in self.decided],
            "skipped": [{"id": rec_id, "why": why} for rec_id, why in self.skipped],
        }


def decide_consignment(
    ws: Workspace, con_id: str, request: DecisionRequest, *, user: str, now: datetime
) -> ConsignmentDecision:
    """Approve, reject or close every open line of consignment ``con_id`` as ``user`` (module docstring).

    Raises
    ------
    HedgerowError
        For a modification (a consignment is decided as a whole; its lines are modified one by one).
    NotFound
        For an unknown consignment.
    """
    if request.kind is DecisionKind.MODIFY:
        raise HedgerowError(
            f"{con_id} is a consignment: approve, reject or close it as a whole, or modify its lines one by one "
            "with `hedgerow decide REC_ID --modify ...`"
        )
    plan_id, con = find_consignment(ws, con_id)
    request = replace(request, consignment_id=con.id)
    decided: list[RecommendationView] = []
    skipped: list[tuple[str, str]] = []
    for rec_id in con.recommendation_ids:
        view = get_recommendation(ws, rec_id)
        if request.kind not in allowed_decisions(RecommendationStatus(view.status)):
            skipped.append((rec_id, f"it is {view.status}"))
            continue
        try:
            decided.append(decide(ws, rec_id, request, user=user, now=now, expected_version=view.version))
        except (PermissionDenied, ConcurrentUpdate, InvalidTransition) as err:
            skipped.append((rec_id, str(err)))
    return ConsignmentDecision(plan_id, con, tuple(decided), tuple(skipped))
