"""The web dashboard's pages: server-rendered with Jinja2, small updates with htmx, charts with Vega-Lite.

Every page needs a signed-in user (session cookie; else a redirect to /login) and shows only what the user's
role allows; every form carries the session's CSRF token (htmx sends it as a header) and every change is made
by the same service the CLI and the API call, which checks the role again.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, File, Form, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hedgerow.api.auth import check_csrf, end_session, session_user
from hedgerow.api.deps import AppState, StateDep
from hedgerow.api.errors import NotAuthenticated, field_name, status_of
from hedgerow.api.job_kinds import REPORT_KINDS
from hedgerow.api.routes.jobs import cancel_job
from hedgerow.api.routes.session import sign_in
from hedgerow.api.schemas import HoldIn
from hedgerow.api.uploads import stage_uploads
from hedgerow.decide.auditchain import EventKind
from hedgerow.decide.export_formats import ExportFormat
from hedgerow.decide.roles import Permission, has_permission, require
from hedgerow.errors import HedgerowError, TooManyAttempts
from hedgerow.services import holds as hold_svc
from hedgerow.services.audit import list_events, verify_audit
from hedgerow.services.exporting import export_actions, list_exports
from hedgerow.services.importing import ImportMode
from hedgerow.services.names import Names, names_of
from hedgerow.services.queue import queue_summary
from hedgerow.services.queue_view import plan_headline
from hedgerow.services.reconciliation import location_trust, reconcile_inventory
from hedgerow.services.scoreboard import build_scoreboard
from hedgerow.services.status import workspace_status
from hedgerow.services.users import ActingUser
from hedgerow.sim.stress import StressName
from hedgerow.web.charts import bar_chart
from hedgerow.web.render import Renderer

STATIC = Path(__file__).parent / "static"
QUEUE_PAGE = 5000

router = APIRouter(include_in_schema=False)

M = TypeVar("M", bound=BaseModel)


class LoginRequired(NotAuthenticated):
    """A page was asked for without a session: the browser is sent to the sign-in page."""


def page_user(request: Request, state: StateDep) -> ActingUser:
    """The signed-in user of a page request."""
    user = session_user(request, state.ws, state.clock())
    if user is None:
        raise LoginRequired("sign in to see this page")
    return user


PageUser = Annotated[ActingUser, Depends(page_user)]


async def form_user(request: Request, user: PageUser) -> ActingUser:
    """The signed-in user of a form post, after the CSRF check."""
    await check_csrf(request)
    return user


FormUser = Annotated[ActingUser, Depends(form_user)]


def renderer(request: Request) -> Renderer:
    """The page renderer."""
    r: Renderer = request.app.state.hedgerow_web
    return r


RenderDep = Annotated[Renderer, Depends(renderer)]


def is_htmx(request: Request) -> bool:
    """Whether htmx made the request (it then wants a fragment)."""
    return request.headers.get("HX-Request") == "true"


def flash(request: Request, message: str, kind: str = "ok") -> None:
    """Keep a one-time message for the next page."""
    request.session["flash"] = [kind, message]


def redirect(url: str) -> RedirectResponse:
    """See-other redirect after a form post."""
    return RedirectResponse(url, status_code=303)


def check(user: ActingUser, permission: Permission, what: str) -> None:
    """Refuse unless the user's role includes ``permission``."""
    assert user.role is not None
    require(user.name, user.role, permission, what)


def form_values(fields: dict[str, str]) -> dict[str, str]:
    """The filled-in fields of a form, stripped (an empty field is left out)."""
    return {k: v.strip() for k, v in fields.items() if isinstance(v, str) and v.strip()}


def form_model(model: type[M], values: dict[str, str]) -> M:
    """``values`` read as ``model``; a bad value raises :class:`RequestValidationError` (a 422 naming the field)."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from None


def refusal(exc: RequestValidationError | HedgerowError) -> tuple[str, int]:
    """The message and status of a refused form, in words for the form."""
    if isinstance(exc, RequestValidationError):
        parts = [f"{field_name(e.get('loc', ()))}: {e.get('msg', 'invalid')}" for e in exc.errors()]
        return "; ".join(parts), 422
    return str(exc), status_of(exc)


# ---- sign in ------------------------------------------------------------------------------------------------


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request, render: RenderDep, next_url: Annotated[str | None, Query(alias="next")] = None
) -> Response:
    """The sign-in form."""
    return render.page(request, "login.html", None, next_url=_safe_next(next_url), error=None)


@router.post("/login", response_class=HTMLResponse)
async def login_post(
    request: Request,
    state: StateDep,
    render: RenderDep,
    user: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next_url: Annotated[str, Form(alias="next", max_length=2000)] = "/",
) -> Response:
    """Check the password (throttled per name and per address) and start a session; too many failures give the
    form again with a 429, the wait in words and in ``Retry-After``."""
    await check_csrf(request)
    try:
        await run_in_threadpool(sign_in, request, state, user, password)
    except TooManyAttempts as exc:
        page = render.page(request, "login.html", None, next_url=_safe_next(next_url), error=str(exc), status_code=429)
        page.headers["Retry-After"] = str(exc.retry_after_s)
        return page
    except NotAuthenticated as exc:
        return render.page(request, "login.html", None, next_url=_safe_next(next_url), error=str(exc), status_code=401)
    return redirect(_safe_next(next_url))


@router.post("/logout")
async def logout(request: Request, _user: FormUser, state: StateDep) -> Response:
    """Sign out: the session ends on the server, so a copy of the cookie is refused from now on."""
    await run_in_threadpool(end_session, request, state.ws, state.clock())
    return redirect("/login")


# ---- overview -----------------------------------------------------------------------------------------------


def _exposure_charts(exposure: dict[str, Any] | None, currency: str, names: Names) -> list[dict[str, Any]]:
    if not exposure or not isinstance(exposure.get("result"), dict):
        return []
    summary = exposure["result"].get("summary") or {}
    unit = f"expected lost margin, {currency}"
    lanes = [r | {"lane": names.lane(str(r.get("lane_id")))} for r in summary.get("by_lane", [])]
    panels: tuple[dict[str, Any], ...] = (
        {
            "id": "exp-region",
            "title": "By region (worst single outage)",
            "category": "region",
            "rows": summary.get("by_region", []),
        },
        {"id": "exp-lane", "title": "By lane", "category": "lane", "rows": lanes},
        {
            "id": "exp-currency",
            "title": "By currency (below zero: a gain)",
            "category": "currency",
            "rows": summary.get("by_currency", []),
        },
    )
    return [
        c | {"spec": bar_chart(c["rows"], category=c["category"], value="expected_lost_margin", title=c["title"],
                               unit=unit),
             "table": sorted(c["rows"], key=lambda r: -float(r.get("expected_lost_margin") or 0.0))[:10]}
        for c in panels
    ]  # fmt: skip


def _exposure_context(state: AppState) -> dict[str, Any]:
    ws = state.ws
    exposure = state.jobs.latest_result("exposure")
    return {
        "exposure": exposure,
        "charts": _exposure_charts(exposure, ws.settings.workspace.base_currency, names_of(ws)),
        "running": state.jobs.active("exposure", limit=5),
    }


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, user: PageUser, state: StateDep, render: RenderDep) -> Response:
    """The plan headline, KPIs, exposure by region, lane and currency, data freshness and trust."""
    ws = state.ws
    now = state.clock()
    return render.page(
        request,
        "overview.html",
        user,
        headline=plan_headline(ws),
        summary=queue_summary(ws),
        status=workspace_status(ws, now),
        trust=sorted(location_trust(ws).values(), key=lambda t: t.trust_score),
        trust_floor=ws.settings.quality.min_location_trust,
        expiring=hold_svc.expiring_holds(ws, now.date()),
        **_exposure_context(state),
    )


@router.get("/overview/exposure", response_class=HTMLResponse)
def overview_exposure(request: Request, user: PageUser, state: StateDep, render: RenderDep) -> Response:
    """The overview's exposure panel (fetched again when an exposure job ends: the charts redraw without a reload)."""
    return render.fragment(request, "_exposure.html", user, **_exposure_context(state))


# ---- holds --------------------------------------------------------------------------------------------------


@router.get("/holds", response_class=HTMLResponse)
def holds_page(
    request: Request,
    user: PageUser,
    state: StateDep,
    render: RenderDep,
    show_all: Annotated[bool, Query(alias="all")] = False,
) -> Response:
    """Holds in force (or all), expiring ones flagged; planners add, extend and release."""
    today = state.clock().date()
    warn = state.ws.settings.approval.hold_expiry_warning_days
    holds = hold_svc.list_holds(state.ws, include_released=show_all)
    return render.page(
        request,
        "holds.html",
        user,
        holds=holds,
        money=hold_svc.holds_money(state.ws, holds, today),
        currency=state.ws.settings.workspace.base_currency,
        today=today,
        warn=warn,
        show_all=show_all,
        can_manage=bool(user.role and has_permission(user.role, Permission.MANAGE_HOLDS)),
    )


@router.post("/holds")
def hold_create(
    request: Request,
    user: FormUser,
    state: StateDep,
    item_id: Annotated[str, Form(max_length=200)] = "",
    location_id: Annotated[str, Form(max_length=200)] = "",
    qty: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    expires_on: Annotated[str, Form(max_length=20)] = "",
    owner: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Create a hold."""
    check(user, Permission.MANAGE_HOLDS, "manage holds")
    values = {
        "item_id": item_id,
        "location_id": location_id,
        "qty": qty,
        "reason": reason,
        "expires_on": expires_on,
        "owner": owner,
    }
    try:
        body = HoldIn.model_validate({k: v.strip() for k, v in values.items() if v.strip()})
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from None
    hold = hold_svc.create_hold(
        state.ws, item_id=body.item_id, location_id=body.location_id, qty=body.qty, owner=body.owner or user.name,
        reason=body.reason, expires_on=body.expires_on, user=user.name, now=state.clock(),
    )  # fmt: skip
    flash(request, f"hold {hold.hold_id} created: {hold.qty:,.0f} × {hold.item_id} at {hold.location_id}")
    return redirect("/holds")


@router.post("/holds/{hold_id}/release")
def hold_release(hold_id: str, request: Request, user: FormUser, state: StateDep) -> Response:
    """Release a hold."""
    check(user, Permission.MANAGE_HOLDS, "manage holds")
    hold = hold_svc.release_hold(state.ws, hold_id, user=user.name, now=state.clock())
    flash(request, f"hold {hold.hold_id} released")
    return redirect("/holds")


@router.post("/holds/{hold_id}/extend")
def hold_extend(
    hold_id: str, request: Request, user: FormUser, state: StateDep, until: Annotated[str, Form(max_length=20)] = ""
) -> Response:
    """Extend a hold."""
    check(user, Permission.MANAGE_HOLDS, "manage holds")
    try:
        day = date.fromisoformat(until)
    except ValueError:
        raise HedgerowError(f"until must be a date like 2026-12-31, got {until!r}") from None
    hold = hold_svc.extend_hold(state.ws, hold_id, day, user=user.name, now=state.clock())
    flash(request, f"hold {hold.hold_id} now runs to {hold.expires_on}")
    return redirect("/holds")


# ---- data ---------------------------------------------------------------------------------------------------


@router.get("/data", response_class=HTMLResponse)
def data_page(
    request: Request,
    user: PageUser,
    state: StateDep,
    render: RenderDep,
    job: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """Tables, freshness and trust; imports and their lineage; upload; reconciliation."""
    ws = state.ws
    return render.page(
        request,
        "data.html",
        user,
        status=workspace_status(ws, state.clock()),
        imports=ws.import_history()[:100],
        trust=sorted(location_trust(ws).values(), key=lambda t: t.location_id),
        trust_floor=ws.settings.quality.min_location_trust,
        job_id=job,
        jobs=state.jobs.list("import", limit=10),
        can_import=bool(user.role and has_permission(user.role, Permission.RECORD_PLAN)),
        can_reconcile=bool(user.role and has_permission(user.role, Permission.RECONCILE)),
        modes=[m.value for m in ImportMode],
    )


@router.post("/data/upload")
async def data_upload(
    request: Request,
    user: FormUser,
    state: StateDep,
    files: Annotated[list[UploadFile], File()],
    mode: Annotated[ImportMode | None, Form()] = None,
    force: Annotated[bool, Form()] = False,
) -> Response:
    """Upload tables; the import runs as a background job shown on the Data page."""
    check(user, Permission.RECORD_PLAN, "import data")
    workdir, staged = await stage_uploads(files, state.ws.root, table=None, max_bytes=state.config.max_upload_bytes)
    params = {"files": staged, "mode": mode.value if mode else None, "force": force}
    job = state.jobs.submit("import", params, user=user.name, workdir=workdir)
    return redirect(f"/data?job={job.id}")


@router.post("/data/reconcile")
def data_reconcile(request: Request, user: FormUser, state: StateDep) -> Response:
    """Reconcile the newest counts."""
    check(user, Permission.RECONCILE, "reconcile inventory")
    out = reconcile_inventory(state.ws, user=user.name, now=state.clock())
    flash(
        request,
        f"reconciliation {out.reconciliation_id}: {len(out.lines)} item-locations, {len(out.locations)} locations scored",
    )
    return redirect("/data")


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_fragment(job_id: str, request: Request, user: PageUser, state: StateDep, render: RenderDep) -> Response:
    """A job's progress (polled by htmx until it ends), its result or its error. Once it has ended the answer
    raises the htmx event ``<kind>-finished`` (``exposure-finished``, …) so that the panels showing that kind's
    results fetch themselves again."""
    job = state.jobs.snapshot(job_id)
    response = render.fragment(request, "_job.html", user, job=job, can_cancel=_can_start(user, state, job["kind"]))
    if job["status"] not in ("queued", "running"):
        response.headers["HX-Trigger"] = f"{job['kind']}-finished"
    return response


def _can_start(user: ActingUser, state: AppState, kind: str) -> bool:
    return bool(user.role and has_permission(user.role, state.jobs.spec(kind).permission))


@router.post("/jobs/{job_id}/cancel", response_class=HTMLResponse)
def job_cancel(job_id: str, request: Request, user: FormUser, state: StateDep, render: RenderDep) -> Response:
    """Cancel a job from its progress panel (who may start its kind may cancel it)."""
    cancel_job(state, job_id, user)
    job = state.jobs.snapshot(job_id)
    if not is_htmx(request):
        flash(request, f"{job['kind']} job {job_id}: cancel asked")
        return redirect("/reports")
    return render.fragment(request, "_job.html", user, job=job, can_cancel=False)


# ---- audit, scoreboard, reports -----------------------------------------------------------------------------


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    user: PageUser,
    state: StateDep,
    render: RenderDep,
    kind: Annotated[str | None, Query(max_length=32)] = None,
    before: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> Response:
    """The audit trail, newest first, with the chain's verification."""
    chosen = EventKind(kind) if kind in {k.value for k in EventKind} else None
    events = list_events(state.ws, kind=chosen, limit=100, before_seq=before)
    rows = [{"seq": e.seq, "at": e.at, "actor": e.actor, "kind": e.kind, "subject": e.subject, "payload": e.payload,
             "hash": e.hash} for e in events]  # fmt: skip
    return render.page(
        request,
        "audit.html",
        user,
        events=rows,
        kind=chosen.value if chosen else "",
        kinds=[k.value for k in EventKind],
        verify=verify_audit(state.ws),
        older=rows[-1]["seq"] if len(rows) == 100 else None,
    )


@router.get("/scoreboard", response_class=HTMLResponse)
def scoreboard_page(request: Request, user: PageUser, state: StateDep, render: RenderDep) -> Response:
    """Decisions scored in hindsight, per planner and per reason category."""
    try:
        board: dict[str, Any] | None = build_scoreboard(state.ws).to_dict()
        problem = None
    except HedgerowError as exc:
        board, problem = None, str(exc)
    return render.page(request, "scoreboard.html", user, board=board, problem=problem)


@router.get("/reports", response_class=HTMLResponse)
def reports_page(
    request: Request,
    user: PageUser,
    state: StateDep,
    render: RenderDep,
    job: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """Exposure runs, backtest and stress reports, exports, and the background jobs."""
    ws = state.ws
    exposure = state.jobs.latest_result("exposure")
    rows = sorted(
        (exposure or {}).get("result", {}).get("rows", []) if exposure else [], key=lambda r: -r["cvar95_lost_margin"]
    )
    return render.page(
        request,
        "reports.html",
        user,
        exposure=exposure,
        exposure_rows=rows[:50],
        exports=list_exports(ws),
        formats=[f.value for f in ExportFormat],
        kinds=sorted(state.jobs.specs.values(), key=lambda s: s.kind),
        jobs=state.jobs.list(limit=20),
        active=state.jobs.active(limit=10),
        reports=[j for j in state.jobs.list(limit=50) if j["kind"] in REPORT_KINDS and j["status"] == "succeeded"],
        stresses=[s.value for s in StressName],
        job_id=job,
        can_export=bool(user.role and has_permission(user.role, Permission.EXPORT)),
    )


@router.post("/reports/exposure")
def run_exposure(
    request: Request,
    user: FormUser,
    state: StateDep,
    weeks: Annotated[str, Form(max_length=20)] = "4",
    back: Annotated[str, Form(max_length=20)] = "reports",
) -> Response:
    """Start an exposure job."""
    check(user, Permission.RECORD_PLAN, "start exposure jobs")
    try:
        value = float(weeks)
    except ValueError:
        raise HedgerowError(f"weeks must be a number of weeks, got {weeks!r}") from None
    if not 0 < value <= 104:
        raise HedgerowError(f"weeks must be in (0, 104], got {value:g}")
    job = state.jobs.submit("exposure", {"weeks": value}, user=user.name)
    return redirect("/" if back == "overview" else f"/reports?job={job.id}")


@router.post("/reports/export")
def run_export(
    request: Request,
    user: FormUser,
    state: StateDep,
    fmt: Annotated[ExportFormat, Form(alias="format")] = ExportFormat.CSV,
) -> Response:
    """Export accepted actions."""
    check(user, Permission.EXPORT, "export actions")
    out = export_actions(state.ws, fmt, out_dir=state.ws.root / "exports", user=user.name, now=state.clock())
    verb = "exported" if out.created else "already exported"
    flash(request, f"{verb}: {out.rows} actions as {fmt.value} ({out.path.name})")
    return redirect("/reports")


# ---- install ------------------------------------------------------------------------------------------------

CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)


class SecurityHeaders:
    """Content-Security-Policy on pages (scripts only from this server; vega compiles its expressions, hence
    'unsafe-eval'), no framing, no MIME sniffing. A plain ASGI middleware: it only adds headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        page = not str(scope.get("path", "")).startswith("/api")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                if page:
                    headers.setdefault("Content-Security-Policy", CSP)
                    headers.setdefault("X-Frame-Options", "DENY")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: FastAPI) -> Any:
    """Mount the pages and static files; returns the HTML error renderer."""
    render = Renderer()
    app.state.hedgerow_web = render
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(router)
    # they build on this module's dependencies
    from hedgerow.web.admin_pages import router as admin_router
    from hedgerow.web.capital_pages import router as capital_router
    from hedgerow.web.consignment_pages import router as consignment_router
    from hedgerow.web.queue_pages import router as queue_router
    from hedgerow.web.report_pages import router as report_router

    app.include_router(queue_router)
    app.include_router(consignment_router)
    app.include_router(report_router)
    app.include_router(capital_router)
    app.include_router(admin_router)
    app.add_middleware(SecurityHeaders)

    def html_error(request: Request, exc: HedgerowError, status: int) -> Response:
        if isinstance(exc, NotAuthenticated):
            target = "/login?next=" + quote(
                request.url.path + (f"?{request.url.query}" if request.url.query else ""), safe=""
            )
            if is_htmx(request):
                return Response(status_code=401, headers={"HX-Redirect": target})
            return redirect(target)
        return render.error(request, str(exc), status, htmx=is_htmx(request))

    return html_error
