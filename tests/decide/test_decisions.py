"""Recording plans and deciding recommendations through the ledger (SQLite)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from hedgerow.decide.auditchain import EventKind
from hedgerow.decide.lifecycle import DecisionKind, ReasonCategory
from hedgerow.decide.records import DecisionRequest, PlanStatus
from hedgerow.domain.actions import ActionKind
from hedgerow.domain.actions import RecommendationStatus as S
from hedgerow.domain.enums import Mode
from hedgerow.errors import ConcurrentUpdate, HedgerowError, InvalidTransition, NotFound, PermissionDenied
from hedgerow.services.audit import verify_audit
from hedgerow.services.importing import import_sources, sources_from_folder
from hedgerow.services.recommendations import (
    decide,
    decisions_of,
    get_recommendation,
    list_recommendations,
    plan_of,
    record_plan,
)
from hedgerow.services.workspace import Workspace
from hedgerow.store.decide_models import AuditEvent

from .conftest import NETWORK, PlanFactory, auto_settings, make_workspace, rec

APPROVE = DecisionRequest(DecisionKind.APPROVE)
REJECT = DecisionRequest(DecisionKind.REJECT, ReasonCategory.DEMAND_KNOWLEDGE, "customer cancelled the promotion")


def test_record_plan_and_queue(ws: Workspace, make_plan: PlanFactory, now: datetime) -> None:
    plan = make_plan("P1", rec("R1", rank=1), rec("R2", item="I2", rank=2, kind=ActionKind.DO_NOTHING, qty=0))
    out = record_plan(ws, plan, user="pat", now=now)
    assert (out.recommendations, out.already_recorded, out.superseded, out.auto_approved) == (2, False, (), ())
    again = record_plan(ws, plan, user="pat", now=now)
    assert again.already_recorded
    queue = list_recommendations(ws, statuses=[S.PROPOSED])
    assert [(v.id, v.status, v.version) for v in queue] == [("R1", "proposed", 1), ("R2", "proposed", 1)]
    assert list_recommendations(ws, item_id="I2")[0].kind == "do_nothing"
    assert queue[0].allowed == ("approve", "reject", "modify", "supersede")
    row = plan_of(ws, "P1")
    assert (row.seed, row.scenario_count, row.status) == (20261125, 500, PlanStatus.ACTIVE.value)
    assert set(json.loads(row.snapshots_json)) == {"demand", "items"}


def test_viewer_cannot_record_or_decide(ws: Workspace, make_plan: PlanFactory, now: datetime) -> None:
    with pytest.raises(PermissionDenied, match="role viewer, which may not record plans"):
        record_plan(ws, make_plan("P1", rec("R1")), user="vic", now=now)
    record_plan(ws, make_plan("P1", rec("R1")), user="pat", now=now)
    with pytest.raises(PermissionDenied, match="role viewer, which may not approve R1"):
        decide(ws, "R1", APPROVE, user="vic", now=now)
    with pytest.raises(PermissionDenied, match="'nobody' is not a ledger user"):
        decide(ws, "R1", APPROVE, user="nobody", now=now)


def test_planner_limited_by_size(ws: Workspace, make_plan: PlanFactory, now: datetime) -> None:
    record_plan(
        ws,
        make_plan("P1", rec("SMALL", capital=25_000.0), rec("BIG", item="I2", capital=25_001.0)),
        user="pat",
        now=now,
    )
    assert decide(ws, "SMALL", APPROVE, user="pat", now=now).status == "approved"
    with pytest.raises(
        PermissionDenied,
        match=r"role planner, which may not approve BIG \(capital 25,001 USD\); roles that may: approver, admin",
    ):
        decide(ws, "BIG", APPROVE, user="pat", now=now)
    with pytest.raises(PermissionDenied):
        decide(ws, "BIG", REJECT, user="pat", now=now)
    view = decide(ws, "BIG", REJECT, user="alex", now=now)
    assert (view.status, view.decided_by, view.decided_qty) == ("rejected", "alex", 0.0)


def test_modification_growing_past_threshold_needs_approver(
    ws: Workspace, make_plan: PlanFactory, now: datetime
) -> None:
    record_plan(ws, make_plan("P1", rec("R1", qty=100, capital=20_000.0)), user="pat", now=now)
    bigger = DecisionRequest(DecisionKind.MODIFY, ReasonCategory.DEMAND_KNOWLEDGE, "big customer order coming", qty=150)
    with pytest.raises(PermissionDenied, match="capital 30,000 USD"):
        decide(ws, "R1", bigger, user="pat", now=now)
    view = decide(ws, "R1", bigger, user="alex", now=now)
    assert (view.status, view.decided_qty, view.decided_mode, view.decided_lane_id) == (
        "modified",
        150.0,
        "ocean",
        "L-SUP1-LA-OCEAN",
    )
    [d] = decisions_of(ws, "R1")
    assert (d.kind, d.reason_category, d.reason_text, d.qty, d.role) == (
        "modify",
        "demand_knowledge",
        "big customer order coming",
        150.0,
        "approver",
    )


def _grow_zero_capital_recommendations(ws: Workspace, make_plan: PlanFactory, now: datetime) -> None:
    """A planner cannot pass the approver limit by growing a recommendation that commits no capital (issue 16).

    Items of data/network: I1 costs 10 USD, I2 1,500 JPY (10 USD at 150 JPY per USD); the limit is 25,000 USD.
    """
    keep = rec("KEEP", item="I1", kind=ActionKind.KEEP_BUFFER, qty=50, capital=0.0)
    nothing = rec("NOTHING", item="I2", kind=ActionKind.DO_NOTHING, qty=0, capital=0.0, rank=2)
    small = rec("SMALL", item="I1", location="TK", kind=ActionKind.KEEP_BUFFER, qty=50, capital=0.0, rank=3)
    unknown = rec("UNKNOWN", item="I9", kind=ActionKind.KEEP_BUFFER, qty=50, capital=0.0, rank=4)
    record_plan(ws, make_plan("P1", keep, nothing, small, unknown), user="pat", now=now)

    def modify(qty: float) -> DecisionRequest:
        return DecisionRequest(DecisionKind.MODIFY, ReasonCategory.RISK_APPETITE, "more protection", qty=qty)

    with pytest.raises(
        PermissionDenied,
        match=r"role planner, which may not modify KEEP \(capital 9,999,999,500 USD\); roles that may: approver, admin",
    ):
        decide(ws, "KEEP", modify(1e9), user="pat", now=now)
    with pytest.raises(PermissionDenied, match=r"may not modify NOTHING \(capital 30,000 USD\)"):
        decide(ws, "NOTHING", modify(3_000), user="pat", now=now)
    with pytest.raises(PermissionDenied, match=r"may not modify UNKNOWN \(capital unknown: I9 has no unit_cost"):
        decide(ws, "UNKNOWN", modify(51), user="pat", now=now)
    assert [get_recommendation(ws, r).status for r in ("KEEP", "NOTHING", "UNKNOWN")] == ["proposed"] * 3
    assert decisions_of(ws, "KEEP") == []
    # within the limit a planner decides as before (2,000 more units of I1: 19,500 USD), and a smaller buffer
    # commits nothing new; above it an approver does, like an over-limit proposed action
    assert decide(ws, "SMALL", modify(2_000), user="pat", now=now).status == "modified"
    assert decide(ws, "UNKNOWN", modify(10), user="pat", now=now).decided_qty == 10.0
    view = decide(ws, "KEEP", modify(1e9), user="alex", now=now)
    assert (view.status, view.decided_qty, view.decided_by) == ("modified", 1e9, "alex")


def test_growing_a_zero_capital_recommendation_needs_approver(
    net_ws: Workspace, make_plan: PlanFactory, now: datetime
) -> None:
    _grow_zero_capital_recommendations(net_ws, make_plan, now)


@pytest.mark.postgres
def test_growing_a_zero_capital_recommendation_needs_approver_postgres(
    pg_url: str, tmp_path: Path, make_plan: PlanFactory, now: datetime
) -> None:
    with make_workspace(tmp_path / "ws", ledger_url=pg_url) as ws:
        assert ws.engine.dialect.name == "postgresql"
        sources, _ = sources_from_folder(NETWORK)
        import_sources(ws, sources, user="pat", now=now)
        _grow_zero_capital_recommendations(ws, make_plan, now)


def test_requests_must_be_well_formed(ws: Workspace, make_plan: PlanFactory, now: datetime) -> None:
    record_plan(ws, make_plan("P1", rec("R1")), user="pat", now=now)
    cases = [
        (DecisionRequest(DecisionKind.REJECT), "needs a reason category"),
        (DecisionRequest(DecisionKind.REJECT, ReasonCategory.OTHER, "  "), "needs a reason in words"),
        (DecisionRequest(DecisionKind.MODIFY, ReasonCategory.OTHER, "x"), "must change at least one"),
        (DecisionRequest(DecisionKind.APPROVE, qty=5), "only a modification changes the action"),
        (DecisionRequest(DecisionKind.MODIFY, ReasonCategory.OTHER, "x", qty=-1), "qty must be a finite number"),
        (DecisionRequest(DecisionKind.EXPORT), "done by `hedgerow export`"),
    ]
    for request, message in cases:
        with pytest.raises(HedgerowError, match=message):
            decide(ws, "R1", request, user="ada", now=now)
    with pytest.raises(NotFound, match="no recommendation 'R9'"):
        decide(ws, "R9", APPROVE, user="ada", now=now)
    assert get_recommendation(ws, "R1").version == 1


def test_forbidden_transitions_through_the_service(ws: Workspace, make_plan: PlanFactory, now: datetime) -> None:
    record_plan(ws, make_plan("P1", rec("R1")), user="pat", now=now)
    decide(ws, "R1", REJECT, user="pat", now=now)
    for request in (APPROVE, REJECT, DecisionRequest(DecisionKind.CLOSE)):
        with pytest.raises(InvalidTransition, match="that is rejected"):
            decide(ws, "R1", request, user="ada", now=now)
    record_plan(ws, make_plan("P2", rec("R2", item="I2")), user="pat", now=now)
    with pytest.raises(InvalidTransition, match="cannot close a recommendation that is proposed"):
        decide(ws, "R2", DecisionRequest(DecisionKind.CLOSE), user="ada", now=now)


def test_stale_version_is_a_conflict(ws: Workspace, make_plan: PlanFactory, now: datetime) -> None:
    record_plan(ws, make_plan("P1", rec("R1")), user="pat", now=now)
    decide(ws, "R1", APPROVE, user="pat", now=now, expected_version=1)
    with pytest.raises(
        ConcurrentUpdate, match=r"changed by pat \(approve, now approved\) after you read it at version 1"
    ):
        decide(ws, "R1", REJECT, user="alex", now=now, expected_version=1)
    assert [d.kind for d in decisions_of(ws, "R1")] == ["approve"]


def test_new_plan_supersedes_open_recommendations(ws: Workspace, make_plan: PlanFactory, now: datetime) -> None:
    record_plan(ws, make_plan("P1", rec("A1"), rec("A2", item="I2"), rec("A3", item="I3")), user="pat", now=now)
    decide(ws, "A2", APPROVE, user="pat", now=now)
    later = now + timedelta(days=7)
    out = record_plan(ws, make_plan("P2", rec("B1"), rec("B2", item="I2"), created_at=later), user="pat", now=later)
    assert out.superseded == ("A1",)  # A2 was decided already; A3 is another item
    statuses = {v.id: v.status for v in list_recommendations(ws)}
    assert statuses == {"A1": "superseded", "A2": "approved", "A3": "proposed", "B1": "proposed", "B2": "proposed"}
    assert plan_of(ws, "P1").status == "active"  # A3 still open
    out3 = record_plan(ws, make_plan("P3", rec("C3", item="I3"), created_at=later), user="pat", now=later)
    assert out3.superseded == ("A3",)
    assert plan_of(ws, "P1").status == "superseded"
    [d] = decisions_of(ws, "A1")
    assert (d.kind, d.user_name, d.role) == ("supersede", "pat", "system")


def test_auto_approval_policy(tmp_path: Path, make_plan: PlanFactory, now: datetime) -> None:
    with make_workspace(tmp_path / "w", settings=auto_settings(max_value=2_000.0, max_risk=0.05)) as ws:
        plan = make_plan(
            "P1",
            rec("CHEAP", capital=2_000.0, risk=0.05),
            rec("DEAR", item="I2", capital=2_000.01, risk=0.01),
            rec("RISKY", item="I3", capital=10.0, risk=0.06),
            rec("NOTHING", item="I4", capital=0.0, risk=0.0, kind=ActionKind.DO_NOTHING, qty=0),
        )
        out = record_plan(ws, plan, user="pat", now=now)
        assert out.auto_approved == ("CHEAP",)
        view = get_recommendation(ws, "CHEAP")
        assert (view.status, view.auto_approved, view.decided_by, view.decided_qty) == (
            "approved",
            True,
            "auto-approval",
            100.0,
        )
        [d] = decisions_of(ws, "CHEAP")
        assert (d.auto, d.role, d.user_name) == (True, "system", "auto-approval")
        assert {v.id for v in list_recommendations(ws, statuses=[S.PROPOSED])} == {"DEAR", "RISKY", "NOTHING"}


def test_auto_approval_off_by_default(ws: Workspace, make_plan: PlanFactory, now: datetime) -> None:
    assert record_plan(ws, make_plan("P1", rec("R1", capital=0.0, risk=0.0)), user="pat", now=now).auto_approved == ()


def test_modify_mode_resolves_the_lane(ws: Workspace, make_plan: PlanFactory, now: datetime, tmp_path: Path) -> None:
    from hedgerow.domain.enums import TableName
    from hedgerow.services.importing import ImportSource, import_sources

    lanes = tmp_path / "lanes.csv"
    lanes.write_text(
        "lane_id,origin_id,destination_id,mode,cost_per_unit,cost_currency,transit_days\n"
        "L-SUP1-LA-OCEAN,SUP1,LA,ocean,1.0,USD,30\n"
        "L-SUP1-LA-AIR,SUP1,LA,air,6.0,USD,5\n"
        "L-SUP1-TK-OCEAN,SUP1,TK,ocean,1.2,USD,20\n",
        encoding="utf-8",
    )
    import_sources(ws, [ImportSource(lanes, TableName.LANES)], user="pat", now=now)
    record_plan(ws, make_plan("P1", rec("R1"), rec("R2", item="I2"), rec("R3", item="I3")), user="pat", now=now)
    air = DecisionRequest(DecisionKind.MODIFY, ReasonCategory.SUPPLIER_INFO, "port strike", mode=Mode.AIR)
    assert decide(ws, "R1", air, user="pat", now=now).decided_lane_id == "L-SUP1-LA-AIR"
    tokyo = DecisionRequest(DecisionKind.MODIFY, ReasonCategory.DEMAND_KNOWLEDGE, "Tokyo needs it", location_id="TK")
    view = decide(ws, "R2", tokyo, user="pat", now=now)
    assert (view.decided_location_id, view.decided_lane_id, view.decided_mode) == ("TK", "L-SUP1-TK-OCEAN", "ocean")
    rail = DecisionRequest(DecisionKind.MODIFY, ReasonCategory.OTHER, "try rail", mode=Mode.RAIL)
    with pytest.raises(NotFound, match="no lane from SUP1 to LA by rail"):
        decide(ws, "R3", rail, user="pat", now=now)


def test_every_write_is_audited_and_chain_verifies(ws: Workspace, make_plan: PlanFactory, now: datetime) -> None:
    record_plan(ws, make_plan("P1", rec("R1"), rec("R2", item="I2")), user="pat", now=now)
    decide(ws, "R1", APPROVE, user="pat", now=now)
    decide(ws, "R2", REJECT, user="pat", now=now)
    with ws.session() as s:
        kinds = [(e.kind, e.subject) for e in s.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars()]
    assert kinds[0] == (EventKind.CONFIG.value, "hedgerow.toml")
    assert kinds[-3:] == [("plan", "P1"), ("decision", "R1"), ("decision", "R2")]
    assert sum(1 for k, _ in kinds if k == "config") == 1  # recorded once while unchanged
    assert verify_audit(ws).ok
