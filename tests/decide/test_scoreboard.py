"""Hindsight scoring: hand-made cases of the flow cost, aggregation, and the service on the small network."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hedgerow.config import Settings
from hedgerow.decide.holds import Hold
from hedgerow.decide.lifecycle import DecisionKind, ReasonCategory
from hedgerow.decide.records import DecisionRequest
from hedgerow.decide.scoring import (
    FlowContext,
    Move,
    Option,
    aggregate,
    arrival_period,
    flow_cost,
    score_decision,
    score_hold,
)
from hedgerow.domain.enums import Mode
from hedgerow.services.holds import create_hold, release_hold
from hedgerow.services.importing import import_sources, sources_from_folder
from hedgerow.services.recommendations import decide, record_plan
from hedgerow.services.scoreboard import build_scoreboard
from hedgerow.services.workspace import Workspace

from .conftest import NETWORK, PlanFactory, make_workspace, rec

CTX = FlowContext(
    start_on_hand=10.0,
    demand=np.array([10.0, 10.0, 10.0, 10.0]),
    receipts=np.zeros(4),
    unit_value_base=10.0,
    holding_rate_per_period=0.01,
    lost_sale_cost_base=15.0,
)


def order(qty: float, period: int = 1) -> Option:
    return Option((Move("LA", period, qty),), transport_cost_base=qty * 1.0)


def test_hand_case_order_modify_reject() -> None:
    """Start 10, demand 10 a period, order arrives in period 1, holding 10 × 1 %, lost sale 15, transport 1/unit.

    * recommended 20: ends 0, 10, 0, 0 → holding 1, lost 10 units (150), transport 20 → 171
    * modified to 30: ends 0, 20, 10, 0 → holding 3, lost 0, transport 30 → 33 (value added +138)
    * rejected: lost 30 units → 450 (value added −279)
    """
    contexts = {"LA": CTX}
    mod = score_decision(order(20), order(30), contexts, recommendation_id="R", decided_by="pat", decision="modify")
    assert (mod.recommended_cost_base, mod.decided_cost_base, mod.value_added_base) == pytest.approx(
        (171.0, 33.0, 138.0)
    )
    rej = score_decision(order(20), Option(), contexts, recommendation_id="R", decided_by="pat", decision="reject")
    assert (rej.decided_cost_base, rej.value_added_base) == pytest.approx((450.0, -279.0))
    same = score_decision(
        order(20), order(20), contexts, recommendation_id="R", decided_by="auto-approval", decision="approve"
    )
    assert same.value_added_base == 0.0
    assert not same.is_override


def test_flow_details() -> None:
    cost = flow_cost(CTX, np.array([0.0, 20.0, 0.0, 0.0]))
    assert (cost.holding_base, cost.lost_units, cost.lost_sales_base, cost.ending_stock) == pytest.approx(
        (1.0, 10.0, 150.0, 0.0)
    )
    late = score_decision(
        order(20, period=7), Option(), {"LA": CTX}, recommendation_id="R", decided_by="p", decision="reject"
    )
    assert late.value_added_base == pytest.approx(20.0)  # arrives after the window: only its transport counts


def test_transfer_moves_stock_between_locations() -> None:
    tk = replace(CTX, start_on_hand=0.0)
    la = replace(CTX, start_on_hand=40.0)
    move = Option((Move("LA", 0, -20.0), Move("TK", 1, 20.0)), transport_cost_base=40.0)
    s = score_decision(move, Option(), {"LA": la, "TK": tk}, recommendation_id="R", decided_by="p", decision="reject")
    # without it LA holds 30, 20, 10, 0 (holding 6) and TK loses 40 units (600): 606.
    # with it LA holds 10, 0, 0, 0 (1) and loses 20 (300); TK gets 20 in period 1: ends 10, 0, 0 (1), loses 20 (300); +40
    assert s.decided_cost_base == pytest.approx(606.0)
    assert s.recommended_cost_base == pytest.approx(642.0)


@settings(max_examples=50, deadline=None)
@given(
    start=st.floats(0, 100),
    demand=st.lists(st.floats(0, 50), min_size=1, max_size=8),
    extra=st.floats(0, 100),
)
def test_more_stock_never_loses_more_sales(start: float, demand: list[float], extra: float) -> None:
    ctx = replace(CTX, start_on_hand=start, demand=np.array(demand), receipts=np.zeros(len(demand)))
    base = flow_cost(ctx, np.zeros(len(demand)))
    more = flow_cost(ctx, np.array([extra] + [0.0] * (len(demand) - 1)))
    assert more.lost_units <= base.lost_units + 1e-9
    assert base.holding_base >= 0.0
    assert base.lost_units == pytest.approx(max(0.0, sum(demand) - start), abs=1e-6)  # no inflow: stock only falls


def test_arrival_period() -> None:
    assert [arrival_period(d, 7) for d in (0, 1, 7, 8, 30)] == [0, 1, 1, 2, 5]


def test_aggregate_per_planner_and_reason() -> None:
    contexts = {"LA": CTX}
    scores = [
        score_decision(
            order(20),
            order(30),
            contexts,
            recommendation_id="A",
            decided_by="pat",
            decision="modify",
            reason_category="demand_knowledge",
        ),
        score_decision(
            order(20),
            Option(),
            contexts,
            recommendation_id="B",
            decided_by="pat",
            decision="reject",
            reason_category="budget",
        ),
        score_decision(order(20), order(20), contexts, recommendation_id="C", decided_by="alex", decision="approve"),
    ]
    per_planner = aggregate(scores, "decided_by")
    assert per_planner.loc["pat"].tolist() == pytest.approx([2, 2, 138 - 279, (138 - 279) / 2, 1, 1])
    assert per_planner.loc["alex"].tolist() == pytest.approx([1, 0, 0, 0, 0, 0])
    per_reason = aggregate(scores, "reason_category")
    assert per_reason["value_added_base"].to_dict() == pytest.approx(
        {"demand_knowledge": 138.0, "(approved as proposed)": 0.0, "budget": -279.0}
    )
    assert list(per_reason.index) == ["demand_knowledge", "(approved as proposed)", "budget"]


def test_service_on_the_small_network(tmp_path: Path, make_plan: PlanFactory) -> None:
    """Decisions on 2026-11-02 09:00, window of 2 weeks (11-02, 11-09), I1 at LA:

    start 100 (count of 11-02), S1 (+50) arrives in week 0, demand 30 and 30. Holding rate (0.20 + 0.08) × 7/365.
    * recommended: order 100 by ocean (30 days → week 5, after the window): transport 100, holding on ends 120, 90
    * rejected → the same holding, no transport: value added +100
    * modified to 60 by air (5 days → week 1): ends 120, 150; transport 60 × 6 = 360
    """
    s = Settings()
    settings_ = replace(s, approval=replace(s.approval, hindsight_window_periods=2))
    when = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    with make_workspace(tmp_path / "ws", settings=settings_) as ws:
        sources, _ = sources_from_folder(NETWORK)
        import_sources(ws, sources, user="pat", now=datetime(2026, 11, 23, 9, tzinfo=UTC))
        record_plan(
            ws, make_plan("P1", rec("R1"), rec("R2"), rec("R3", item="I2"), created_at=when), user="pat", now=when
        )
        decide(ws, "R1", DecisionRequest(DecisionKind.REJECT, ReasonCategory.BUDGET, "cash"), user="pat", now=when)
        air = DecisionRequest(DecisionKind.MODIFY, ReasonCategory.SUPPLIER_INFO, "strike", qty=60, mode=Mode.AIR)
        decide(ws, "R2", air, user="alex", now=when)
        board = build_scoreboard(ws)
    rate = 0.28 * 7 / 365
    hold = (120 + 90) * 10 * rate
    by_id = {x.recommendation_id: x for x in board.scores}
    assert set(by_id) == {"R1", "R2"}
    assert by_id["R1"].recommended_cost_base == pytest.approx(100 + hold)
    assert by_id["R1"].value_added_base == pytest.approx(100.0)
    assert by_id["R2"].decided_cost_base == pytest.approx(360 + (120 + 150) * 10 * rate)
    assert by_id["R2"].value_added_base == pytest.approx(100 + hold - 360 - 270 * 10 * rate)
    assert board.per_planner.loc["pat", "value_added_base"] == pytest.approx(100.0)
    assert board.per_reason.loc["supplier_info", "overrides_worse"] == 1
    out = board.to_dict()
    assert out["per_planner"][0]["decided_by"] == "pat"
    assert out["pending"] == []  # R3 was never decided


def test_hold_hand_cases() -> None:
    """Start 10 with 4 held, value 10, carrying 1 % a period (0.1 a unit), lost sale 20.

    * demand 3, 5, 4: with the hold ends 7, 2, 0 and loses 2 (carrying 0.9, lost 40); without it ends 3, 0, 0 and
      loses 6 (0.3, 120): the buffer carried 0.6 and avoided 4 lost units (80): worth +79.4.
    * demand 1, 1, 1: ends 9, 8, 7 against 5, 4, 3: it only carried 1.2 more: the cost of distrust, −1.2.
    * 12 held of 10 on hand: only the 10 there count.
    """
    ctx = replace(CTX, demand=np.array([3.0, 5.0, 4.0]), receipts=np.zeros(3), lost_sale_cost_base=20.0)
    spike = score_hold(ctx, 4.0, hold_id="H", item_id="I", location_id="LA", owner="kim")
    assert (spike.carrying_base, spike.lost_units_avoided, spike.lost_sales_avoided_base) == pytest.approx(
        (0.6, 4.0, 80.0)
    )
    assert spike.value_base == pytest.approx(79.4)
    quiet = score_hold(replace(ctx, demand=np.ones(3)), 4.0, hold_id="H", item_id="I", location_id="LA", owner="kim")
    assert (quiet.carrying_base, quiet.lost_sales_avoided_base, quiet.value_base) == pytest.approx((1.2, 0.0, -1.2))
    assert score_hold(ctx, 12.0, hold_id="H", item_id="I", location_id="LA", owner="kim").held_units == 10.0


def key_account_hold(ws: Workspace, *, user: str, qty: float, made: datetime) -> Hold:
    """A hold of ``qty`` × I1 at LA kept by kim for a key account, made at ``made``, expiring 2027-01-31."""
    return create_hold(
        ws,
        item_id="I1",
        location_id="LA",
        qty=qty,
        owner="kim",
        reason="key account",
        expires_on=date(2027, 1, 31),
        user=user,
        now=made,
    )


def test_holds_are_scored_over_their_span(tmp_path: Path) -> None:
    """A hold of 40 × I1 at LA made 2026-11-02, released 2026-11-05: one week scored (the window of 2 weeks is cut
    at the release). Start 100, S1 (+50) arrives, demand 30: ends 120 with the hold and 80 without: it carried
    40 units a week (40 × 10 × rate) and avoided nothing. Holds made after the demand ends wait for data."""
    s = Settings()
    settings_ = replace(s, approval=replace(s.approval, hindsight_window_periods=2))
    when = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    with make_workspace(tmp_path / "ws", settings=settings_) as ws:
        sources, _ = sources_from_folder(NETWORK)
        import_sources(ws, sources, user="pat", now=datetime(2026, 11, 23, 9, tzinfo=UTC))
        early = key_account_hold(ws, user="pat", qty=40, made=when)
        release_hold(ws, early.hold_id, user="pat", now=datetime(2026, 11, 5, 9, tzinfo=UTC))
        late = key_account_hold(ws, user="pat", qty=5, made=datetime(2026, 12, 28, 9, tzinfo=UTC))
        board = build_scoreboard(ws)
    rate = 0.28 * 7 / 365
    (scored,) = board.holds
    assert (scored.hold_id, scored.held_units, scored.periods) == (early.hold_id, 40.0, 1)
    assert scored.carrying_base == pytest.approx(40 * 10 * rate)
    assert scored.lost_units_avoided == pytest.approx(0.0)
    assert board.holds_value_base == pytest.approx(-40 * 10 * rate)
    waiting = dict(board.holds_pending)  # with the network's imported hold HX1, also made after the demand ends
    assert waiting == {h: "actual demand does not cover the hold's span yet" for h in (late.hold_id, "HX1")}
    assert board.to_dict()["holds"][0]["value_base"] == pytest.approx(-40 * 10 * rate)
