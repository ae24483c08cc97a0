"""Ledger migrations go up and down on SQLite and PostgreSQL, and the migrated schema matches the models."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from hedgerow.errors import LedgerError
from hedgerow.store import ledger
from hedgerow.store.models import Base


def _engine(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Engine:
    if backend == "sqlite":
        return ledger.create_ledger_engine(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    url = request.getfixturevalue("pg_url")
    return ledger.create_ledger_engine(url)


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrade_downgrade_upgrade(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    engine = _engine(backend, tmp_path, request)
    try:
        assert ledger.current_revision(engine) is None
        ledger.upgrade(engine)
        assert ledger.current_revision(engine) == ledger.head_revision()
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        ledger.downgrade(engine)
        assert ledger.current_revision(engine) is None
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        ledger.upgrade(engine)
        ledger.ensure_current(engine)
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_migrated_schema_matches_the_models(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    engine = _engine(backend, tmp_path, request)
    try:
        ledger.upgrade(engine)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
        assert diff == []
    finally:
        engine.dispose()


def test_every_revision_steps_down_and_up(tmp_path: Path) -> None:
    engine = ledger.create_ledger_engine(f"sqlite:///{tmp_path / 'l.sqlite'}")
    try:
        from alembic.script import ScriptDirectory

        script = ScriptDirectory.from_config(ledger._alembic_config())
        revisions = [r.revision for r in script.walk_revisions("base", "heads")][::-1]
        for rev in revisions:
            ledger.upgrade(engine, rev)
            assert ledger.current_revision(engine) == rev
        for _ in revisions:
            ledger.downgrade(engine, "-1")
        assert ledger.current_revision(engine) is None
    finally:
        engine.dispose()


def test_ensure_current_refuses_an_empty_or_old_ledger(tmp_path: Path) -> None:
    engine = ledger.create_ledger_engine(f"sqlite:///{tmp_path / 'l.sqlite'}")
    try:
        with pytest.raises(LedgerError, match="ledger database is empty; run `hedgerow migrate`"):
            ledger.ensure_current(engine)
    finally:
        engine.dispose()


def test_unreachable_postgres_is_a_clear_error() -> None:
    engine = ledger.create_ledger_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    try:
        with pytest.raises(LedgerError, match="cannot reach the ledger database"):
            ledger.current_revision(engine)
    finally:
        engine.dispose()


def test_relative_sqlite_path_resolves_against_the_workspace(tmp_path: Path) -> None:
    assert ledger.resolve_url("sqlite:///ledger.sqlite", tmp_path) == f"sqlite:///{tmp_path}/ledger.sqlite"
    assert ledger.resolve_url("postgresql+psycopg://u@h/db", tmp_path) == "postgresql+psycopg://u@h/db"
    with pytest.raises(LedgerError, match="not a database URL"):
        ledger.resolve_url("not a url", tmp_path)


def test_known_head_read_without_alembic_is_alembics_head() -> None:
    assert ledger.known_head() == ledger.head_revision()
