"""The record: audit log and its verification, exports to the ERP, the hindsight scoreboard."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import FileResponse

from hedgerow.api.deps import Exporter, NowDep, Reader, WorkspaceDep
from hedgerow.api.errors import ERROR_RESPONSES
from hedgerow.api.schemas import AuditEventOut, ExportIn, ExportOut
from hedgerow.decide.auditchain import EventKind
from hedgerow.errors import NotFound
from hedgerow.services.audit import list_events, verify_audit
from hedgerow.services.exporting import export_actions, get_export, list_exports
from hedgerow.services.scoreboard import build_scoreboard
from hedgerow.services.workspace import Workspace
from hedgerow.store.decide_models import ExportRow, as_utc

router = APIRouter(prefix="/api", tags=["ledger"], responses=ERROR_RESPONSES)

#: Folder of export files inside the workspace (the CLI's default too).
EXPORT_DIR = "exports"


@router.get("/audit/events", response_model=list[AuditEventOut])
def events(
    _user: Reader,
    ws: WorkspaceDep,
    kind: EventKind | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 100,
    before_seq: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> list[AuditEventOut]:
    """The newest audit events, newest first (page back with ``before_seq``)."""
    return [
        AuditEventOut(
            seq=e.seq,
            at=e.at,
            actor=e.actor,
            kind=e.kind,
            subject=e.subject,
            payload=json.loads(e.payload),
            prev_hash=e.prev_hash,
            hash=e.hash,
        )
        for e in list_events(ws, kind=kind, limit=limit, before_seq=before_seq)
    ]


@router.get("/audit/verify")
def verify(_user: Reader, ws: WorkspaceDep) -> dict[str, Any]:
    """Walk the hash chain: ``ok`` and, when tampered, every edited, inserted, deleted or reordered event."""
    return verify_audit(ws).to_dict()


def export_out(row: ExportRow, created: bool | None = None) -> ExportOut:
    """The API form of an export record."""
    return ExportOut(
        export_id=row.id,
        format=row.format,
        file_name=row.file_name,
        content_sha256=row.content_sha256,
        rows=row.rows,
        recommendation_ids=json.loads(row.recommendation_ids_json),
        at=as_utc(row.at),
        by=row.by,
        created=created,
        download=f"/api/exports/{row.id}/file",
    )


@router.get("/exports", response_model=list[ExportOut])
def exports(_user: Reader, ws: WorkspaceDep) -> list[ExportOut]:
    """Past exports, newest first."""
    return [export_out(r) for r in list_exports(ws)]


def export_dir(ws: Workspace) -> Any:
    """Where export files are written."""
    return ws.root / EXPORT_DIR


@router.post("/exports", response_model=ExportOut, status_code=201)
def export(body: ExportIn, user: Exporter, ws: WorkspaceDep, now: NowDep) -> ExportOut:
    """Write accepted actions as an ERP file (idempotent: the same set gives the same file, recorded once)."""
    outcome = export_actions(
        ws, body.format, out_dir=export_dir(ws), user=user.name, now=now, rec_ids=body.recommendation_ids
    )
    return export_out(get_export(ws, outcome.export_id), outcome.created)


@router.get(
    "/exports/{export_id}/file",
    response_class=FileResponse,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "The export file."}},
)
def export_file(
    export_id: Annotated[str, Path(min_length=1, max_length=64)], _user: Reader, ws: WorkspaceDep
) -> FileResponse:
    """Download an export file."""
    row = get_export(ws, export_id)
    path = export_dir(ws) / row.file_name
    if not path.is_file():
        raise NotFound(f"the file of export {export_id} ({row.file_name}) is no longer in {export_dir(ws)}")
    return FileResponse(path, filename=row.file_name, media_type="application/octet-stream")


@router.get("/scoreboard")
def scoreboard(_user: Reader, ws: WorkspaceDep, _now: NowDep) -> dict[str, Any]:
    """Decisions scored in hindsight: recommended vs decided cost, per planner and per reason category."""
    return build_scoreboard(ws).to_dict()
