"""`hedgerow audit trace REC_ID`: a decision's whole path, from the data it stood on to the ERP export.

data snapshots (with their import lineage) → scenario seed → plan → recommendation → explanation → decisions →
export, plus every audit event about any of them (with its sequence number and hash, so each step can be
checked against the verified chain).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from hedgerow.services.recommendations import decisions_of, get_recommendation, plan_of
from hedgerow.services.workspace import Workspace
from hedgerow.store.decide_models import AuditEvent, ExportRow, RecommendationRow, as_utc
from hedgerow.store.models import ImportRecord


def trace_recommendation(ws: Workspace, rec_id: str) -> dict[str, Any]:
    """Everything the ledger knows about how recommendation ``rec_id`` came about and what became of it.

    Raises
    ------
    NotFound
        When the recommendation is not in the ledger.
    """
    view = get_recommendation(ws, rec_id)
    plan = plan_of(ws, view.plan_id)
    snapshots: dict[str, str] = json.loads(plan.snapshots_json)
    with ws.session() as session:
        row = session.get(RecommendationRow, rec_id)
        assert row is not None
        explanation = json.loads(row.explanation_json)
        imports = session.execute(
            select(ImportRecord)
            .where(ImportRecord.snapshot_sha256.in_(list(snapshots.values())))
            .order_by(ImportRecord.id)
        ).scalars()
        lineage: dict[tuple[str, str], ImportRecord] = {}
        for record in imports:
            lineage.setdefault((record.table_name, record.snapshot_sha256), record)
        export = session.get(ExportRow, view.export_id) if view.export_id else None
        subjects = [rec_id, plan.id] + ([export.id] if export else [])
        events = (
            session.execute(select(AuditEvent).where(AuditEvent.subject.in_(subjects)).order_by(AuditEvent.seq))
            .scalars()
            .all()
        )
        import_events = (
            session.execute(
                select(AuditEvent)
                .where(AuditEvent.kind == "import", AuditEvent.subject.in_(list(snapshots)))
                .order_by(AuditEvent.seq)
            )
            .scalars()
            .all()
        )
    shas = set(snapshots.values())
    used_import_events = [e for e in import_events if json.loads(e.payload).get("snapshot_sha256") in shas]
    data = []
    for table, sha in sorted(snapshots.items()):
        found = lineage.get((table, sha))
        data.append(
            {
                "table": table,
                "snapshot_sha256": sha,
                "import": None
                if found is None
                else {
                    "import_id": found.id,
                    "source": found.source_name,
                    "source_sha256": found.source_sha256,
                    "rows": found.rows,
                    "imported_by": found.imported_by,
                    "imported_at": as_utc(found.imported_at).isoformat(),
                    "trust_score": found.trust_score,
                },
            }
        )
    return {
        "recommendation_id": rec_id,
        "data": data,
        "scenarios": {
            "seed": plan.seed,
            "scenario_count": plan.scenario_count,
            "horizon_periods": plan.horizon_periods,
        },
        "plan": {
            "plan_id": plan.id,
            "created_at": as_utc(plan.created_at).isoformat(),
            "recorded_at": as_utc(plan.recorded_at).isoformat(),
            "recorded_by": plan.recorded_by,
            "settings_digest": plan.settings_digest,
            "base_currency": plan.base_currency,
            "status": plan.status,
        },
        "recommendation": view.to_dict(),
        "explanation": explanation,
        "decisions": [
            {
                "kind": d.kind,
                "from": d.from_status,
                "to": d.to_status,
                "user": d.user_name,
                "role": d.role,
                "auto": d.auto,
                "reason_category": d.reason_category,
                "reason": d.reason_text,
                "qty": d.qty,
                "mode": d.mode,
                "location_id": d.location_id,
                "lane_id": d.lane_id,
                "version": d.version,
                "at": as_utc(d.at).isoformat(),
            }
            for d in decisions_of(ws, rec_id)
        ],
        "export": None
        if export is None
        else {
            "export_id": export.id,
            "format": export.format,
            "file_name": export.file_name,
            "content_sha256": export.content_sha256,
            "at": as_utc(export.at).isoformat(),
            "by": export.by,
        },
        "events": [
            {"seq": e.seq, "at": e.at, "actor": e.actor, "kind": e.kind, "subject": e.subject, "hash": e.hash}
            for e in sorted([*used_import_events, *events], key=lambda e: e.seq)
        ],
    }
