"""The audit log in the ledger: what gets recorded, tamper detection by SQL on SQLite and PostgreSQL, trace."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from hedgerow.config import render_settings_toml
from hedgerow.decide.auditchain import Tamper, canonical_json, event_hash
from hedgerow.decide.lifecycle import DecisionKind
from hedgerow.decide.records import DecisionRequest
from hedgerow.services.audit import verify_audit
from hedgerow.services.recommendations import decide, record_plan
from hedgerow.services.trace import trace_recommendation
from hedgerow.services.workspace import Workspace, open_workspace
from hedgerow.store.decide_models import AuditEvent

from .conftest import NETWORK, PlanFactory, make_workspace, rec


def _history(ws: Workspace, make_plan: PlanFactory, now: datetime) -> None:
    from hedgerow.services.importing import import_sources, sources_from_folder

    sources, _ = sources_from_folder(NETWORK)
    import_sources(ws, sources, user="pat", now=now)
    record_plan(ws, make_plan("P1", rec("R1"), rec("R2", item="I2")), user="pat", now=now)
    decide(ws, "R1", DecisionRequest(DecisionKind.APPROVE), user="pat", now=now)


def _kinds(ws: Workspace) -> list[tuple[int, str, str]]:
    with ws.session() as s:
        return [(e.seq, e.kind, e.subject) for e in s.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars()]


def test_imports_users_plans_decisions_and_config_are_recorded(
    ws: Workspace, make_plan: PlanFactory, now: datetime
) -> None:
    _history(ws, make_plan, now)
    kinds = _kinds(ws)
    subjects = {(k, s) for _, k, s in kinds}
    assert {("user", u) for u in ("ada", "pat", "alex", "vic")} <= subjects
    assert {("import", t) for t in ("items", "locations", "lanes", "demand", "inventory", "holds")} <= subjects
    assert {("hold", "HX1"), ("plan", "P1"), ("decision", "R1")} <= subjects
    assert [k for _, k, _ in kinds].count("config") == 1
    # a changed hedgerow.toml is recorded with the next write
    toml = ws.root / "hedgerow.toml"
    toml.write_text(render_settings_toml().replace("horizon_periods = 26", "horizon_periods = 30"), encoding="utf-8")
    with open_workspace(ws.root) as ws2:
        decide(ws2, "R2", DecisionRequest(DecisionKind.APPROVE), user="pat", now=now)
        with ws2.session() as s:
            last_config = (
                s.execute(select(AuditEvent).where(AuditEvent.kind == "config").order_by(AuditEvent.seq.desc()))
                .scalars()
                .first()
            )
        assert last_config is not None
        assert json.loads(last_config.payload)["settings"]["workspace.horizon_periods"] == 30
        assert [k for _, k, _ in _kinds(ws2)].count("config") == 2
        assert verify_audit(ws2).ok


def _tamper(ws: Workspace, how: str, seq: int) -> None:
    with ws.engine.begin() as conn:
        if how == "edit":
            conn.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = :s"), {"s": seq})
        elif how == "delete":
            conn.execute(text("DELETE FROM audit_events WHERE seq = :s"), {"s": seq})
        elif how == "insert":
            last = conn.execute(text("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")).one()
            at, payload = "2026-11-23T10:00:00.000000Z", canonical_json({"decision": "approve"})
            h = event_hash(last.hash, last.seq + 1, at, "mallory", "decision", "R2", payload)
            conn.execute(
                text(
                    "INSERT INTO audit_events (seq, at, actor, kind, subject, payload, prev_hash, hash) "
                    "VALUES (:seq, :at, 'mallory', 'decision', 'R2', :p, :prev, :h)"
                ),
                {"seq": last.seq + 1, "at": at, "p": payload, "prev": last.hash, "h": h},
            )
        elif how == "reorder":
            conn.execute(text("UPDATE audit_events SET seq = -1 WHERE seq = :s"), {"s": seq})
            conn.execute(text("UPDATE audit_events SET seq = :s WHERE seq = :n"), {"s": seq, "n": seq + 1})
            conn.execute(text("UPDATE audit_events SET seq = :n WHERE seq = -1"), {"n": seq + 1})


EXPECTED = {"edit": Tamper.EDITED, "delete": Tamper.DELETED, "insert": Tamper.INSERTED, "reorder": Tamper.REORDERED}


def _check_tamper(ws: Workspace, how: str) -> None:
    report = verify_audit(ws)
    assert report.ok
    n = report.events
    seq = n + 1 if how == "insert" else 5
    _tamper(ws, how, seq)
    report = verify_audit(ws)
    assert report.first is not None, how
    assert (report.first.kind, report.first.seq) == (EXPECTED[how], seq)


@pytest.mark.parametrize("how", list(EXPECTED))
def test_tamper_sqlite(ws: Workspace, make_plan: PlanFactory, now: datetime, how: str) -> None:
    _history(ws, make_plan, now)
    _check_tamper(ws, how)


@pytest.mark.postgres
@pytest.mark.parametrize("how", list(EXPECTED))
def test_tamper_postgres(pg_url: str, tmp_path: Path, make_plan: PlanFactory, now: datetime, how: str) -> None:
    with make_workspace(tmp_path / "ws", ledger_url=pg_url) as ws:
        assert ws.engine.dialect.name == "postgresql"
        _history(ws, make_plan, now)
        _check_tamper(ws, how)


def test_trace_follows_the_whole_path(ws: Workspace, make_plan: PlanFactory, now: datetime) -> None:
    from hedgerow.services.importing import import_sources, sources_from_folder

    sources, _ = sources_from_folder(NETWORK)
    outcome = import_sources(ws, sources, user="pat", now=now)
    shas = {t.table.value: t.snapshot_sha256 for t in outcome.tables}
    plan = replace(make_plan("P1", rec("R1")), snapshots={"demand": shas["demand"], "inventory": shas["inventory"]})
    record_plan(ws, plan, user="pat", now=now)
    decide(ws, "R1", DecisionRequest(DecisionKind.APPROVE), user="alex", now=now + timedelta(hours=1))
    trace = trace_recommendation(ws, "R1")
    assert [d["table"] for d in trace["data"]] == ["demand", "inventory"]
    assert trace["data"][0]["import"]["source"] == "demand.csv"
    assert trace["scenarios"] == {"seed": 20261125, "scenario_count": 500, "horizon_periods": 26}
    assert trace["plan"]["plan_id"] == "P1"
    assert trace["explanation"]["headline"] == "order 100 of I1 for LA"
    assert [(d["kind"], d["user"], d["role"]) for d in trace["decisions"]] == [("approve", "alex", "approver")]
    kinds = [(e["kind"], e["subject"]) for e in trace["events"]]
    assert kinds == [("import", "inventory"), ("import", "demand"), ("plan", "P1"), ("decision", "R1")]
    assert trace["export"] is None
