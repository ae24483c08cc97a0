"""The job kinds the server runs today, and where the planner and the simulator plug in theirs.

Registered now:

* ``import`` — validate and import uploaded files (started by ``POST /api/imports``; progress per file);
* ``exposure`` — the outage exposure table (``{"weeks": 4}``), shown on the overview and the reports page;
* ``plan`` — permission ``record_plan``; the whole chain on the workspace's current data
  (:func:`hedgerow.services.planning.make_workspace_plan`, ``{"as_of": "YYYY-MM-DD"}`` optional), recorded in
  the ledger as ``ctx.user`` at ``ctx.now``; progress per step of the chain; the result names the plan and links
  to ``/api/plans/{plan_id}``.

**Extension point.** The simulator (issue 7) adds ``backtest`` and ``stress`` (permission ``read``; their
report dicts as results, listed on the Reports page under their kind) as one :class:`JobSpec` each in
:data:`DEFAULT_JOBS`.

Nothing else changes: ``POST /api/jobs``, ``GET /api/jobs/{id}`` and the web pages use whatever is registered.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from hedgerow.api.jobs import JobContext, JobSpec
from hedgerow.decide.roles import Permission
from hedgerow.domain.enums import TableName
from hedgerow.services.exposure import compute_exposure
from hedgerow.services.importing import ImportMode, ImportSource, import_sources
from hedgerow.services.planning import make_workspace_plan


class ExposureParams(BaseModel):
    """Parameters of the exposure job."""

    model_config = ConfigDict(extra="forbid")

    weeks: float = Field(4.0, gt=0, le=104, allow_inf_nan=False, description="Length of the outage, weeks.")


def run_exposure(ctx: JobContext) -> dict[str, Any]:
    """Compute the exposure table (see :func:`hedgerow.services.exposure.compute_exposure`)."""
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


def run_plan(ctx: JobContext) -> dict[str, Any]:
    """Make a plan on the workspace's current data and record it (see :func:`make_workspace_plan`)."""
    params = PlanParams.model_validate(ctx.params)
    outcome = make_workspace_plan(ctx.ws, user=ctx.user, now=ctx.now, as_of=params.as_of, progress=ctx.progress)
    plan = outcome.plan
    return {
        "plan_id": plan.id,
        "as_of": outcome.as_of.isoformat(),
        "status": plan.status.value,
        "method": plan.method.value,
        "base_currency": plan.base_currency,
        "recommendations": len(plan.recommendations),
        "totals": plan.totals.to_dict(),
        "do_nothing": plan.do_nothing.to_dict(),
        "recorded": outcome.recorded.to_dict(),
    }


def run_import(ctx: JobContext) -> dict[str, Any]:
    """Import the uploaded files of ``ctx.workdir`` (``params``: ``files`` [{name, table}], ``mode``)."""
    assert ctx.workdir is not None, "the import job needs its upload folder"
    sources = [ImportSource(ctx.workdir / f["name"], TableName(f["table"])) for f in ctx.params["files"]]
    outcome = import_sources(
        ctx.ws, sources, user=ctx.user, now=ctx.now, mode=ImportMode(ctx.params["mode"]), progress=ctx.progress
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
    permission=Permission.READ,
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

#: Job kinds a server registers by default (the simulator appends ``backtest`` and ``stress`` here).
DEFAULT_JOBS: tuple[JobSpec, ...] = (IMPORT_JOB, EXPOSURE_JOB, PLAN_JOB)
