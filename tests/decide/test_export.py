"""Exports for the ERP: golden files, idempotency, recorded once, statuses and audit."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from hedgerow.decide.export_formats import ExportFormat, generic_arrow_table
from hedgerow.decide.lifecycle import DecisionKind, ReasonCategory
from hedgerow.decide.records import DecisionRequest
from hedgerow.domain.actions import ActionKind
from hedgerow.domain.enums import Mode
from hedgerow.errors import HedgerowError, NotFound, PermissionDenied
from hedgerow.services.audit import verify_audit
from hedgerow.services.exporting import export_actions, list_exports
from hedgerow.services.recommendations import decide, get_recommendation, list_recommendations, record_plan
from hedgerow.services.trace import trace_recommendation
from hedgerow.services.workspace import Workspace

from .conftest import PlanFactory, rec

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("HEDGEROW_UPDATE_GOLDEN") == "1"


def _decided(ws: Workspace, make_plan: PlanFactory, now: datetime) -> None:
    plan = make_plan(
        "P1",
        rec("R1", qty=100, capital=1_100.0),
        rec("R2", item="I2", qty=40, capital=440.0),
        rec("R3", qty=20, kind=ActionKind.TRANSFER, origin="LA", location="TK", lane="L-LA-TK-OCEAN", capital=40.0),
        rec(
            "R4",
            item="I2",
            qty=10,
            kind=ActionKind.TRANSFER,
            origin="LA",
            location="TK",
            lane="L-LA-TK-OCEAN",
            capital=20.0,
        ),
        rec(
            "R5",
            qty=40,
            kind=ActionKind.EXPEDITE,
            origin=None,
            lane="L-SUP1-LA-AIR",
            mode=Mode.AIR,
            shipment="S4",
            capital=200.0,
        ),
        rec("R6", item="I2", location="TK", qty=15, lane="L-SUP1-TK-OCEAN", capital=160.0),
        rec("R7", item="I1", location="TK", qty=12, kind=ActionKind.KEEP_BUFFER, capital=0.0),
        rec("R8", item="I2", location="TK", qty=5, kind=ActionKind.TRANSFER, origin="LA", lane="L-LA-TK-OCEAN"),
    )
    record_plan(ws, plan, user="pat", now=now)
    t = now + timedelta(hours=2)
    decide(ws, "R1", DecisionRequest(DecisionKind.APPROVE), user="pat", now=t)
    air = DecisionRequest(DecisionKind.MODIFY, ReasonCategory.SUPPLIER_INFO, "port strike at LA", qty=60, mode=Mode.AIR)
    decide(ws, "R2", air, user="alex", now=t + timedelta(minutes=5))
    decide(ws, "R3", DecisionRequest(DecisionKind.APPROVE), user="pat", now=t)
    decide(ws, "R4", DecisionRequest(DecisionKind.APPROVE), user="pat", now=t)
    decide(ws, "R5", DecisionRequest(DecisionKind.APPROVE), user="alex", now=t)
    decide(ws, "R6", DecisionRequest(DecisionKind.REJECT, ReasonCategory.BUDGET, "no cash"), user="pat", now=t)
    decide(ws, "R7", DecisionRequest(DecisionKind.APPROVE), user="pat", now=t)
    # R8 stays proposed


def _golden(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_bytes(data)
    assert data == path.read_bytes(), f"{name} differs from the golden file (HEDGEROW_UPDATE_GOLDEN=1 rewrites it)"


@pytest.mark.parametrize(
    ("fmt", "golden", "ids"),
    [
        (ExportFormat.CSV, "export.csv", ["R1", "R2", "R3", "R4", "R5"]),
        (ExportFormat.JSON, "export.json", ["R1", "R2", "R3", "R4", "R5"]),
        (ExportFormat.ODOO_PURCHASE, "odoo_purchase.csv", ["R1", "R2"]),
        (ExportFormat.ODOO_TRANSFER, "odoo_transfer.csv", ["R3", "R4"]),
    ],
)
def test_golden_files(
    net_ws: Workspace,
    make_plan: PlanFactory,
    now: datetime,
    tmp_path: Path,
    fmt: ExportFormat,
    golden: str,
    ids: list[str],
) -> None:
    _decided(net_ws, make_plan, now)
    out = export_actions(net_ws, fmt, out_dir=tmp_path, user="pat", now=now + timedelta(days=1))
    assert out.created
    assert list(out.recommendation_ids) == ids
    _golden(golden, out.path.read_bytes())


def test_parquet_matches_the_csv_schema(
    net_ws: Workspace, make_plan: PlanFactory, now: datetime, tmp_path: Path
) -> None:
    _decided(net_ws, make_plan, now)
    out = export_actions(net_ws, ExportFormat.PARQUET, out_dir=tmp_path, user="pat", now=now)
    table = pq.read_table(out.path)
    csv_rows = (GOLDEN / "export.csv").read_text(encoding="utf-8").splitlines()
    assert table.column_names == csv_rows[0].split(",")
    assert table.num_rows == len(csv_rows) - 1
    assert table.column("qty").to_pylist() == [100.0, 60.0, 20.0, 10.0, 40.0]
    assert table.column("decision").to_pylist() == ["approved", "modified", "approved", "approved", "approved"]
    assert generic_arrow_table([]).num_rows == 0


def test_idempotent_and_recorded_once(net_ws: Workspace, make_plan: PlanFactory, now: datetime, tmp_path: Path) -> None:
    ws = net_ws
    _decided(ws, make_plan, now)
    first = export_actions(ws, ExportFormat.ODOO_PURCHASE, out_dir=tmp_path, user="pat", now=now)
    statuses = {v.id: (v.status, v.export_id) for v in list_recommendations(ws)}
    assert statuses["R1"] == ("exported", first.export_id)
    assert statuses["R3"][0] == "approved"  # transfers are not in a purchase-order file
    with pytest.raises(HedgerowError, match="nothing to export as odoo-purchase"):
        export_actions(ws, ExportFormat.ODOO_PURCHASE, out_dir=tmp_path, user="pat", now=now)
    first.path.unlink()
    again = export_actions(
        ws, ExportFormat.ODOO_PURCHASE, out_dir=tmp_path, user="pat", now=now + timedelta(days=3), rec_ids=["R1", "R2"]
    )
    assert (again.created, again.export_id, again.content_sha256) == (False, first.export_id, first.content_sha256)
    assert again.path.read_bytes() == (GOLDEN / "odoo_purchase.csv").read_bytes()  # rewritten, same bytes
    assert len(list_exports(ws)) == 1
    assert get_recommendation(ws, "R1").version == 3  # approve + export, nothing more
    with pytest.raises(HedgerowError, match="R1 already went out in another export"):
        export_actions(ws, ExportFormat.ODOO_PURCHASE, out_dir=tmp_path, user="pat", now=now, rec_ids=["R1"])
    with pytest.raises(NotFound, match="R3"):
        export_actions(ws, ExportFormat.ODOO_PURCHASE, out_dir=tmp_path, user="pat", now=now, rec_ids=["R3"])
    with pytest.raises(HedgerowError, match="not: R8"):
        export_actions(ws, ExportFormat.ODOO_TRANSFER, out_dir=tmp_path, user="pat", now=now, rec_ids=["R8"])
    with pytest.raises(PermissionDenied, match="may not export actions"):
        export_actions(ws, ExportFormat.CSV, out_dir=tmp_path, user="vic", now=now)
    trace = trace_recommendation(ws, "R1")
    assert trace["export"]["export_id"] == first.export_id
    assert [e["kind"] for e in trace["events"]][-2:] == ["decision", "export"]
    assert verify_audit(ws).ok
    decide(ws, "R1", DecisionRequest(DecisionKind.CLOSE), user="pat", now=now)
    assert get_recommendation(ws, "R1").status == "closed"


def test_failed_commit_leaves_no_file(
    net_ws: Workspace, make_plan: PlanFactory, now: datetime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hedgerow.services.exporting as exporting

    _decided(net_ws, make_plan, now)

    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(exporting, "append_event", boom)
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="disk full"):
        export_actions(net_ws, ExportFormat.CSV, out_dir=out, user="pat", now=now)
    assert list(out.iterdir()) == []
    assert get_recommendation(net_ws, "R1").status == "approved"
    assert json.loads(json.dumps([e.id for e in list_exports(net_ws)])) == []


def test_docs_list_every_generic_column() -> None:
    from hedgerow.decide.export_formats import GENERIC_COLUMNS

    doc = (Path(__file__).resolve().parents[2] / "docs" / "export.md").read_text(encoding="utf-8")
    for name, kind, meaning in GENERIC_COLUMNS:
        assert f"| `{name}` | {kind} | {meaning} |" in doc
