"""Tamper trials over every ledger table: `audit verify` names each row edited, inserted or deleted by direct SQL.

A realistic ledger (users and an API key, an import with holds, a reconciliation, two plans with auto-approval,
supersession, approvals, a modification, a rejection, a hold, an export and a revoked key) verifies intact. Then
each trial changes one table behind hedgerow's back, as someone with the database file or a SQL prompt could, and
`verify` must fail naming the table, the row and how (docs/reliability.md). Raising the head's sequence number
is caught too. A last test keeps every table of the schema in the bound or the operational list, so no ledger
table is added without being checked.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, and_, select, text, update
from typer.testing import CliRunner

from hedgerow.cli import app
from hedgerow.cli.audit_cmds import EXIT_TAMPERED
from hedgerow.decide.auditchain import Tamper
from hedgerow.decide.export_formats import ExportFormat
from hedgerow.decide.lifecycle import DecisionKind, ReasonCategory
from hedgerow.decide.records import DecisionRequest
from hedgerow.domain.actions import ActionKind, Role
from hedgerow.services.audit import verify_audit
from hedgerow.services.exporting import export_actions
from hedgerow.services.fx_cover import compute_fx_cover
from hedgerow.services.fx_cover_ledger import record_fx_cover
from hedgerow.services.holds import create_hold, release_hold
from hedgerow.services.importing import import_sources, sources_from_folder
from hedgerow.services.recommendations import decide, record_plan
from hedgerow.services.reconciliation import reconcile_inventory
from hedgerow.services.users import create_api_key, disable_user, revoke_api_key, set_role
from hedgerow.services.workspace import Workspace, open_workspace
from hedgerow.store.models import BOUND_TABLES, OPERATIONAL_TABLES, Base, unlisted_tables
from tests.decide.conftest import NETWORK, NOW, auto_settings, make_workspace, plan_record, rec
from tests.services.test_fx_cover_service import write_fx_history

runner = CliRunner()

#: Non-key columns of the bound tables, one edit each in :func:`test_every_column_of_every_bound_table`.
COLUMN_TRIALS = 161


def build_history(ws: Workspace) -> None:
    """Every kind of write hedgerow makes, on every bound table."""
    t = NOW
    import_sources(ws, sources_from_folder(NETWORK)[0], user="pat", now=t)
    reconcile_inventory(ws, user="pat", now=t)
    create_api_key(ws, "pat", label="erp", actor="pat", now=t)
    key_id, _ = create_api_key(ws, "alex", label="old", actor="alex", now=t)
    revoke_api_key(ws, key_id, actor="ada", now=t)
    set_role(ws, "vic", Role.APPROVER, actor="ada", now=t)
    set_role(ws, "vic", Role.VIEWER, actor="ada", now=t)
    disable_user(ws, "vic", actor="ada", now=t)
    record_plan(
        ws,
        plan_record(
            "P1",
            rec("R1", capital=30.0),  # auto-approved
            rec("R2", item="I2", qty=40, capital=440.0),
            rec("R3", item="I2", location="TK", qty=15, lane="L-SUP1-TK-OCEAN", capital=160.0),
            rec("R4", item="I1", location="TK", qty=12, kind=ActionKind.KEEP_BUFFER, capital=0.0),
        ),
        user="pat",
        now=t,
    )
    t += timedelta(hours=1)
    decide(ws, "R2", DecisionRequest(DecisionKind.MODIFY, ReasonCategory.BUDGET, "half", qty=20), user="pat", now=t)
    decide(ws, "R3", DecisionRequest(DecisionKind.REJECT, ReasonCategory.BUDGET, "no cash"), user="pat", now=t)
    record_plan(ws, plan_record("P2", rec("R5", item="I1", location="TK", qty=10, capital=500.0)), user="pat", now=t)
    decide(ws, "R5", DecisionRequest(DecisionKind.APPROVE), user="alex", now=t)
    create_hold(
        ws,
        item_id="I1",
        location_id="LA",
        qty=5,
        owner="pat",
        reason="promo",
        expires_on=date(2027, 1, 31),
        user="pat",
        now=t,
        hold_id="H-PROMO",
    )
    create_hold(
        ws,
        item_id="I2",
        location_id="LA",
        qty=3,
        owner="pat",
        reason="test",
        expires_on=date(2027, 1, 31),
        user="pat",
        now=t,
        hold_id="H-GONE",
    )
    release_hold(ws, "H-GONE", user="pat", now=t)
    out = ws.root / "exports"
    out.mkdir()
    export_actions(ws, ExportFormat.CSV, out_dir=out, user="pat", now=t)
    t += timedelta(hours=1)
    fx = ws.root / "fx-history"  # enough JPY history to draw FX scenarios, then an FX cover recommendation
    fx.mkdir()
    write_fx_history(fx / "fx_rates.csv")
    import_sources(ws, sources_from_folder(fx)[0], user="pat", now=t)
    record_plan(ws, plan_record("P3", rec("R6", item="I2", qty=100, capital=1000.0)), user="pat", now=t)
    record_fx_cover(ws, compute_fx_cover(ws, now=t), user="pat", now=t)


@pytest.fixture(scope="module")
def history_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite workspace holding :func:`build_history`, verified intact, built once for the module."""
    root = tmp_path_factory.mktemp("tamper") / "ws"
    with make_workspace(root, settings=auto_settings(100.0)) as ws:
        build_history(ws)
        report = verify_audit(ws)
        assert report.ok, report.to_dict()
    return root


@pytest.fixture
def history(history_template: Path, tmp_path: Path) -> Iterator[Workspace]:
    """A fresh copy of :func:`history_template` for one trial."""
    root = tmp_path / "ws"
    shutil.copytree(history_template, root)
    with open_workspace(root) as ws:
        yield ws


def _one(conn: Connection, sql: str) -> str:
    return str(conn.execute(text(sql)).scalar_one())


@dataclass(frozen=True)
class Trial:
    """One change made behind hedgerow's back: which table, how, the SQL, and the key of the row it hits."""

    table: str
    kind: Tamper
    key: Callable[[Connection], str]
    sql: tuple[str, ...]


def _key(sql: str) -> Callable[[Connection], str]:
    return lambda conn: _one(conn, sql)


PAT = "SELECT id FROM users WHERE name = 'pat'"
DEMAND_IMPORT = "SELECT max(id) FROM imports WHERE table_name = 'demand'"
LAST_DECISION = "SELECT max(id) FROM decisions"
LA_TRUST = "SELECT id FROM location_trust WHERE location_id = 'LA'"
FIRST_LINE = "SELECT min(id) FROM reconciliation_lines"
ONLY_RECON = "SELECT min(id) FROM reconciliations"
PAT_KEY = f"SELECT id FROM api_keys WHERE user_id = ({PAT})"
ALEX_KEY = "SELECT id FROM api_keys WHERE label = 'old'"
FX_COVER = "SELECT min(id) FROM fx_cover_recommendations"

TRIALS: dict[str, Trial] = {
    "users role planner to admin": Trial(
        "users", Tamper.EDITED, _key(PAT), ("UPDATE users SET role = 'admin' WHERE name = 'pat'",)
    ),
    "disabled user enabled": Trial(
        "users",
        Tamper.EDITED,
        _key("SELECT id FROM users WHERE name = 'vic'"),
        ("UPDATE users SET disabled = false WHERE name = 'vic'",),
    ),
    "users row inserted": Trial(
        "users",
        Tamper.INSERTED,
        _key("SELECT id FROM users WHERE name = 'mallory'"),
        (
            "INSERT INTO users (name, role, disabled, created_at, created_by) "
            "VALUES ('mallory', 'admin', false, '2026-11-23 09:00:00', 'ada')",
        ),
    ),
    "api key moved to another user": Trial(
        "api_keys",
        Tamper.EDITED,
        _key(PAT_KEY),
        ("UPDATE api_keys SET user_id = (SELECT id FROM users WHERE name = 'ada') WHERE label = 'erp'",),
    ),
    "api key revocation undone": Trial(
        "api_keys", Tamper.EDITED, _key(ALEX_KEY), ("UPDATE api_keys SET revoked_at = NULL WHERE label = 'old'",)
    ),
    "api key deleted": Trial(
        "api_keys", Tamper.DELETED, _key(PAT_KEY), (f"DELETE FROM api_keys WHERE id = ({PAT_KEY})",)
    ),
    "rejected recommendation approved": Trial(
        "recommendations",
        Tamper.EDITED,
        lambda _conn: "R3",
        ("UPDATE recommendations SET status = 'approved', decided_qty = qty WHERE id = 'R3'",),
    ),
    "approved quantity times 100": Trial(
        "recommendations",
        Tamper.EDITED,
        lambda _conn: "R5",
        ("UPDATE recommendations SET decided_qty = decided_qty * 100 WHERE id = 'R5'",),
    ),
    "plan seed changed": Trial(
        "plans", Tamper.EDITED, lambda _conn: "P1", ("UPDATE plans SET seed = 1 WHERE id = 'P1'",)
    ),
    "plan status reopened": Trial(
        "plans", Tamper.EDITED, lambda _conn: "P1", ("UPDATE plans SET status = 'active' WHERE id = 'P1'",)
    ),
    "decision deleted": Trial(
        "decisions", Tamper.DELETED, _key(LAST_DECISION), (f"DELETE FROM decisions WHERE id = ({LAST_DECISION})",)
    ),
    "decision reason rewritten": Trial(
        "decisions",
        Tamper.EDITED,
        _key("SELECT id FROM decisions WHERE recommendation_id = 'R3'"),
        ("UPDATE decisions SET reason_text = 'the approver said so' WHERE recommendation_id = 'R3'",),
    ),
    "import rows and trust changed": Trial(
        "imports",
        Tamper.EDITED,
        _key(DEMAND_IMPORT),
        (f"UPDATE imports SET rows = rows + 7, trust_score = 100 WHERE id = ({DEMAND_IMPORT})",),
    ),
    "import deleted": Trial(
        "imports", Tamper.DELETED, _key(DEMAND_IMPORT), (f"DELETE FROM imports WHERE id = ({DEMAND_IMPORT})",)
    ),
    "location trust raised": Trial(
        "location_trust", Tamper.EDITED, _key(LA_TRUST), ("UPDATE location_trust SET trust_score = 100",)
    ),
    "reconciliation line count changed": Trial(
        "reconciliation_lines",
        Tamper.EDITED,
        _key(FIRST_LINE),
        (f"UPDATE reconciliation_lines SET counted = expected WHERE id = ({FIRST_LINE})",),
    ),
    "reconciliation total changed": Trial(
        "reconciliations", Tamper.EDITED, _key(ONLY_RECON), ("UPDATE reconciliations SET abs_diff_value_base = 0",)
    ),
    "hold quantity times 10": Trial(
        "holds", Tamper.EDITED, lambda _conn: "H-PROMO", ("UPDATE holds SET qty = qty * 10 WHERE id = 'H-PROMO'",)
    ),
    "released hold reactivated": Trial(
        "holds", Tamper.EDITED, lambda _conn: "H-GONE", ("UPDATE holds SET status = 'active' WHERE id = 'H-GONE'",)
    ),
    "hold deleted": Trial(
        "holds", Tamper.DELETED, lambda _conn: "H-PROMO", ("DELETE FROM holds WHERE id = 'H-PROMO'",)
    ),
    "fx cover ratio raised": Trial(
        "fx_cover_recommendations",
        Tamper.EDITED,
        _key(FX_COVER),
        (f"UPDATE fx_cover_recommendations SET cover_ratio = cover_ratio + 0.25 WHERE id = ({FX_COVER})",),
    ),
    "export file hash changed": Trial(
        "exports",
        Tamper.EDITED,
        _key("SELECT id FROM exports"),
        (f"UPDATE exports SET content_sha256 = '{'0' * 64}'",),
    ),
}


def _run_trial(ws: Workspace, trial: Trial) -> None:
    with ws.engine.begin() as conn:
        key = None if trial.kind is Tamper.INSERTED else trial.key(conn)
        for sql in trial.sql:
            conn.execute(text(sql))
        if key is None:
            key = trial.key(conn)
    report = verify_audit(ws)
    assert not report.ok, f"{trial.table}: verify still says intact"
    named = {(p.kind, p.table, p.key) for p in report.row_problems}
    assert (trial.kind, trial.table, key) in named, report.to_dict()


def test_every_bound_table_has_a_trial() -> None:
    assert {t.table for t in TRIALS.values()} == set(BOUND_TABLES)


@pytest.mark.parametrize("name", list(TRIALS))
def test_tamper_is_named_sqlite(history: Workspace, name: str) -> None:
    _run_trial(history, TRIALS[name])


def _other(column: Column[Any], value: Any) -> Any:
    """A different value of the column's type."""
    kind = column.type.python_type
    if value is None:
        return {str: "x", int: 1, float: 1.0, bool: True, datetime: NOW, date: NOW.date()}[kind]
    if kind is bool:
        return not value
    if kind in (datetime, date):
        return value + timedelta(days=1)
    if kind is str:
        return value + "x"
    return value + 1


def test_every_column_of_every_bound_table(history: Workspace) -> None:
    """Edit each column of one row of each bound table in turn: each edit is named with its column."""
    trials = detected = 0
    for name in BOUND_TABLES:
        table = Base.metadata.tables[name]
        with history.engine.connect() as conn:
            row = conn.execute(select(table).order_by(*table.primary_key.columns).limit(1)).mappings().one()
        where = and_(*(c == row[c.name] for c in table.primary_key.columns))
        key = "/".join(str(row[c.name]) for c in table.primary_key.columns)
        for column in table.columns:
            if column.primary_key:
                continue
            with history.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
                conn.execute(update(table).where(where).values({column.name: _other(column, row[column.name])}))
                conn.commit()
            problems = verify_audit(history).row_problems
            trials += 1
            detected += any(
                (p.kind, p.table, p.key) == (Tamper.EDITED, name, key) and column.name in p.detail for p in problems
            )
            with history.engine.begin() as conn:
                conn.execute(update(table).where(where).values({column.name: row[column.name]}))
    assert verify_audit(history).ok
    assert (detected, trials) == (trials, COLUMN_TRIALS)


def test_raising_the_head_seq_is_detected(history: Workspace) -> None:
    with history.engine.begin() as conn:
        conn.execute(text("UPDATE audit_head SET seq = seq + 5"))
    report = verify_audit(history)
    assert not report.ok
    assert report.first is not None
    assert (report.first.kind, report.first.seq) == (Tamper.EDITED, report.head_seq)


def test_cli_names_the_row(history: Workspace) -> None:
    with history.engine.begin() as conn:
        conn.execute(text("UPDATE users SET role = 'admin' WHERE name = 'pat'"))
        pat = _one(conn, PAT)
    result = runner.invoke(app, ["--workspace", str(history.root), "audit", "verify"])
    assert result.exit_code == EXIT_TAMPERED, result.output
    assert f"users row {pat}" in result.output
    assert "role" in result.output


@pytest.mark.postgres
@pytest.mark.parametrize("name", ["users role planner to admin", "decision deleted", "users row inserted"])
def test_tamper_is_named_postgres(pg_url: str, tmp_path: Path, name: str) -> None:
    with make_workspace(tmp_path / "ws", settings=auto_settings(100.0), ledger_url=pg_url) as ws:
        assert ws.engine.dialect.name == "postgresql"
        build_history(ws)
        assert verify_audit(ws).ok, verify_audit(ws).to_dict()
        _run_trial(ws, TRIALS[name])


@pytest.mark.postgres
def test_raising_the_head_seq_is_detected_postgres(pg_url: str, tmp_path: Path) -> None:
    with make_workspace(tmp_path / "ws", ledger_url=pg_url) as ws:
        build_history(ws)
        with ws.engine.begin() as conn:
            conn.execute(text("UPDATE audit_head SET seq = seq + 5"))
        assert not verify_audit(ws).ok


def test_every_table_is_bound_or_operational() -> None:
    assert unlisted_tables(Base.metadata) == []
    assert not set(BOUND_TABLES) & set(OPERATIONAL_TABLES)


def test_a_new_unlisted_table_fails() -> None:
    metadata = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(metadata)
    Table("forecast_overrides", metadata, Column("id", Integer, primary_key=True), Column("note", String(20)))
    assert unlisted_tables(metadata) == ["forecast_overrides"]
