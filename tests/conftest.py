"""Shared fixtures: a fresh, empty PostgreSQL database per test module.

``HEDGEROW_TEST_PG_URL`` names a server (``scripts/pg-test-server start`` prints one; CI sets it). Each module
that asks for :func:`pg_url` gets its own ``CREATE DATABASE``, dropped afterwards. Without the variable the
PostgreSQL tests are skipped with the reason, except when ``HEDGEROW_REQUIRE_PG=1`` (CI): then they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ENV_PG_URL = "HEDGEROW_TEST_PG_URL"
ENV_REQUIRE_PG = "HEDGEROW_REQUIRE_PG"


@contextmanager
def fresh_pg_database(server_url: str, prefix: str = "hedgerow_test") -> Iterator[str]:
    """Create an empty database on the server at ``server_url``; yield its URL; drop it afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def pg_server_url() -> str:
    """The test server's URL, or skip (fail under ``HEDGEROW_REQUIRE_PG=1``) with the reason."""
    url = os.environ.get(ENV_PG_URL)
    if not url:
        reason = f"{ENV_PG_URL} is not set: start a server with `scripts/pg-test-server start` and export its URL"
        if os.environ.get(ENV_REQUIRE_PG) == "1":
            pytest.fail(f"PostgreSQL is required ({ENV_REQUIRE_PG}=1) but {reason}")
        pytest.skip(reason)
    return url


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL database for this test module."""
    with fresh_pg_database(pg_server_url()) as url:
        yield url


@pytest.fixture
def pg_url_fresh() -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL database for this one test."""
    with fresh_pg_database(pg_server_url()) as url:
        yield url
