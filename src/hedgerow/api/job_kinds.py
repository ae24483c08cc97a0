"""The job kinds the server runs today, and where the planner and the simulator plug in theirs.

Registered now:

* ``import`` — validate and import uploaded files (started by ``POST /api/imports``; progress per file);
* ``exposure`` — the outage exposure table (``{"weeks": 4}``), shown on the overview and the reports page.

**Extension point (phase 2).** The planner (issue 5) and the simulator (issue 7) add one :class:`JobSpec` each
to :data:`DEFAULT_JOBS`:

* ``plan`` — permission ``record_plan``; runs the planner on the workspace, records the plan with
  :func:`hedgerow.services.recommendations.record_plan` (``user=ctx.user, now=ctx.now``), reports progress per
  item partition through ``ctx.progress``, returns ``{"plan_id": ..., "recommendations": n, ...}`` and links the
  result with ``result_link=lambda r: f"/api/plans/{r['plan_id']}"``;
* ``backtest`` and ``stress`` — permission ``read``; return their report dicts, which the Reports page lists
  under their kind.

Nothing else changes: ``POST /api/jobs``, ``GET /api/jobs/{id}`` and the web pages use whatever is registered.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from hedgerow.api.jobs import JobContext, JobSpec
from hedgerow.decide.roles import Permission
from hedgerow.domain.enums import TableName
from hedgerow.services.exposure import compute_exposure
from hedgerow.services.importing import ImportMode, ImportSource, import_sources


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

#: Job kinds a server registers by default. Phase 2 appends ``plan``, ``backtest`` and ``stress`` here.
DEFAULT_JOBS: tuple[JobSpec, ...] = (IMPORT_JOB, EXPOSURE_JOB)
