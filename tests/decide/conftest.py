"""Fixtures of the decision-ledger tests: workspaces, users and plans made by hand."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hedgerow.config import Settings
from hedgerow.decide.records import PlanRecord, RecommendationRecord
from hedgerow.domain.actions import Action, ActionKind, Role
from hedgerow.domain.enums import Mode
from hedgerow.services.users import add_user
from hedgerow.services.workspace import Workspace, init_workspace

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

USERS = {"ada": Role.ADMIN, "pat": Role.PLANNER, "alex": Role.APPROVER, "vic": Role.VIEWER}


@pytest.fixture
def now() -> datetime:
    """A fixed, timezone-aware clock."""
    return NOW


def make_workspace(root: Path, *, settings: Settings | None = None, ledger_url: str | None = None) -> Workspace:
    """A fresh workspace with the users of :data:`USERS` (no passwords)."""
    ws = init_workspace(root, settings=settings, ledger_url=ledger_url)
    for name, role in USERS.items():
        add_user(ws, name, role, password=None, actor=None if name == "ada" else "ada", now=NOW)
    return ws


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    """A SQLite workspace with an admin (ada), a planner (pat), an approver (alex) and a viewer (vic)."""
    with make_workspace(tmp_path / "ws") as workspace:
        yield workspace


def auto_settings(max_value: float, max_risk: float = 0.05) -> Settings:
    """Default settings with the auto-approval policy on."""
    s = Settings()
    return replace(
        s, approval=replace(s.approval, auto_approve_max_value=max_value, auto_approve_max_stockout_risk=max_risk)
    )


def rec(
    rec_id: str,
    *,
    item: str = "I1",
    location: str = "LA",
    qty: float = 100.0,
    kind: ActionKind = ActionKind.ORDER,
    capital: float = 1_000.0,
    risk: float = 0.02,
    origin: str | None = "SUP1",
    lane: str | None = "L-SUP1-LA-OCEAN",
    mode: Mode | None = Mode.OCEAN,
    rank: int = 1,
    shipment: str | None = None,
) -> RecommendationRecord:
    """A hand-made recommendation."""
    if kind in (ActionKind.DO_NOTHING, ActionKind.KEEP_BUFFER):
        origin = lane = None
        mode = None
    return RecommendationRecord(
        rec_id=rec_id,
        rank=rank,
        action=Action(
            kind=kind,
            item_id=item,
            location_id=location,
            qty=qty,
            origin_id=origin,
            lane_id=lane,
            mode=mode,
            shipment_id=shipment,
        ),
        expected_cost_base=500.0,
        cvar_base=900.0,
        stockout_probability=risk,
        capital_base=capital,
        explanation={"headline": f"{kind.value} {qty:g} of {item} for {location}", "drivers": ["demand shift"]},
    )


PlanFactory = Callable[..., PlanRecord]


def plan_record(plan_id: str, *recs: RecommendationRecord, created_at: datetime = NOW) -> PlanRecord:
    """A plan of hand-made recommendations: ``plan_record("P1", rec("R1"), ...)``."""
    return PlanRecord(
        plan_id=plan_id,
        created_at=created_at,
        seed=20261125,
        scenario_count=500,
        horizon_periods=26,
        base_currency="USD",
        snapshots={"demand": hashlib.sha256(b"demand").hexdigest(), "items": hashlib.sha256(b"items").hexdigest()},
        settings_digest=hashlib.sha256(b"settings").hexdigest(),
        recommendations=tuple(recs),
    )


@pytest.fixture
def make_plan() -> PlanFactory:
    """Build a plan of hand-made recommendations (:func:`plan_record`) in a test."""
    return plan_record


NETWORK = Path(__file__).parent / "data" / "network"


@pytest.fixture
def net_ws(ws: Workspace) -> Workspace:
    """The users' workspace with the small hand-made network of ``data/network`` imported (holds included)."""
    from hedgerow.services.importing import import_sources, sources_from_folder

    sources, _ = sources_from_folder(NETWORK)
    import_sources(ws, sources, user="pat", now=NOW)
    return ws
