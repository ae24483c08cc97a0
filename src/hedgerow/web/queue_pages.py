"""The decision queue and the recommendation page: sorted by value, filtered, paged, decided inline or in bulk.

The queue shows one page (:data:`hedgerow.services.queue_view.PAGE_ROWS` rows) of the recommendations matching its
filters, sorted by their value against doing nothing (:func:`hedgerow.services.queue_view.recommendation_value`),
under the plan headline. Deciders approve a row inline (``a`` on the focused row, with an optional reason), several
at once within their limit, or reject and modify with a reason; a refused decision keeps the form, what was typed
and the message in place. Every decision goes through the same service as the CLI and the API.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from fastapi import APIRouter, Form, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response

from hedgerow.api.auth import csrf_token
from hedgerow.api.deps import StateDep
from hedgerow.api.routes.queue import decision_request
from hedgerow.api.schemas import DecisionIn
from hedgerow.decide.lifecycle import ReasonCategory
from hedgerow.decide.roles import Permission, has_permission
from hedgerow.domain.actions import ActionKind, RecommendationStatus
from hedgerow.domain.enums import Mode
from hedgerow.errors import ConcurrentUpdate, HedgerowError, InvalidTransition, PermissionDenied
from hedgerow.services.names import names_of
from hedgerow.services.queue import explanation_of, queue_summary
from hedgerow.services.queue_view import QueueFilter, QueueSort, decider_of, may_decide, plan_headline, queue_page
from hedgerow.services.recommendations import decide, get_recommendation
from hedgerow.services.trace import trace_recommendation
from hedgerow.services.users import ActingUser
from hedgerow.web.charts import fan_chart
from hedgerow.web.consignment_pages import QueueBy, consignment_page
from hedgerow.web.explain_view import explanation_view
from hedgerow.web.pages import (
    FormUser,
    PageUser,
    RenderDep,
    check,
    flash,
    form_model,
    form_values,
    is_htmx,
    redirect,
    refusal,
)
from hedgerow.web.queue_rows import queue_rows
from hedgerow.web.render import Renderer, describe_action, num

router = APIRouter(include_in_schema=False)

#: Most recommendations approved by one bulk approval.
BULK_MAX = 200


def _blank(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def _where(
    user: ActingUser,
    status: RecommendationStatus | None,
    kind: ActionKind | None,
    region: str | None,
    item_class: str | None,
    location_id: str | None,
    item_id: str | None,
    *,
    needs: bool,
) -> QueueFilter:
    return QueueFilter(
        status=status or RecommendationStatus.PROPOSED,
        kind=kind,
        region=_blank(region),
        item_class=_blank(item_class),
        location_id=_blank(location_id),
        item_id=_blank(item_id),
        needs_role=user.role if needs else None,
    )


def match_note(total: int, status: RecommendationStatus) -> str:
    """The queue's "12 proposed match the filters" line."""
    return f"{num(total)} {status.value} match{'es' if total == 1 else ''} the filters"


def _note_of_page(request: Request, user: ActingUser, state: StateDep) -> str | None:
    """The match line for the queue page an htmx request comes from (``HX-Current-URL``), to swap out of band.

    None when the request does not come from the by-recommendation queue, or its filters cannot be read.
    """
    url = urlsplit(request.headers.get("HX-Current-URL", ""))
    query = dict(parse_qsl(url.query))
    if url.path != "/queue" or query.get("by", QueueBy.LINE.value) != QueueBy.LINE.value:
        return None
    try:
        where = _where(
            user,
            RecommendationStatus(query["status"]) if query.get("status") else None,
            ActionKind(query["kind"]) if query.get("kind") else None,
            query.get("region"),
            query.get("item_class"),
            query.get("location_id"),
            query.get("item_id"),
            needs=query.get("needs", "").lower() in ("true", "1", "on", "yes"),
        )
    except ValueError:
        return None
    return match_note(queue_page(state.ws, where).total, where.status)


@router.get("/queue", response_class=HTMLResponse)
def queue(
    request: Request,
    user: PageUser,
    state: StateDep,
    render: RenderDep,
    status: Annotated[RecommendationStatus | None, Query()] = None,
    kind: Annotated[ActionKind | None, Query()] = None,
    region: Annotated[str | None, Query(max_length=200)] = None,
    item_class: Annotated[str | None, Query(max_length=40)] = None,
    location_id: Annotated[str | None, Query(max_length=200)] = None,
    item_id: Annotated[str | None, Query(max_length=200)] = None,
    needs: Annotated[bool, Query(description="Only what I must decide.")] = False,
    sort: Annotated[QueueSort, Query()] = QueueSort.VALUE,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    job: Annotated[str | None, Query(max_length=64)] = None,
    by: Annotated[QueueBy, Query(description="A row per recommendation or per consignment.")] = QueueBy.LINE,
) -> Response:
    """The queue, sorted by value; deciders approve inline or in bulk, or reject / modify with a reason. By
    consignment, the newest plan's consignments instead (:mod:`hedgerow.web.consignment_pages`)."""
    if by is QueueBy.CONSIGNMENT:
        return consignment_page(request, user, state, render)
    where = _where(user, status, kind, region, item_class, location_id, item_id, needs=needs)
    ws = state.ws
    result = queue_page(ws, where, sort=sort, page=page)
    can_decide = bool(user.role and has_permission(user.role, Permission.DECIDE))
    pick = can_decide and where.status is RecommendationStatus.PROPOSED
    rows_html = queue_rows(
        result.rows,
        csrf=csrf_token(request),
        role=user.role,
        threshold=ws.settings.approval.approver_required_above,
        currency=ws.settings.workspace.base_currency,
        pick=pick,
    )
    filters = {
        "status": where.status.value,
        "kind": kind.value if kind else "",
        "region": where.region or "",
        "item_class": where.item_class or "",
        "location_id": where.location_id or "",
        "item_id": where.item_id or "",
        "needs": "true" if needs else "",
        "sort": sort.value,
    }
    link = {k: v for k, v in filters.items() if v}
    return render.page(
        request,
        "queue.html",
        user,
        result=result,
        rows_html=rows_html,
        filters=filters,
        page_url=lambda n: "/queue?" + urlencode(link | {"page": n}),
        statuses=[s.value for s in RecommendationStatus],
        kinds=[k.value for k in ActionKind],
        sorts=[s.value for s in QueueSort],
        summary=queue_summary(ws),
        headline=plan_headline(ws),
        can_decide=can_decide,
        pick=pick,
        can_plan=bool(user.role and has_permission(user.role, Permission.RECORD_PLAN)),
        plan_jobs=plan_jobs(state, job),
        by=by.value,
        note=match_note(result.total, where.status),
    )


def plan_jobs(state: StateDep, job_id: str | None) -> list[str]:
    """Ids of the plan jobs the queue page follows: the one just started and any still running."""
    ids = [j["id"] for j in state.jobs.active("plan", limit=5)]
    if job_id and job_id not in ids and any(j["id"] == job_id for j in state.jobs.list("plan", limit=50)):
        ids.insert(0, job_id)
    return ids


@router.post("/queue/plan")
def start_plan(
    request: Request, user: FormUser, state: StateDep, assume_zero_stock: Annotated[bool, Form()] = False
) -> Response:
    """Start a plan job on the current data (on zero stock where nothing was counted, when ticked); the queue
    page follows its progress."""
    check(user, Permission.RECORD_PLAN, "record plans")
    job = state.jobs.submit("plan", {"assume_zero_stock": True} if assume_zero_stock else {}, user=user.name)
    return redirect(f"/queue?job={job.id}")


@router.post("/queue/bulk")
def bulk_approve(
    request: Request,
    user: FormUser,
    state: StateDep,
    rec: Annotated[list[str], Form(max_length=BULK_MAX)],
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Approve the selected recommendations that are within the user's limit; say what was left and why."""
    check(user, Permission.DECIDE, "decide recommendations")
    approved, skipped = 0, []
    request_ = decision_request(DecisionIn.model_validate({"decision": "approve", "reason": _blank(reason)}))
    for rec_id in dict.fromkeys(rec):
        try:
            decide(state.ws, rec_id, request_, user=user.name, now=state.clock())
            approved += 1
        except (PermissionDenied, InvalidTransition, ConcurrentUpdate) as exc:
            skipped.append(f"{rec_id}: {exc}")
    message = f"approved {approved} of {len(dict.fromkeys(rec))} selected"
    if skipped:
        message += f"; left {len(skipped)} ({'; '.join(skipped[:3])}{' …' if len(skipped) > 3 else ''})"
    flash(request, message, "ok" if not skipped else "warn")
    return redirect("/queue")


def _form_context(state: StateDep, rec_id: str, return_to: str) -> dict[str, Any]:
    return {
        "v": get_recommendation(state.ws, rec_id),
        "categories": [(c.value, c.label) for c in ReasonCategory],
        "modes": [m.value for m in Mode],
        "return_to": return_to,
    }


@router.get("/queue/{rec_id}/form", response_class=HTMLResponse)
def decision_form(rec_id: str, request: Request, user: PageUser, state: StateDep, render: RenderDep) -> Response:
    """The reject / modify form of one recommendation (loaded into the queue's decision panel)."""
    check(user, Permission.DECIDE, "decide recommendations")
    return render.fragment(
        request, "_decision_form.html", user, **_form_context(state, rec_id, "queue"), values={}, can_approve=False
    )


@router.post("/queue/{rec_id}/decision", response_class=HTMLResponse)
def decide_page(
    rec_id: str,
    request: Request,
    user: FormUser,
    state: StateDep,
    render: RenderDep,
    decision: Annotated[str, Form(max_length=20)] = "",
    reason_category: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    qty: Annotated[str, Form(max_length=40)] = "",
    mode: Annotated[str, Form(max_length=20)] = "",
    destination: Annotated[str, Form(max_length=200)] = "",
    lane_id: Annotated[str, Form(max_length=200)] = "",
    expected_version: Annotated[str, Form(max_length=20)] = "",
    return_to: Annotated[str, Form(max_length=20)] = "queue",
) -> Response:
    """Record a decision from the queue or the recommendation page; a refused one comes back as the form, with what
    was typed and the reason in place (the queue's panel, or the whole recommendation page)."""
    check(user, Permission.DECIDE, "decide recommendations")
    values = form_values({
        "decision": decision, "reason_category": reason_category, "reason": reason, "qty": qty, "mode": mode,
        "destination": destination, "lane_id": lane_id, "expected_version": expected_version,
    })  # fmt: skip
    try:
        body = form_model(DecisionIn, values)
        view = decide(state.ws, rec_id, decision_request(body), user=user.name, now=state.clock(),
                      expected_version=body.expected_version)  # fmt: skip
    except (RequestValidationError, HedgerowError) as exc:
        if isinstance(exc, PermissionDenied):
            raise
        message, status = refusal(exc)
        if not is_htmx(request):  # the whole page, with the navigation, the form filled in and the message
            return _recommendation(request, user, state, render, rec_id, error=message, values=values, status=status)
        context = _form_context(state, rec_id, return_to) | {"error": message, "values": values, "can_approve": False}
        return render.page(request, "_decision_form.html", user, **context)  # htmx swaps it into the panel
    message = f"{view.id} {view.status} ({describe_action(view)})"
    if return_to == "detail":
        flash(request, message)
        if is_htmx(request):
            return Response(status_code=200, headers={"HX-Refresh": "true"})
        return redirect(f"/recommendations/{quote(rec_id, safe='')}")
    if is_htmx(request):
        return render.fragment(request, "_decided.html", user, v=view, message=message, summary=queue_summary(state.ws),
                               headline=plan_headline(state.ws), note=_note_of_page(request, user, state))  # fmt: skip
    flash(request, message)
    return redirect("/queue")


def _recommendation(
    request: Request,
    user: ActingUser,
    state: StateDep,
    render: Renderer,
    rec_id: str,
    *,
    error: str | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    ws = state.ws
    view = get_recommendation(ws, rec_id)
    explanation = explanation_view(explanation_of(ws, rec_id), names_of(ws))
    decider = decider_of(view, ws.settings.approval.approver_required_above)
    return render.page(
        request,
        "recommendation.html",
        user,
        status_code=status,
        e=explanation,
        trace=trace_recommendation(ws, rec_id),
        chart=fan_chart(explanation.projection) if explanation.projection else None,
        can_decide=bool(user.role and has_permission(user.role, Permission.DECIDE)) and "approve" in view.allowed,
        can_approve=may_decide(user.role, decider),
        decider=decider.value,
        error=error,
        values=values or {},
        **_form_context(state, rec_id, "detail"),
    )


@router.get("/recommendations/{rec_id}", response_class=HTMLResponse)
def recommendation_page(rec_id: str, request: Request, user: PageUser, state: StateDep, render: RenderDep) -> Response:
    """The explanation: summary, decision form, alternatives, fan chart, drivers, break-even, lineage, decisions."""
    return _recommendation(request, user, state, render, rec_id)
