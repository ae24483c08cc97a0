"""Simulator reports on the web: start a backtest or a stress test from the Reports page, open its HTML report.

The jobs are the API's ``backtest`` and ``stress`` kinds (:mod:`hedgerow.api.job_kinds`); the page follows their
progress with htmx like any job, and ``/reports/jobs/{id}`` shows the simulator's self-contained HTML report
(:func:`hedgerow.sim.report.render_html`) of a succeeded one.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response

from hedgerow.api.deps import StateDep
from hedgerow.api.job_kinds import BacktestParams, StressParams, report_html
from hedgerow.decide.roles import Permission
from hedgerow.errors import HedgerowError
from hedgerow.sim.stress import StressName
from hedgerow.web.pages import FormUser, PageUser, check, redirect

router = APIRouter(include_in_schema=False)


def _whole(value: str, name: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise HedgerowError(f"{name} must be a whole number, got {value!r}") from None
    if not low <= number <= high:
        raise HedgerowError(f"{name} must be between {low} and {high}, got {number}")
    return number


@router.post("/reports/backtest")
def run_backtest_page(user: FormUser, state: StateDep, periods: Annotated[str, Form(max_length=10)] = "52") -> Response:
    """Start a backtest of every built-in policy over the last ``periods`` periods."""
    check(user, Permission.RECORD_PLAN, "start backtest jobs")
    params = BacktestParams.model_validate({"periods": _whole(periods, "periods", 1, 520)})
    job = state.jobs.submit("backtest", params.model_dump(mode="json"), user=user.name)
    return redirect(f"/reports?job={job.id}")


@router.post("/reports/stress")
def run_stress_page(
    user: FormUser,
    state: StateDep,
    name: Annotated[StressName, Form()],
    periods: Annotated[str, Form(max_length=10)] = "52",
    weeks: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Start a stress test: the policies without and with the shock ``name`` (``weeks`` long when it has a length)."""
    check(user, Permission.RECORD_PLAN, "start stress jobs")
    params = StressParams.model_validate(
        {
            "name": name,
            "periods": _whole(periods, "periods", 1, 520),
            "weeks": _whole(weeks, "weeks", 1, 520) if weeks.strip() else None,
        }
    )
    job = state.jobs.submit("stress", params.model_dump(mode="json"), user=user.name)
    return redirect(f"/reports?job={job.id}")


@router.get("/reports/jobs/{job_id}", response_class=HTMLResponse)
def report_page(job_id: str, _user: PageUser, state: StateDep) -> Response:
    """The simulator's HTML report of a succeeded backtest or stress job."""
    return HTMLResponse(report_html(state.jobs.snapshot(job_id), state.ws.settings.workspace.name))
