"""The queue by consignment: the newest plan's lanes, shipments and buffer locations, each decided at once.

``/queue?by=consignment`` lists one row per consignment of the newest plan
(:func:`hedgerow.services.consignment_view.consignment_queue`), largest value first, with its lines behind a
``<details>``; a decider approves, rejects (with a reason) or closes a whole consignment through
:func:`hedgerow.services.consignments.decide_consignment`, which decides each open line as its own decision. The
answer replaces the consignment's rows in place (htmx) and says how many lines were decided and which were left,
and why; without JavaScript the form posts and the queue comes back with the same words as a flash message.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response

from hedgerow.api.deps import AppState, StateDep
from hedgerow.api.schemas import ConsignmentDecisionIn
from hedgerow.decide.lifecycle import DecisionKind, ReasonCategory
from hedgerow.decide.records import DecisionRequest
from hedgerow.decide.roles import Permission, has_permission
from hedgerow.errors import HedgerowError, PermissionDenied
from hedgerow.services.consignment_view import consignment_queue, consignment_rows
from hedgerow.services.consignments import ConsignmentDecision as Outcome
from hedgerow.services.consignments import decide_consignment, find_consignment
from hedgerow.services.queue import queue_summary
from hedgerow.services.queue_view import Decider, may_decide, plan_headline
from hedgerow.services.users import ActingUser
from hedgerow.web.pages import FormUser, RenderDep, check, flash, form_model, form_values, is_htmx, redirect, refusal
from hedgerow.web.queue_rows import describe
from hedgerow.web.render import Renderer

router = APIRouter(include_in_schema=False)

#: Skipped lines a flash message names (the in-place answer names them all).
FLASHED_SKIPS = 5


class QueueBy(StrEnum):
    """How the queue lists the plan: a row per recommendation, or a row per consignment."""

    LINE = "line"
    CONSIGNMENT = "consignment"


#: The queue of consignments.
CONSIGNMENT_QUEUE = "/queue?" + urlencode({"by": QueueBy.CONSIGNMENT.value})


def _context(user: ActingUser, state: AppState) -> dict[str, Any]:
    """What the consignment rows need besides the rows: the reader's rights and the forms' choices."""
    return {
        "by": QueueBy.CONSIGNMENT.value,
        "can_decide": may_decide(user.role, Decider.PLANNER),
        "approver_only": not may_decide(user.role, Decider.APPROVER),
        "can_close": bool(user.role and has_permission(user.role, Permission.EXPORT)),
        "categories": [(c.value, c.label) for c in ReasonCategory],
        "threshold": state.ws.settings.approval.approver_required_above,
        "describe": describe,
        "summary": queue_summary(state.ws),
        "headline": plan_headline(state.ws),
    }


def consignment_page(request: Request, user: ActingUser, state: AppState, render: Renderer) -> Response:
    """The queue by consignment (module docstring)."""
    return render.page(
        request, "queue_consignments.html", user, queue=consignment_queue(state.ws), **_context(user, state)
    )


def outcome_message(outcome: Outcome, *, named: int = FLASHED_SKIPS) -> str:
    """What a consignment decision did, in one sentence: lines decided, lines left and (the first ``named``) why."""
    con = outcome.consignment
    verb = outcome.decided[0].status if outcome.decided else "decided"
    text = f"{verb} {len(outcome.decided)} of {con.lines} lines of consignment {con.rank}"
    if outcome.skipped:
        text += f"; left {len(outcome.skipped)}"
        if named:
            shown = "; ".join(f"{rec_id}: {why}" for rec_id, why in outcome.skipped[:named])
            text += f" ({shown}{' …' if len(outcome.skipped) > named else ''})"
    return text


@router.post("/queue/consignments/{con_id}/decision", response_class=HTMLResponse)
def consignment_decision(
    con_id: str,
    request: Request,
    user: FormUser,
    state: StateDep,
    render: RenderDep,
    decision: Annotated[str, Form(max_length=20)] = "",
    reason_category: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Approve, reject or close every open line of a consignment; answer with its rows and the lines left, and why
    (in place for htmx, else as a flash message on the queue by consignment)."""
    check(user, Permission.DECIDE, "decide recommendations")
    values = form_values({"decision": decision, "reason_category": reason_category, "reason": reason})
    outcome: Outcome | None = None
    error: str | None = None
    try:
        body = form_model(ConsignmentDecisionIn, values)
        asked = DecisionRequest(DecisionKind(body.decision.value), body.reason_category, body.reason)
        outcome = decide_consignment(state.ws, con_id, asked, user=user.name, now=state.clock())
    except (RequestValidationError, HedgerowError) as exc:
        if isinstance(exc, PermissionDenied):
            raise
        error = refusal(exc)[0]
    if not is_htmx(request):
        if outcome is None:
            flash(request, error or "", "error")
        else:
            flash(request, outcome_message(outcome), "warn" if outcome.skipped else "ok")
        return redirect(CONSIGNMENT_QUEUE)
    plan_id, con = (outcome.plan_id, outcome.consignment) if outcome else find_consignment(state.ws, con_id)
    return render.fragment(
        request,
        "_consignment_decided.html",
        user,
        row=consignment_rows(state.ws, plan_id, (con,))[0],
        outcome=outcome,
        message=outcome_message(outcome, named=0) if outcome else None,
        error=error,
        values=values,
        **_context(user, state),
    )
