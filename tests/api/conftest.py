"""Fixtures of the API and web tests: a seeded workspace (fixture network, users with passwords and API keys, a
sample plan), copied fresh for each test, and an app + client on it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from hedgerow.api import ServerConfig, create_app
from hedgerow.domain.actions import Role
from hedgerow.services.importing import import_sources, sources_from_folder
from hedgerow.services.recommendations import record_plan
from hedgerow.services.users import add_user, create_api_key
from hedgerow.services.workspace import init_workspace

from ..conftest import NETWORK
from .plans import sample_plan

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
PLAN_AT = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
USERS = {"ada": Role.ADMIN, "pat": Role.PLANNER, "alex": Role.APPROVER, "vic": Role.VIEWER}
PASSWORD = "correct horse battery"
SECRET = "s" * 48


@dataclass(frozen=True)
class Seeded:
    """A seeded workspace template: where it is, the API keys of its users and its plan."""

    root: Path
    keys: dict[str, str]
    plan_id: str
    rec_ids: tuple[str, ...]


def build_seeded(root: Path, ledger_url: str | None = None) -> Seeded:
    """Create the seeded workspace at ``root`` (its ledger at ``ledger_url`` when given)."""
    with init_workspace(root, ledger_url=ledger_url) as ws:
        for name, role in USERS.items():
            add_user(ws, name, role, password=PASSWORD, actor=None if name == "ada" else "ada", now=NOW)
        keys = {name: create_api_key(ws, name, label="tests", actor=name, now=NOW)[1] for name in USERS}
        sources, _ = sources_from_folder(NETWORK)
        import_sources(ws, sources, user="pat", now=NOW)
        plan = sample_plan(ws, "P-SAMPLE-1", PLAN_AT)
        record_plan(ws, plan, user="pat", now=PLAN_AT)
    return Seeded(root, keys, plan.plan_id, tuple(r.rec_id for r in plan.recommendations))


_TEMPLATE: list[Seeded] = []


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    """The seeded workspace, built once per test process (never changed: tests use copies)."""
    if not _TEMPLATE:  # shared by the api and web test packages, which both use this fixture
        _TEMPLATE.append(build_seeded(tmp_path_factory.mktemp("seeded") / "ws"))
    return _TEMPLATE[0]


@pytest.fixture
def seeded(seeded_template: Seeded, tmp_path: Path) -> Seeded:
    """A fresh copy of the seeded workspace for one test."""
    root = tmp_path / "ws"
    shutil.copytree(seeded_template.root, root)
    return Seeded(root, seeded_template.keys, seeded_template.plan_id, seeded_template.rec_ids)


def make_app(root: Path, *, web: bool = True, ledger_url: str | None = None) -> FastAPI:
    """The app on ``root`` with a fixed clock and session secret, and one job worker thread (``hedgerow serve``
    runs its workers in processes; the tests of that are in tests/api/test_api_job_workers.py)."""
    return create_app(
        root,
        ServerConfig(session_secret=SECRET),
        clock=lambda: NOW,
        web=web,
        ledger_url=ledger_url,
        inline_workers=1,
    )


@pytest.fixture
def app(seeded: Seeded) -> FastAPI:
    """The app on a fresh seeded workspace."""
    return make_app(seeded.root)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An HTTP client of the app (no credentials)."""
    with TestClient(app) as c:
        yield c


def bearer(seeded: Seeded, user: str) -> dict[str, str]:
    """Headers authenticating as ``user`` with their API key."""
    return {"Authorization": f"Bearer {seeded.keys[user]}"}
