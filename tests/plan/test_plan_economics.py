"""Economics of real actions: whole packs and a fixed cost per order line (issue 14)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from plan_cases import PLAIN, single_item

from hedgerow.plan.evaluate import evaluate
from hedgerow.plan.exact import ExactOptions, SolverStatus, solve_sample_average
from hedgerow.plan.ladder import run_ladder
from hedgerow.plan.model import build_model
from hedgerow.scenarios.rng import Stream, stream_rng

S = 301


def _case(*, pack: float = 1.0, order_cost: float = 0.0, lam: float = 30.0, on_hand: float = 0.0):  # type: ignore[no-untyped-def]
    demand = stream_rng(21, Stream.DEMAND, f"economics-{lam}").poisson(lam, (S, 1)).astype(float)
    problem, scen = single_item(
        demand, price=20.0, cost=10.0, on_hand=on_hand, policy=replace(PLAIN, leftover_value_fraction=0.5)
    )
    items = (replace(problem.items[0], pack_size=pack),)
    lanes = (replace(problem.lanes[0], order_cost=order_cost),)
    return build_model(replace(problem, items=items, lanes=lanes), scen)


def test_orders_are_whole_packs() -> None:
    single = _case()
    packs = _case(pack=12.0)
    q1 = run_ladder(single).x[0]
    q12 = run_ladder(packs).x[0]
    assert q1 == np.floor(q1)  # whole units even without a pack size
    assert q12 % 12 == 0
    assert abs(q12 - q1) < 12
    # the best whole number of packs: neither the pack below nor the pack above costs less
    best = evaluate(packs, np.array([q12])).total_objective
    for other in (q12 - 12, q12 + 12):
        assert evaluate(packs, np.array([other])).total_objective >= best - 1e-9


def test_a_fixed_order_cost_is_paid_once_and_stops_orders_worth_less() -> None:
    free = _case()
    q = run_ladder(free).x[0]
    gain = evaluate(free, np.zeros(1)).total_objective - evaluate(free, np.array([q])).total_objective
    assert gain > 0
    # a line costs its fixed cost once, whatever its size
    cheap = _case(order_cost=gain / 3)
    assert evaluate(cheap, np.array([q])).total_objective == pytest.approx(
        evaluate(free, np.array([q])).total_objective + gain / 3
    )
    assert evaluate(cheap, np.array([2 * q])).total_objective == pytest.approx(
        evaluate(free, np.array([2 * q])).total_objective + gain / 3
    )
    assert run_ladder(cheap).x[0] == q  # still worth it
    dear = _case(order_cost=gain * 1.5)
    assert run_ladder(dear).x[0] == 0.0  # not worth its fixed cost


def test_the_exact_model_prices_the_fixed_cost_as_the_cost_model_does() -> None:
    model = _case(order_cost=25.0)
    exact = solve_sample_average(model, ExactOptions(floors=False, integer=True))
    assert exact.status is SolverStatus.OPTIMAL
    assert exact.objective == pytest.approx(evaluate(model, exact.x).total_objective, rel=1e-6)
    assert evaluate(model, run_ladder(model).x).total_objective <= exact.objective + 0.01 * abs(exact.objective)
