"""The ledger migrations go up and down cleanly on SQLite and PostgreSQL, and match the models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from hedgerow.decide.auditchain import GENESIS_HASH, ROWS_KEY, EventKind, Tamper, canonical_json, event_hash
from hedgerow.services.audit import verify_audit
from hedgerow.store import ledger
from hedgerow.store.models import Base

from .conftest import make_workspace

DECIDE_TABLES = {
    "users",
    "api_keys",
    "audit_events",
    "audit_head",
    "plans",
    "recommendations",
    "decisions",
    "holds",
    "reconciliations",
    "reconciliation_lines",
    "location_trust",
    "exports",
    "fx_cover_recommendations",
}


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def _round_trip(engine: Engine) -> None:
    ledger.upgrade(engine)
    assert DECIDE_TABLES | {"imports", "jobs", "web_sessions", "sign_in_failures"} == _tables(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []
    for revision, gone in (
        ("0006_sessions", set()),
        ("0005_jobs", {"web_sessions", "sign_in_failures"}),
        ("0004", {"jobs"}),
        ("0003", {"holds", "exports"}),
        ("0002", {"plans", "recommendations"}),
        ("0001", {"users"}),
    ):
        ledger.downgrade(engine, revision)
        assert not gone & _tables(engine)
    assert _tables(engine) == {"imports"}
    ledger.downgrade(engine, "base")
    assert _tables(engine) == set()
    ledger.upgrade(engine)
    assert ledger.current_revision(engine) == ledger.head_revision()


def test_sqlite_up_down(tmp_path: Path) -> None:
    engine = ledger.create_ledger_engine(f"sqlite:///{tmp_path / 'l.sqlite'}")
    try:
        _round_trip(engine)
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgres_up_down(pg_url: str) -> None:
    engine = ledger.create_ledger_engine(pg_url)
    try:
        _round_trip(engine)
    finally:
        engine.dispose()


def _as_written_before_0007(engine: Engine) -> None:
    """Rewrite the chain as hedgerow wrote it before revision 0007: no row states in the events."""
    prev = GENESIS_HASH
    with engine.begin() as conn:
        events = conn.execute(text("SELECT seq, at, actor, kind, subject, payload FROM audit_events ORDER BY seq"))
        for e in list(events):
            payload = json.loads(e.payload)
            payload.pop(ROWS_KEY, None)
            body = canonical_json(payload)
            prev_hash, prev = prev, event_hash(prev, e.seq, e.at, e.actor, e.kind, e.subject, body)
            conn.execute(
                text("UPDATE audit_events SET payload = :p, prev_hash = :prev, hash = :h WHERE seq = :s"),
                {"p": body, "prev": prev_hash, "h": prev, "s": e.seq},
            )
        conn.execute(text("UPDATE audit_head SET hash = :h"), {"h": prev})


def _binds_rows_written_before(root: Path, url: str | None) -> None:
    with make_workspace(root, ledger_url=url) as ws:
        _as_written_before_0007(ws.engine)
        ledger.downgrade(ws.engine, "0006_sessions")
        before = verify_audit(ws)
        assert before.problems == ()
        assert {(p.kind, p.table) for p in before.row_problems} == {(Tamper.INSERTED, "users")}
        ledger.upgrade(ws.engine)
        after = verify_audit(ws)
        assert after.ok, after.to_dict()
        assert after.rows_checked == len(before.row_problems)
        with ws.engine.begin() as conn:
            assert conn.execute(text("SELECT kind FROM audit_events ORDER BY seq DESC LIMIT 1")).scalar_one() == (
                EventKind.BASELINE.value
            )
            conn.execute(text("UPDATE users SET role = 'admin' WHERE name = 'vic'"))
        assert [(p.kind, p.table) for p in verify_audit(ws).row_problems] == [(Tamper.EDITED, "users")]


def test_upgrade_binds_rows_written_before_sqlite(tmp_path: Path) -> None:
    _binds_rows_written_before(tmp_path / "ws", None)


@pytest.mark.postgres
def test_upgrade_binds_rows_written_before_postgres(tmp_path: Path, pg_url: str) -> None:
    _binds_rows_written_before(tmp_path / "ws", pg_url)
