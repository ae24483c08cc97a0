"""Background jobs: kinds, start, status with progress, cancel, simulator reports, the latest exposure."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from hedgerow.api.deps import AppState, CurrentUser, Reader, StateDep
from hedgerow.api.errors import ERROR_RESPONSES
from hedgerow.api.job_kinds import report_html
from hedgerow.api.schemas import JobIn, JobKindOut, JobOut
from hedgerow.decide.roles import require
from hedgerow.errors import HedgerowError, NotFound
from hedgerow.services.users import ActingUser

router = APIRouter(prefix="/api", tags=["jobs"], responses=ERROR_RESPONSES)


def job_out(state: dict[str, Any]) -> JobOut:
    """The API form of a job snapshot."""
    base = f"/api/jobs/{state['id']}"
    return JobOut.model_validate(state | {"status_url": base, "cancel_url": f"{base}/cancel"})


@router.get("/jobs/kinds", response_model=list[JobKindOut])
def kinds(_user: Reader, state: StateDep) -> list[JobKindOut]:
    """The job kinds this server runs (the planner and the simulator add theirs)."""
    return [
        JobKindOut(
            kind=s.kind,
            description=s.description,
            permission=s.permission.value,
            generic=s.generic,
            params_schema=s.params_model.model_json_schema() if s.params_model else None,
        )
        for s in sorted(state.jobs.specs.values(), key=lambda s: s.kind)
    ]


@router.get("/jobs", response_model=list[JobOut])
def jobs(
    _user: Reader,
    state: StateDep,
    kind: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[JobOut]:
    """Recent jobs, newest first (results left out: read one job for its result)."""
    return [job_out(j) for j in state.jobs.list(kind, limit=limit)]


@router.post("/jobs", response_model=JobOut, status_code=202)
def start(body: JobIn, user: Reader, state: StateDep) -> JobOut:
    """Start a job; poll ``status_url`` for its progress and result."""
    spec = state.jobs.spec(body.kind)
    if not spec.generic:
        raise HedgerowError(f"a {spec.kind} job is started by its own endpoint (import: POST /api/imports)")
    assert user.role is not None
    require(user.name, user.role, spec.permission, f"start {spec.kind} jobs")
    params: dict[str, Any] = {}
    if spec.params_model is not None:
        try:
            params = spec.params_model.model_validate(body.params).model_dump(mode="json")
        except ValidationError as exc:
            raise RequestValidationError(
                [{**e, "loc": ("body", "params", *e["loc"])} for e in exc.errors(include_url=False)]
            ) from None
    elif body.params:
        raise HedgerowError(f"a {spec.kind} job takes no params, got {sorted(body.params)}")
    job = state.jobs.submit(spec.kind, params, user=user.name)
    return job_out(state.jobs.snapshot(job.id))


@router.get("/jobs/{job_id}", response_model=JobOut)
def job(job_id: Annotated[str, Path(min_length=1, max_length=64)], _user: Reader, state: StateDep) -> JobOut:
    """A job's status, progress and, once finished, its result or error."""
    return job_out(state.jobs.snapshot(job_id))


@router.post("/jobs/{job_id}/cancel", response_model=JobOut)
def cancel(job_id: Annotated[str, Path(min_length=1, max_length=64)], user: CurrentUser, state: StateDep) -> JobOut:
    """Cancel a queued or running job (who may start its kind may cancel it): a queued job ends at once, a running
    one at its next progress report, within seconds. 409 once it has ended."""
    cancel_job(state, job_id, user)
    return job_out(state.jobs.snapshot(job_id))


def cancel_job(state: AppState, job_id: str, user: ActingUser) -> None:
    """Cancel ``job_id`` as ``user`` after checking their role may start its kind (the API and the pages)."""
    spec = state.jobs.spec(state.jobs.get(job_id).kind)
    assert user.role is not None
    require(user.name, user.role, spec.permission, f"cancel {spec.kind} jobs")
    state.jobs.cancel(job_id, user=user.name)


@router.get(
    "/jobs/{job_id}/report",
    response_model=None,
    responses={
        200: {
            "content": {"text/html": {"schema": {"type": "string"}}},
            "description": "The self-contained HTML report.",
        }
    },
)
def job_report(
    job_id: Annotated[str, Path(min_length=1, max_length=64)], _user: Reader, state: StateDep
) -> HTMLResponse:
    """The HTML report of a succeeded ``backtest`` or ``stress`` job (its figures are the job's ``result``)."""
    return HTMLResponse(report_html(state.jobs.snapshot(job_id), state.ws.settings.workspace.name))


@router.get("/exposure")
def exposure(_user: Reader, state: StateDep) -> dict[str, Any]:
    """The newest exposure computed by an ``exposure`` job (404 before the first one)."""
    latest = state.jobs.latest_result("exposure")
    if latest is None:
        raise NotFound('no exposure computed yet: POST /api/jobs {"kind": "exposure", "params": {"weeks": 4}}')
    return {"job_id": latest["id"], "computed_at": latest["finished_at"], **(latest["result"] or {})}
