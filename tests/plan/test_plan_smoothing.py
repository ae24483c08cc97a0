"""Order smoothing (POUT) in the plan: a steady order is kept, a jump is spread, a floor is never broken."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from plan_cases import PLAIN, single_item

from hedgerow.domain.plan import GuardrailKind
from hedgerow.pipeline.planning import make_plan
from hedgerow.plan.model import build_model
from hedgerow.plan.planner import plan_partition
from hedgerow.plan.smoothing import smooth_orders

S, T = 201, 2


def _model(on_hand: float, *, floor: float = 0.0, lam: float = 20.0):  # type: ignore[no-untyped-def]
    demand = np.full((S, T), lam)
    policy = replace(PLAIN, default_service_floor=floor)
    problem, scen = single_item(demand, price=20.0, cost=10.0, lead_days=0.0, on_hand=on_hand, policy=policy)
    return problem, scen, build_model(problem, scen)


def test_a_steady_order_is_kept_and_a_jump_is_spread_over_t_periods() -> None:
    _, _, model = _model(on_hand=0.0)
    # the plan wants one period of demand (20): smoothing leaves it; 60 becomes 20 + (60 - 20) / 2 = 40
    steady, none = smooth_orders(model, np.array([20.0]), periods=2.0)
    assert steady[0] == 20.0
    assert none == ()
    jump, changes = smooth_orders(model, np.array([60.0]), periods=2.0)
    assert jump[0] == 40.0
    assert [(c.planned, c.ordered, c.rate) for c in changes] == [(60.0, 40.0, 20.0)]
    assert smooth_orders(model, np.array([60.0]), periods=1.0)[0][0] == 60.0
    # the plan orders nothing: with 6 units to spare at the end of the window the gap is -6, so
    # 20 + (-6 - 20) / 2 = 7 keeps a trickle going; with 100 on hand (80 to spare) nothing is ordered
    _, _, near = _model(on_hand=26.0, lam=20.0)
    assert near.window[0] == 1
    assert smooth_orders(near, np.array([0.0]), periods=2.0)[0][0] == 7.0
    _, _, over = _model(on_hand=100.0)
    assert smooth_orders(over, np.array([0.0]), periods=2.0)[0][0] == 0.0


def test_smoothing_never_breaks_a_service_floor() -> None:
    # demand 20 each period and nothing on hand: a floor of 95 % needs the full 20 of the window
    _, _, model = _model(on_hand=0.0, floor=0.95)
    out, _ = smooth_orders(model, np.array([60.0]), periods=4.0)  # 20 + 40 / 4 = 30, above the floor's 20
    assert out[0] == 30.0
    out, _ = smooth_orders(model, np.array([20.0]), periods=4.0)
    assert out[0] == 20.0


def test_the_plan_says_when_an_order_is_smoothed() -> None:
    problem, scen, _ = _model(on_hand=0.0, lam=20.0)
    problem = replace(problem, policy=replace(problem.policy, smoothing_periods=2.0))
    pp = plan_partition(problem, scen)  # type: ignore[arg-type]
    assert pp.x[0] == pytest.approx(20.0)  # one period of demand: nothing to smooth
    # 26 on hand: the plan orders nothing, smoothing orders 7 and says so
    near = replace(problem, item_locations=(replace(problem.item_locations[0], on_hand=26.0),))
    plan = make_plan(near, scen)  # type: ignore[arg-type]
    notes = [g for g in plan.guardrails if g.kind is GuardrailKind.ORDER_SMOOTHING]
    assert notes
    assert "[orders] smoothing_periods" in notes[0].message
    assert plan.recommendations[0].action.qty == pytest.approx(7.0)
