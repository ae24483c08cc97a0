"""The ledger migrations go up and down cleanly on SQLite and PostgreSQL, and match the models."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from hedgerow.store import ledger
from hedgerow.store.models import Base

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
