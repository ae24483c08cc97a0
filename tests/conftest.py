"""Shared fixtures: a pinned clock, the hand-checkable fixture network, fresh workspaces, fresh PostgreSQL
databases and the real-data folder."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from hedgerow.services.workspace import Workspace, init_workspace

# Property tests run on a busy 2-core machine too: no wall-clock deadline per example (a test asserts values, not
# speed; benchmarks measure speed).
hypothesis_settings.register_profile("hedgerow", deadline=None)
hypothesis_settings.load_profile("hedgerow")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
NETWORK = FIXTURES / "network"

#: The fixture network's "today": every date in tests/fixtures/network is consistent with it.
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def now() -> datetime:
    """The pinned import time of the fixture network."""
    return NOW


@pytest.fixture
def network_dir() -> Path:
    """Folder of the small, hand-checkable fixture network (one CSV per contract table)."""
    return NETWORK


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    """A fresh, empty workspace on SQLite."""
    ws = init_workspace(tmp_path / "ws")
    try:
        yield ws
    finally:
        ws.close()


def shared_data_dir() -> Path:
    """The real public data sets: ``$HEDGEROW_SHARED_DATA``, else ``../shared/data`` next to the repo."""
    return Path(os.environ.get("HEDGEROW_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Folder of the real data sets; tests needing it fail (not skip) when it is missing."""
    path = shared_data_dir()
    if not path.is_dir():
        pytest.fail(f"real data folder {path} not found; set HEDGEROW_SHARED_DATA")
    return path


def _pg_server_url() -> str | None:
    url = os.environ.get("HEDGEROW_TEST_PG_URL")
    if url:
        return url
    if os.environ.get("HEDGEROW_REQUIRE_PG") == "1":
        pytest.fail("HEDGEROW_REQUIRE_PG=1 but HEDGEROW_TEST_PG_URL is not set: start scripts/pg-test-server")
    return None


@pytest.fixture
def pg_url() -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL database, dropped after the test.

    Uses the server named by ``$HEDGEROW_TEST_PG_URL`` (``make test`` and ``.ci/run`` start a private one);
    without it the test is skipped with that reason, or fails when ``HEDGEROW_REQUIRE_PG=1`` (CI).
    """
    server = _pg_server_url()
    if server is None:
        pytest.skip("no PostgreSQL server: set HEDGEROW_TEST_PG_URL (scripts/pg-test-server start)")
    name = f"hedgerow_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(autouse=True, scope="session")
def _every_plan_is_consistent() -> Iterator[None]:
    """Check every plan the test suite makes for consistency (issue 14): whole packs, nothing dominated, a reason
    wherever a cheaper option is listed, the queue in order of value (:mod:`hedgerow.explain.consistency`)."""
    from hedgerow.explain.consistency import plan_issues
    from hedgerow.pipeline import planning

    assemble = planning._assemble

    def checked(problem, scenarios, outcomes):  # type: ignore[no-untyped-def]
        plan = assemble(problem, scenarios, outcomes)
        issues = plan_issues(plan, {i.item_id: i.pack_size for i in problem.items})
        assert not issues, "inconsistent plan:\n" + "\n".join(issues[:20])
        return plan

    planning._assemble = checked  # type: ignore[assignment]
    try:
        yield
    finally:
        planning._assemble = assemble  # type: ignore[assignment]
