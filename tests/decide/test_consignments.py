"""Deciding a consignment decides each of its open lines; the ledger groups lines as the plan does (SQLite)."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from hedgerow.decide.auditchain import EventKind
from hedgerow.decide.lifecycle import DecisionKind, ReasonCategory
from hedgerow.decide.records import DecisionRequest
from hedgerow.domain.actions import ActionKind
from hedgerow.errors import HedgerowError, NotFound
from hedgerow.services.audit import list_events
from hedgerow.services.consignments import decide_consignment, is_consignment_id, plan_consignments
from hedgerow.services.recommendations import get_recommendation, record_plan
from hedgerow.services.workspace import Workspace

from .conftest import PlanFactory, rec

APPROVE = DecisionRequest(DecisionKind.APPROVE)
LANE = "L-SUP1-LA-OCEAN"


def _plan(ws: Workspace, make_plan: PlanFactory, now: datetime) -> None:
    record_plan(
        ws,
        make_plan(
            "P1",
            rec("R1", rank=1, capital=1_000.0),
            rec("R2", item="I2", rank=2, capital=2_000.0),
            rec("R3", item="I3", rank=3, lane="L-SUP1-LA-AIR", capital=500.0),
            rec("R4", item="I4", rank=4, kind=ActionKind.KEEP_BUFFER, qty=7.0, capital=0.0),
            rec("R5", item="I5", rank=5, kind=ActionKind.KEEP_BUFFER, qty=3.0, capital=0.0),
        ),
        user="pat",
        now=now,
    )


def test_the_ledger_groups_a_plans_lines_by_lane_and_buffer_location(
    ws: Workspace, make_plan: PlanFactory, now: datetime
) -> None:
    _plan(ws, make_plan, now)
    cons = plan_consignments(ws, "P1")
    groups = sorted((c.kind.value, c.key, c.recommendation_ids, c.capital, c.units) for c in cons)
    assert groups == [
        ("keep_buffer", "LA", ("R4", "R5"), 0.0, 10.0),
        ("order", "L-SUP1-LA-AIR", ("R3",), 500.0, 100.0),
        ("order", LANE, ("R1", "R2"), 3_000.0, 200.0),
    ]
    assert all(is_consignment_id(c.id) for c in cons)
    assert plan_consignments(ws, "no-such-plan") == ()


def test_approving_a_consignment_approves_each_open_line_once(
    ws: Workspace, make_plan: PlanFactory, now: datetime
) -> None:
    _plan(ws, make_plan, now)
    lane = next(c for c in plan_consignments(ws, "P1") if c.key == LANE)
    out = decide_consignment(ws, lane.id, APPROVE, user="alex", now=now)
    assert [(v.id, v.status, v.decided_by) for v in out.decided] == [
        ("R1", "approved", "alex"),
        ("R2", "approved", "alex"),
    ]
    assert out.skipped == ()
    assert get_recommendation(ws, "R3").status == "proposed"  # another lane: untouched
    named = {e.subject: json.loads(e.payload).get("consignment") for e in list_events(ws, kind=EventKind.DECISION)}
    assert named == {"R1": lane.id, "R2": lane.id}  # the audit trail says which consignment decided them
    again = decide_consignment(ws, lane.id, APPROVE, user="alex", now=now)
    assert again.decided == ()
    assert again.skipped == (("R1", "it is approved"), ("R2", "it is approved"))


def test_a_line_above_the_planners_limit_is_left_for_an_approver(
    ws: Workspace, make_plan: PlanFactory, now: datetime
) -> None:
    limit = ws.settings.approval.approver_required_above
    record_plan(
        ws,
        make_plan("P2", rec("S1", capital=limit / 2), rec("S2", item="I2", rank=2, capital=limit * 2)),
        user="pat",
        now=now,
    )
    (lane,) = plan_consignments(ws, "P2")
    out = decide_consignment(ws, lane.id, APPROVE, user="pat", now=now)
    assert [v.id for v in out.decided] == ["S1"]
    assert [rid for rid, _ in out.skipped] == ["S2"]
    assert "may not" in out.skipped[0][1]
    assert get_recommendation(ws, "S2").status == "proposed"


def test_a_consignment_is_not_modified_and_an_unknown_one_is_named(
    ws: Workspace, make_plan: PlanFactory, now: datetime
) -> None:
    _plan(ws, make_plan, now)
    lane = next(c for c in plan_consignments(ws, "P1") if c.key == LANE)
    modify = DecisionRequest(DecisionKind.MODIFY, ReasonCategory.DEMAND_KNOWLEDGE, "fewer", qty=1.0)
    with pytest.raises(HedgerowError, match="modify its lines one by one"):
        decide_consignment(ws, lane.id, modify, user="alex", now=now)
    with pytest.raises(NotFound, match="no consignment 'con-000000000000'"):
        decide_consignment(ws, "con-000000000000", APPROVE, user="alex", now=now)
