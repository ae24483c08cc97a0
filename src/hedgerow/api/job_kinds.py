"""The job kinds the server runs today, and where the planner and the simulator plug in theirs.

Registered now:

* ``import`` — validate and import uploaded files (started by ``POST /api/imports``; progress per file);
* ``exposure`` — permission ``record_plan``; the outage exposure table (``{"weeks": 4}``), shown on the overview
  and the reports page;
* ``plan`` — permission ``record_plan``; the whole chain on the workspace's current data
  (:func:`hedgerow.services.planning.make_workspace_plan`, ``{"as_of": "YYYY-MM-DD"}`` optional), recorded in
  the ledger as ``ctx.user`` at ``ctx.now``; progress per step of the chain; the result names the plan and links
  to ``/api/plans/{plan_id}``.
* ``backtest`` and ``stress`` — permission ``record_plan`` (heavy work: planners and admins start it); the
  simulator on the workspace's demand history (:mod:`hedgerow.services.simulation`), progress per simulated
  period of each policy; the result is the report's figures (JSON), drawn as
  the self-contained HTML report at ``GET /api/jobs/{id}/report`` and on the Reports page.

The job functions import their services when they run: a web worker, which never runs one, does not pay for
loading the planner and the simulator at start-up.

**Extension point.** Another kind is one more :class:`JobSpec` in :data:`DEFAULT_JOBS`.

Nothing else changes: ``POST /api/jobs``, ``GET /api/jobs/{id}`` and the web pages use whatever is registered.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from hedgerow.api.jobs import JobContext, JobSpec
from hedgerow.decide.roles import Permission
from hedgerow.domain.enums import TableName
from hedgerow.errors import InvalidTransition, NotFound
from hedgerow.sim.inputs import UnmetDemand
from hedgerow.sim.policies.base import PolicyName
from hedgerow.sim.report import render_html
from hedgerow.sim.stress import StressName


class ExposureParams(BaseModel):
    """Parameters of the exposure job."""

    model_config = ConfigDict(extra="forbid")

    weeks: float = Field(4.0, gt=0, le=104, allow_inf_nan=False, description="Length of the outage, weeks.")


def run_exposure(ctx: JobContext) -> dict[str, Any]:
    """Compute the exposure table (see :func:`hedgerow.services.exposure.compute_exposure`)."""
    from hedgerow.services.exposure import compute_exposure

    params = ExposureParams.model_validate(ctx.params)
    ctx.progress("fitting supply and sampling scenarios", 0, 1)
    result = compute_exposure(ctx.ws, weeks=params.weeks, now=ctx.now)
    ctx.progress("done", 1, 1)
    return result


class PlanParams(BaseModel):
    """Parameters of the plan job."""

    model_config = ConfigDict(extra="forbid")

    as_of: date | None = Field(
        None,
        ge=date(1900, 1, 1),
        le=date(2999, 12, 31),
        description="The plan's first day (demand before it is history); default: the first day of the current "
        "period (this week's Monday for weekly workspaces).",
    )
    assume_zero_stock: bool = Field(
        False,
        description="Plan even without any inventory count, on 0 units on hand everywhere (listed in the "
        "result's gaps and in every explanation); without it such a plan fails.",
    )


def run_plan(ctx: JobContext) -> dict[str, Any]:
    """Make a plan on the workspace's current data and record it (see :func:`make_workspace_plan`)."""
    from hedgerow.services.planning import make_workspace_plan

    params = PlanParams.model_validate(ctx.params)
    outcome = make_workspace_plan(
        ctx.ws,
        user=ctx.user,
        now=ctx.now,
        as_of=params.as_of,
        progress=ctx.progress,
        assume_zero_stock=params.assume_zero_stock,
    )
    plan = outcome.plan
    return {
        "plan_id": plan.id,
        "as_of": outcome.as_of.isoformat(),
        "status": plan.status.value,
        "method": plan.method.value,
        "base_currency": plan.base_currency,
        "recommendations": len(plan.recommendations),
        "consignments": len(plan.consignments),
        "totals": plan.totals.to_dict(),
        "do_nothing": plan.do_nothing.to_dict(),
        "gaps": [g.to_dict() for g in plan.gaps],
        "recorded": outcome.recorded.to_dict(),
    }


class BacktestParams(BaseModel):
    """Parameters of the backtest job (as ``hedgerow backtest``)."""

    model_config = ConfigDict(extra="forbid")

    periods: int = Field(52, ge=1, le=520, description="Simulated periods: the last ones of the demand history.")
    unmet: UnmetDemand = Field(UnmetDemand.LOST, description="Unmet demand is lost or backordered.")
    policies: list[PolicyName] | None = Field(
        None, max_length=len(PolicyName), description="Policies to run; default: every built-in policy."
    )
    lookahead: int = Field(4, ge=0, le=104, description="Periods ahead that planned prices and promotions are known.")
    seed: int | None = Field(None, ge=0, le=2**63 - 1, description="Seed of the lead-time draws (default [risk] seed).")


class StressParams(BacktestParams):
    """Parameters of the stress job (as ``hedgerow stress NAME``)."""

    name: StressName = Field(description="The shock.")
    weeks: int | None = Field(None, ge=1, le=520, description="How many periods the shock lasts.")
    start: int | None = Field(None, ge=0, le=520, description="Simulated period it starts in (default: 1/3 in).")
    target: str | None = Field(
        None, min_length=1, max_length=200, description="Port, country, supplier, region or currency it hits."
    )
    size: float | None = Field(None, gt=-1e6, lt=1e6, allow_inf_nan=False, description="Strength of the shock.")


def run_backtest_job(ctx: JobContext) -> dict[str, Any]:
    """Backtest the policies on the workspace's history (see :func:`backtest_report`)."""
    from hedgerow.services.simulation import backtest_report

    p = BacktestParams.model_validate(ctx.params)
    return backtest_report(
        ctx.ws,
        periods=p.periods,
        unmet=p.unmet,
        policies=p.policies,
        lookahead=p.lookahead,
        seed=p.seed,
        progress=ctx.progress,
    )


def run_stress_job(ctx: JobContext) -> dict[str, Any]:
    """Stress-test the policies with a named shock (see :func:`stress_report`)."""
    from hedgerow.services.simulation import stress_report

    p = StressParams.model_validate(ctx.params)
    return stress_report(
        ctx.ws,
        p.name,
        weeks=p.weeks,
        start=p.start,
        target=p.target,
        size=p.size,
        periods=p.periods,
        unmet=p.unmet,
        policies=p.policies,
        lookahead=p.lookahead,
        seed=p.seed,
        progress=ctx.progress,
    )


def run_import(ctx: JobContext) -> dict[str, Any]:
    """Import the uploaded files of ``ctx.workdir`` (``params``: ``files`` [{name, table}], ``mode``, ``force``,
    ``accept_fx_jumps``)."""
    from hedgerow.services.importing import ImportMode, ImportSource, import_sources

    assert ctx.workdir is not None, "the import job needs its upload folder"
    sources = [ImportSource(ctx.workdir / f["name"], TableName(f["table"])) for f in ctx.params["files"]]
    mode = ctx.params.get("mode")
    outcome = import_sources(
        ctx.ws,
        sources,
        user=ctx.user,
        now=ctx.now,
        mode=ImportMode(mode) if mode else None,
        force=bool(ctx.params.get("force", False)),
        accept_fx_jumps=bool(ctx.params.get("accept_fx_jumps", False)),
        progress=ctx.progress,
    )
    return {
        "batch_id": outcome.batch_id,
        "tables": [
            {
                "table": t.table.value,
                "rows": t.rows,
                "snapshot": t.snapshot_sha256,
                "import_id": t.import_id,
                "trust_score": t.trust_score,
            }
            for t in outcome.tables
        ],
        "reports": [r.to_dict() for r in outcome.reports],
    }


IMPORT_JOB = JobSpec(
    kind="import",
    run=run_import,
    permission=Permission.RECORD_PLAN,
    description="Validate and import uploaded tables (all or nothing).",
    generic=False,
    result_link=lambda _r: "/api/imports",
)

EXPOSURE_JOB = JobSpec(
    kind="exposure",
    run=run_exposure,
    permission=Permission.RECORD_PLAN,
    description="Margin at risk if a lane, port, supplier or currency fails for N weeks.",
    params_model=ExposureParams,
    result_link=lambda _r: "/api/exposure",
)

PLAN_JOB = JobSpec(
    kind="plan",
    run=run_plan,
    permission=Permission.RECORD_PLAN,
    description="Plan on the current data (demand, supply, scenarios, planner) and record the ranked plan.",
    params_model=PlanParams,
    result_link=lambda r: f"/api/plans/{r['plan_id']}",
)

BACKTEST_JOB = JobSpec(
    kind="backtest",
    run=run_backtest_job,
    permission=Permission.RECORD_PLAN,
    description="Replay the demand history under each policy: cost, service, capital and bullwhip.",
    params_model=BacktestParams,
    result_link=lambda _r: "/api/jobs/{job_id}/report",
)

STRESS_JOB = JobSpec(
    kind="stress",
    run=run_stress_job,
    permission=Permission.RECORD_PLAN,
    description="Compare the policies without and with a named shock (port closure, strike, supplier failure, ...).",
    params_model=StressParams,
    result_link=lambda _r: "/api/jobs/{job_id}/report",
)

#: Kinds whose result is a simulator report (drawn as HTML by :func:`hedgerow.sim.report.render_html`).
REPORT_KINDS = frozenset({BACKTEST_JOB.kind, STRESS_JOB.kind})

#: Job kinds a server registers by default.
DEFAULT_JOBS: tuple[JobSpec, ...] = (IMPORT_JOB, EXPOSURE_JOB, PLAN_JOB, BACKTEST_JOB, STRESS_JOB)


def report_html(job: dict[str, Any], workspace_name: str) -> str:
    """The self-contained HTML report of a finished backtest or stress job (its state from ``JobRunner.snapshot``).

    Raises
    ------
    NotFound
        The job is of a kind without a report.
    InvalidTransition
        The job has not succeeded (yet).
    """
    if job["kind"] not in REPORT_KINDS:
        kinds = ", ".join(sorted(REPORT_KINDS))
        raise NotFound(f"job {job['id']} is a {job['kind']} job; reports exist for {kinds} jobs")
    if job["status"] != "succeeded" or not isinstance(job["result"], dict):
        raise InvalidTransition(f"job {job['id']} is {job['status']}: its report exists once it has succeeded")
    result: dict[str, Any] = job["result"]
    name = f" {result['shock']['name']}" if job["kind"] == "stress" and isinstance(result.get("shock"), dict) else ""
    return render_html(result, f"hedgerow {job['kind']}{name} — {workspace_name}")
