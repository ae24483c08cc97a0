"""`hedgerow export`: write accepted actions to a file for the ERP, idempotently, and record it.

The selection is every approved or modified recommendation the format can carry (or the ids given). The file's
bytes depend only on the decisions and master data, so the same selection gives the same bytes: the export is
recorded once under (format, SHA-256) and doing it again returns that record without changing anything. A new
export moves its recommendations to ``exported`` (version-checked) and appends an ``export`` audit event, in one
transaction with the record; the file is written before the commit and removed again if the commit fails.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select

from hedgerow.decide.auditchain import EventKind
from hedgerow.decide.export_formats import FORMAT_KINDS, ExportFormat, ExportLine, render
from hedgerow.decide.lifecycle import DecisionKind
from hedgerow.decide.roles import Permission
from hedgerow.domain.actions import ActionKind, RecommendationStatus
from hedgerow.domain.enums import TableName
from hedgerow.errors import HedgerowError, NotFound
from hedgerow.services.audit import append_event, ledger_write
from hedgerow.services.recommendations import apply_transition
from hedgerow.services.users import acting_user
from hedgerow.services.workspace import Workspace
from hedgerow.store.decide_models import DecisionRow, ExportRow, RecommendationRow, as_utc

S = RecommendationStatus
EXPORTABLE = (S.APPROVED, S.MODIFIED)


@dataclass(frozen=True)
class ExportOutcome:
    """What an export produced."""

    export_id: str
    format: ExportFormat
    path: Path
    content_sha256: str
    rows: int
    recommendation_ids: tuple[str, ...]
    created: bool  # False: the same export existed and was returned as it was

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "export_id": self.export_id,
            "format": self.format.value,
            "path": str(self.path),
            "content_sha256": self.content_sha256,
            "rows": self.rows,
            "recommendation_ids": list(self.recommendation_ids),
            "created": self.created,
        }


def _lookup(frame: pd.DataFrame | None, key: str) -> dict[str, dict[str, Any]]:
    if frame is None:
        return {}
    return {str(r[key]): {str(k): v for k, v in r.items()} for r in frame.to_dict("records")}


def _lines(ws: Workspace, rows: Sequence[RecommendationRow], reasons: dict[str, str | None]) -> list[ExportLine]:
    items = _lookup(ws.current_frame(TableName.ITEMS), "item_id")
    locations = _lookup(ws.current_frame(TableName.LOCATIONS), "location_id")
    suppliers = _lookup(ws.current_frame(TableName.SUPPLIERS), "supplier_id")
    lanes = _lookup(ws.current_frame(TableName.LANES), "lane_id")
    currency = ws.settings.workspace.base_currency
    out = []
    for r in rows:
        destination = r.decided_location_id or r.location_id
        lane_id = r.decided_lane_id if r.decided_lane_id is not None else r.lane_id
        origin = r.origin_id
        origin_name = None
        if origin is not None:
            origin_name = str((suppliers.get(origin) or locations.get(origin) or {}).get("name") or origin)
        item = items.get(r.item_id, {})
        transit = lanes.get(lane_id or "", {}).get("transit_days")
        out.append(
            ExportLine(
                recommendation_id=r.id,
                plan_id=r.plan_id,
                kind=ActionKind(r.kind),
                item_id=r.item_id,
                item_name=str(item.get("name") or r.item_id),
                origin_id=origin,
                origin_name=origin_name,
                destination_id=destination,
                destination_name=str(locations.get(destination, {}).get("name") or destination),
                qty=float(r.decided_qty if r.decided_qty is not None else r.qty),
                proposed_qty=float(r.qty),
                mode=r.decided_mode or r.mode,
                lane_id=lane_id,
                shipment_id=r.shipment_id,
                transit_days=None if transit is None or pd.isna(transit) else float(transit),
                unit_cost=None if item.get("unit_cost") is None else float(item["unit_cost"]),
                cost_currency=None if item.get("cost_currency") is None else str(item["cost_currency"]),
                decision=S.MODIFIED.value if r.id in reasons else S.APPROVED.value,
                decided_by=r.decided_by or "",
                decided_at=as_utc(r.decided_at) if r.decided_at else as_utc(r.updated_at),
                reason_category=reasons.get(r.id),
                capital_base=r.capital_base,
                base_currency=currency,
            )
        )
    return out


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export_actions(
    ws: Workspace,
    fmt: ExportFormat,
    *,
    out_dir: Path,
    user: str,
    now: datetime,
    rec_ids: Sequence[str] | None = None,
) -> ExportOutcome:
    """Export accepted actions as ``fmt`` into ``out_dir``.

    Parameters
    ----------
    rec_ids:
        Export exactly these recommendations (approved, modified, or already exported in this very file);
        default: every approved or modified one the format can carry.

    Raises
    ------
    HedgerowError
        When there is nothing to export, or given ids cannot be exported in this format.
    NotFound, PermissionDenied
        Unknown ids; a user who may not export.
    """
    kinds = [k.value for k in FORMAT_KINDS[fmt]]
    with ws.session() as session:
        query = select(RecommendationRow).where(RecommendationRow.kind.in_(kinds))
        if rec_ids is None:
            query = query.where(RecommendationRow.status.in_([s.value for s in EXPORTABLE]))
        else:
            query = query.where(RecommendationRow.id.in_(list(rec_ids)))
        rows = sorted(session.execute(query).scalars().all(), key=lambda r: r.id)
        if rec_ids is not None:
            missing = sorted(set(rec_ids) - {r.id for r in rows})
            if missing:
                raise NotFound(
                    f"not exportable as {fmt.value} (unknown, or a kind it cannot carry): {', '.join(missing)}"
                )
        reasons = {
            d.recommendation_id: d.reason_category
            for d in session.execute(
                select(DecisionRow)
                .where(
                    DecisionRow.recommendation_id.in_([r.id for r in rows]),
                    DecisionRow.kind == DecisionKind.MODIFY.value,
                )
                .order_by(DecisionRow.id)
            ).scalars()
        }
    if not rows:
        raise HedgerowError(
            f"nothing to export as {fmt.value}: no approved or modified {' / '.join(sorted(kinds))} actions"
        )
    bad = [r.id for r in rows if S(r.status) not in (*EXPORTABLE, S.EXPORTED)]
    if bad:
        raise HedgerowError(f"only approved or modified recommendations can be exported; not: {', '.join(bad)}")
    data = render(fmt, _lines(ws, rows, reasons))
    sha = hashlib.sha256(data).hexdigest()
    export_id = "EX-" + hashlib.sha256(f"{fmt.value}:{sha}".encode()).hexdigest()[:16]
    path = out_dir / f"hedgerow-{fmt.value}-{sha[:12]}.{fmt.extension}"
    ids = tuple(r.id for r in rows)
    written = False
    try:
        with ledger_write(ws, actor=user, at=now) as session:
            actor = acting_user(session, user, Permission.EXPORT, "export actions")
            existing = session.execute(
                select(ExportRow).where(ExportRow.format == fmt.value, ExportRow.content_sha256 == sha)
            ).scalar_one_or_none()
            if existing is not None:
                target = out_dir / existing.file_name
                if not target.exists() or hashlib.sha256(target.read_bytes()).hexdigest() != sha:
                    _write_atomic(target, data)
                return ExportOutcome(
                    existing.id,
                    fmt,
                    target,
                    sha,
                    existing.rows,
                    tuple(json.loads(existing.recommendation_ids_json)),
                    False,
                )
            already = [r.id for r in rows if r.status == S.EXPORTED.value]
            if already:
                raise HedgerowError(
                    f"{', '.join(already)} already went out in another export; re-export only the same set as before"
                )
            _write_atomic(path, data)
            written = True
            export_row = ExportRow(
                id=export_id,
                format=fmt.value,
                content_sha256=sha,
                file_name=path.name,
                rows=len(rows),
                recommendation_ids_json=json.dumps(list(ids)),
                at=now,
                by=actor.name,
            )
            session.add(export_row)
            session.flush()
            for stale in rows:
                row = session.get(RecommendationRow, stale.id, populate_existing=True)
                assert row is not None
                apply_transition(
                    session,
                    row,
                    DecisionKind.EXPORT,
                    read_version=stale.version,
                    actor=actor,
                    now=now,
                    columns={"export_id": export_id},
                )
            append_event(
                session,
                kind=EventKind.EXPORT,
                subject=export_id,
                payload={
                    "export": export_id,
                    "format": fmt.value,
                    "file": path.name,
                    "content_sha256": sha,
                    "recommendations": list(ids),
                },
                actor=actor.name,
                at=now,
                rows=[export_row],
            )
    except BaseException:
        if written:
            path.unlink(missing_ok=True)
        raise
    return ExportOutcome(export_id, fmt, path, sha, len(rows), ids, True)


def list_exports(ws: Workspace) -> list[ExportRow]:
    """Every export, newest first."""
    with ws.session() as session:
        return list(session.execute(select(ExportRow).order_by(ExportRow.at.desc(), ExportRow.id)).scalars().all())


def get_export(ws: Workspace, export_id: str) -> ExportRow:
    """One export record.

    Raises
    ------
    NotFound
        When the ledger has no export with that id.
    """
    with ws.session() as session:
        row = session.get(ExportRow, export_id)
    if row is None:
        raise NotFound(f"no export {export_id!r}; list them with `hedgerow exports`")
    return row
