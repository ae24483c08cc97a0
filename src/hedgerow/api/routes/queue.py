"""The decision queue: recommendations, their explanations and traces, decisions, plans."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from hedgerow.api.deps import Decider, NowDep, Reader, WorkspaceDep
from hedgerow.api.errors import ERROR_RESPONSES
from hedgerow.api.schemas import (
    ConsignmentDecisionIn,
    ConsignmentDecisionOut,
    ConsignmentOut,
    DecisionIn,
    DecisionOut,
    PlanOut,
    QueueSummaryOut,
    RecommendationDetail,
    RecommendationList,
    RecommendationOut,
)
from hedgerow.decide.lifecycle import DecisionKind
from hedgerow.decide.records import DecisionRequest
from hedgerow.domain.actions import ActionKind, RecommendationStatus
from hedgerow.services.capital import plan_capital
from hedgerow.services.consignments import decide_consignment, plan_consignments
from hedgerow.services.queue import explanation_of, get_plan, list_plans, queue_summary
from hedgerow.services.recommendations import (
    RecommendationView,
    decide,
    decisions_of,
    get_recommendation,
    list_recommendations,
)
from hedgerow.services.trace import trace_recommendation
from hedgerow.store.decide_models import as_utc

router = APIRouter(prefix="/api", tags=["queue"], responses=ERROR_RESPONSES)

RecId = Annotated[str, Path(min_length=1, max_length=200, description="Recommendation id.")]
PlanId = Annotated[str, Path(min_length=1, max_length=200, description="Plan id.")]
ConId = Annotated[str, Path(min_length=1, max_length=200, description="Consignment id (con-…).")]
MAX_PAGE = 5000


def rec_out(view: RecommendationView) -> RecommendationOut:
    """The API form of a queue row."""
    return RecommendationOut.model_validate(view.to_dict())


def decision_request(body: DecisionIn) -> DecisionRequest:
    """The ledger's decision request for an API decision."""
    return DecisionRequest(
        kind=DecisionKind(body.decision.value),
        reason_category=body.reason_category,
        reason=body.reason,
        qty=body.qty,
        mode=body.mode,
        location_id=body.destination,
        lane_id=body.lane_id,
    )


@router.get("/recommendations", response_model=RecommendationList)
def recommendations(
    _user: Reader,
    ws: WorkspaceDep,
    status: Annotated[
        list[RecommendationStatus] | None, Query(description="Only these statuses (default: proposed).")
    ] = None,
    all_statuses: Annotated[bool, Query(alias="all", description="Every status.")] = False,
    item_id: Annotated[str | None, Query(max_length=200)] = None,
    location_id: Annotated[str | None, Query(max_length=200)] = None,
    plan_id: Annotated[str | None, Query(max_length=200)] = None,
    kind: ActionKind | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=100_000_000)] = 0,
) -> RecommendationList:
    """The queue, ranked (newest plan first, then by rank), filtered and paged."""
    statuses = None if all_statuses else (status or [RecommendationStatus.PROPOSED])
    views = list_recommendations(
        ws,
        statuses=statuses,
        item_id=item_id,
        location_id=location_id,
        plan_id=plan_id,
        kind=kind,
        limit=limit + 1,
        offset=offset,
    )
    page = views[:limit]
    return RecommendationList(
        base_currency=ws.settings.workspace.base_currency,
        offset=offset,
        limit=limit,
        count=len(page),
        next_offset=offset + limit if len(views) > limit else None,
        recommendations=[rec_out(v) for v in page],
    )


@router.get("/queue/summary", response_model=QueueSummaryOut)
def summary(_user: Reader, ws: WorkspaceDep) -> QueueSummaryOut:
    """Counts per status and the capital waiting for a decision."""
    return QueueSummaryOut.model_validate(
        {**queue_summary(ws).to_dict(), "base_currency": ws.settings.workspace.base_currency}
    )


def decision_outs(ws: WorkspaceDep, rec_id: str) -> list[DecisionOut]:
    """The decisions of a recommendation, oldest first."""
    return [
        DecisionOut(
            kind=d.kind,
            from_status=d.from_status,
            to_status=d.to_status,
            user=d.user_name,
            role=d.role,
            auto=d.auto,
            reason_category=d.reason_category,
            reason=d.reason_text,
            qty=d.qty,
            mode=d.mode,
            location_id=d.location_id,
            lane_id=d.lane_id,
            version=d.version,
            at=as_utc(d.at),
        )
        for d in decisions_of(ws, rec_id)
    ]


@router.get("/recommendations/{rec_id}", response_model=RecommendationDetail)
def recommendation(rec_id: RecId, _user: Reader, ws: WorkspaceDep) -> RecommendationDetail:
    """One recommendation with its explanation and every decision on it."""
    view = get_recommendation(ws, rec_id)
    return RecommendationDetail(
        base_currency=ws.settings.workspace.base_currency,
        recommendation=rec_out(view),
        explanation=explanation_of(ws, rec_id),
        decisions=decision_outs(ws, rec_id),
    )


@router.get("/recommendations/{rec_id}/explanation")
def explanation(rec_id: RecId, _user: Reader, ws: WorkspaceDep) -> dict[str, Any]:
    """The explanation JSON as the planner stored it (fields: docs/web.md)."""
    return explanation_of(ws, rec_id)


@router.get("/recommendations/{rec_id}/trace")
def trace(rec_id: RecId, _user: Reader, ws: WorkspaceDep) -> dict[str, Any]:
    """The whole path: data snapshots → scenarios → plan → recommendation → explanation → decisions → export."""
    return trace_recommendation(ws, rec_id)


@router.post("/recommendations/{rec_id}/decision", response_model=RecommendationOut)
def decision(rec_id: RecId, body: DecisionIn, user: Decider, ws: WorkspaceDep, now: NowDep) -> RecommendationOut:
    """Approve, reject, modify or close a recommendation. Large ones need an approver; 409 if it changed."""
    view = decide(ws, rec_id, decision_request(body), user=user.name, now=now, expected_version=body.expected_version)
    return rec_out(view)


@router.get("/plans", response_model=list[PlanOut])
def plans(
    _user: Reader,
    ws: WorkspaceDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000_000)] = 0,
) -> list[PlanOut]:
    """Recorded plans, newest first."""
    return [PlanOut.model_validate(p.to_dict()) for p in list_plans(ws, limit=limit, offset=offset)]


@router.get("/plans/{plan_id}", response_model=PlanOut)
def plan(plan_id: Annotated[str, Path(min_length=1, max_length=200)], _user: Reader, ws: WorkspaceDep) -> PlanOut:
    """One recorded plan."""
    return PlanOut.model_validate(get_plan(ws, plan_id).to_dict())


@router.get("/plans/{plan_id}/consignments", response_model=list[ConsignmentOut])
def consignments(plan_id: PlanId, _user: Reader, ws: WorkspaceDep) -> list[ConsignmentOut]:
    """The plan's recommendations by consignment (one per lane, shipment or buffer location), largest value first."""
    get_plan(ws, plan_id)  # 404 for an unknown plan
    return [ConsignmentOut.model_validate(c.to_dict()) for c in plan_consignments(ws, plan_id)]


@router.get("/capital")
def capital(
    _user: Reader,
    ws: WorkspaceDep,
    now: NowDep,
    plan_id: Annotated[
        str | None, Query(min_length=1, max_length=200, description="Plan id (default: the newest plan).")
    ] = None,
) -> dict[str, Any]:
    """Capital the plan commits by region, currency paid and item class; return on capital, stock tied up, GMROI
    from history, budgets (and which bind) and the capital ladder by value per dollar (docs/capital.md)."""
    return plan_capital(ws, plan_id, now=now).to_dict()


@router.post("/consignments/{con_id}/decision", response_model=ConsignmentDecisionOut)
def consignment_decision(
    con_id: ConId, body: ConsignmentDecisionIn, user: Decider, ws: WorkspaceDep, now: NowDep
) -> ConsignmentDecisionOut:
    """Approve, reject or close every open line of a consignment, each as its own decision; lines that cannot be
    decided (already decided, above the user's limit, changed meanwhile) are listed in ``skipped``."""
    request = DecisionRequest(DecisionKind(body.decision.value), body.reason_category, body.reason)
    out = decide_consignment(ws, con_id, request, user=user.name, now=now)
    return ConsignmentDecisionOut.model_validate(out.to_dict())
