"""Data: workspace status (freshness, trust), imports (upload → background job), validation, reconciliation."""

from __future__ import annotations

import json
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.concurrency import run_in_threadpool

from hedgerow.api.deps import NowDep, PlanRecorder, Reader, Reconciler, StateDep, WorkspaceDep
from hedgerow.api.errors import ERROR_RESPONSES
from hedgerow.api.routes.jobs import job_out
from hedgerow.api.schemas import ImportOut, JobOut, LocationTrustOut
from hedgerow.api.uploads import copy_capped, safe_name, stage_uploads, table_of
from hedgerow.contract.readers import detect_format, read_table_file
from hedgerow.contract.report import ValidationReport
from hedgerow.contract.spec import table_spec
from hedgerow.contract.validate import validate_frame
from hedgerow.domain.enums import TableName
from hedgerow.errors import NotFound
from hedgerow.services.importing import ImportMode
from hedgerow.services.reconciliation import latest_reconciliation, location_trust, reconcile_inventory
from hedgerow.services.status import workspace_status
from hedgerow.store.decide_models import as_utc

router = APIRouter(prefix="/api", tags=["data"], responses=ERROR_RESPONSES)


@router.get("/status")
def status(_user: Reader, ws: WorkspaceDep, now: NowDep) -> dict[str, Any]:
    """Every contract table: rows, date range, age, staleness, trust score; what is missing to plan."""
    return workspace_status(ws, now).to_dict()


@router.get("/imports", response_model=list[ImportOut])
def imports(
    _user: Reader,
    ws: WorkspaceDep,
    table: TableName | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 200,
) -> list[ImportOut]:
    """Accepted imports with their lineage, newest first."""
    return [
        ImportOut(
            id=r.id,
            batch_id=r.batch_id,
            table=r.table_name,
            mode=r.mode,
            rows=r.rows,
            snapshot=r.snapshot_sha256,
            source=r.source_name,
            source_format=r.source_format,
            source_size_bytes=r.source_size_bytes,
            source_sha256=r.source_sha256,
            imported_by=r.imported_by,
            imported_at=as_utc(r.imported_at),
            contract_version=r.contract_version,
            trust_score=r.trust_score,
            warnings=json.loads(r.warnings_json),
        )
        for r in ws.import_history(table)[:limit]
    ]


@router.post("/imports", response_model=JobOut, status_code=202)
async def upload(
    user: PlanRecorder,
    state: StateDep,
    files: Annotated[list[UploadFile], File(description="CSV, XLSX or Parquet files named after their tables.")],
    table: Annotated[TableName | None, Form(description="Table of a single file (default: from its name).")] = None,
    mode: Annotated[
        ImportMode | None,
        Form(
            description="upsert (add rows, a row with the same key replaces the old one), append (add rows, a key "
            "already in the table is an error) or replace (the file becomes the table); default: each table's "
            "default, upsert."
        ),
    ] = None,
    force: Annotated[
        bool, Form(description="Allow a replace that removes more than half a table or dates of its history.")
    ] = False,
    accept_fx_jumps: Annotated[
        bool,
        Form(
            description="Keep exchange rates that jump more than 10 times from their currency's history as "
            "warnings; without it they reject the import."
        ),
    ] = False,
) -> JobOut:
    """Upload tables and import them in the background (all or nothing). Poll the job for progress; a failed job's
    error carries the full validation reports."""
    workdir, staged = await stage_uploads(files, state.ws.root, table=table, max_bytes=state.config.max_upload_bytes)
    params = {"files": staged, "mode": mode.value if mode else None, "force": force, "accept_fx_jumps": accept_fx_jumps}
    job = state.jobs.submit("import", params, user=user.name, workdir=workdir)
    return job_out(state.jobs.snapshot(job.id))


@router.post("/validate")
async def validate(
    _user: Reader,
    now: NowDep,
    state: StateDep,
    file: Annotated[UploadFile, File(description="One CSV, XLSX or Parquet file.")],
    table: Annotated[TableName | None, Form(description="Its table (default: from the file name).")] = None,
) -> dict[str, Any]:
    """Check one file (at most ``max_validate_bytes``) against the data contract without importing it: the full
    validation report. The reading and checking run in a worker thread, so other requests are served meanwhile."""
    name = safe_name(file.filename)
    detect_format(Path(name))
    target = table_of(name, table)
    with tempfile.TemporaryDirectory(prefix="hedgerow-validate-") as tmp:
        path = Path(tmp) / name
        await copy_capped(
            file, path, max_bytes=state.config.max_validate_bytes, hint="check big files with `hedgerow validate FILE`"
        )
        return await run_in_threadpool(_validated, path, target, now)


def _validated(path: Path, target: TableName, now: datetime) -> dict[str, Any]:
    """The validation report of the file at ``path`` as table ``target`` (blocking: run it in a worker thread)."""
    raw = read_table_file(path, table=target)
    result = validate_frame(table_spec(target), raw.frame, now=pd.Timestamp(now).tz_convert("UTC").tz_localize(None))
    report = ValidationReport(table=target, source=raw.source.name, rows=len(raw.frame), findings=result.errors)
    return report.to_dict()


@router.get("/trust", response_model=list[LocationTrustOut])
def trust(_user: Reader, ws: WorkspaceDep) -> list[LocationTrustOut]:
    """The newest count trust of every reconciled location."""
    return [LocationTrustOut.model_validate(t.__dict__) for t in location_trust(ws).values()]


@router.post("/reconciliations")
def reconcile(user: Reconciler, ws: WorkspaceDep, now: NowDep) -> dict[str, Any]:
    """Reconcile the newest inventory counts against the ledger (stored; the same snapshot again returns it)."""
    return reconcile_inventory(ws, user=user.name, now=now).to_dict()


@router.get("/reconciliations/latest")
def latest(_user: Reader, ws: WorkspaceDep) -> dict[str, Any]:
    """The newest stored reconciliation (404 when counts were never reconciled)."""
    outcome = latest_reconciliation(ws)
    if outcome is None:
        raise NotFound("no reconciliation yet: POST /api/reconciliations (planner) after two inventory counts")
    return outcome.to_dict()
