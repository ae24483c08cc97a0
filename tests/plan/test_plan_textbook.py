"""Known answers: the single-period newsvendor and the periodic-review base-stock level.

The sample-average problem over scenarios is solved exactly by the empirical quantile of the sampled demand;
with many scenarios it approaches the textbook quantile of the true distribution (Porteus 2002, "Foundations
of Stochastic Inventory Theory", ch. 1; Axsäter 2015, "Inventory Control", sec. 5.3).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from plan_cases import single_item, with_policy
from scipy import stats

from hedgerow.plan.evaluate import evaluate
from hedgerow.plan.exact import ExactOptions, SolverStatus, solve_sample_average
from hedgerow.plan.ladder import run_ladder
from hedgerow.plan.model import build_model
from hedgerow.scenarios.rng import Stream, stream_rng

S = 4001  # odd, so that ratio × S is never a whole number and the SAA optimum is unique


def _saa_quantile(samples: np.ndarray, ratio: float) -> float:
    """The smallest sample value at which the empirical CDF reaches ``ratio`` (the SAA newsvendor optimum)."""
    ordered = np.sort(samples)
    return float(ordered[math.ceil(ratio * samples.size) - 1])


@pytest.mark.parametrize(("price", "cost", "salvage"), [(12.0, 6.0, 2.0), (10.0, 7.0, 5.0)])
def test_newsvendor_normal_demand(price: float, cost: float, salvage: float) -> None:
    rng = stream_rng(11, Stream.DEMAND, "newsvendor-normal")
    demand = np.maximum(rng.normal(100.0, 20.0, (S, 1)), 0.0)
    problem, scen = single_item(demand, price=price, cost=cost, is_count=False)
    problem = with_policy(problem, leftover_value_fraction=salvage / cost)
    model = build_model(problem, scen)
    ratio = (price - cost) / (price - salvage)  # cu / (cu + co)
    textbook = 100.0 + 20.0 * stats.norm.ppf(ratio)
    saa = _saa_quantile(demand[:, 0], ratio)
    exact = solve_sample_average(model, ExactOptions(floors=False))
    assert exact.status is SolverStatus.OPTIMAL
    assert exact.x[0] == pytest.approx(saa, abs=1e-6)
    assert abs(saa - textbook) < 1.5  # sampling error of the 4,001-scenario quantile
    ladder = run_ladder(model)
    assert abs(ladder.x[0] - saa) <= 1.0 + 1e-9  # the ladder's smallest lot here is 1 % of mean demand
    gap = evaluate(model, ladder.x).total_objective - evaluate(model, exact.x).total_objective
    assert 0.0 <= gap < 1e-3 * evaluate(model, exact.x).total_objective


@pytest.mark.parametrize(("lam", "price", "cost", "salvage"), [(20.0, 14.0, 6.0, 2.0), (7.0, 5.0, 4.0, 0.0)])
def test_newsvendor_poisson_demand(lam: float, price: float, cost: float, salvage: float) -> None:
    rng = stream_rng(12, Stream.DEMAND, f"newsvendor-poisson-{lam}")
    demand = rng.poisson(lam, (S, 1)).astype(float)
    problem, scen = single_item(demand, price=price, cost=cost)
    problem = with_policy(problem, leftover_value_fraction=salvage / cost)
    model = build_model(problem, scen)
    ratio = (price - cost) / (price - salvage)
    textbook = stats.poisson.ppf(ratio, lam)
    saa = _saa_quantile(demand[:, 0], ratio)
    assert abs(saa - textbook) <= 1.0
    ladder = run_ladder(model)
    exact = solve_sample_average(model, ExactOptions(floors=False, integer=True))
    assert exact.status is SolverStatus.OPTIMAL
    # whole units: both find the empirical quantile (or a tie with the same objective)
    assert ladder.x[0] == pytest.approx(exact.x[0])
    assert ladder.x[0] == pytest.approx(saa)


def test_base_stock_level_with_lead_time() -> None:
    """Order-up-to level = quantile of demand over lead time + review period at b / (b + h)."""
    lead = 2  # periods
    rng = stream_rng(13, Stream.DEMAND, "base-stock")
    during_lead = rng.integers(0, 11, (S, lead)).astype(float)  # uniform 0..10 per period
    review = rng.poisson(40.0, (S, 1)).astype(float)
    demand = np.concatenate([during_lead, review], axis=1)
    on_hand = 10.0 * lead  # covers any lead-time demand: no stockout before the order arrives
    cost, rate = 10.0, 5.0
    h = cost * rate / (365.25 / 7)  # holding per unit and week
    b = 3.84  # lost margin per unit
    problem, scen = single_item(
        demand, price=cost + b, cost=cost, lead_days=7.0 * lead, on_hand=on_hand, holding_rate=rate
    )
    model = build_model(problem, scen)
    assert int(model.window[0]) == lead + 1
    ratio = b / (b + h)
    # exact distribution of lead-time + review demand: convolution of the two uniforms and the Poisson
    pmf = np.ones(11) / 11
    pmf = np.convolve(pmf, np.ones(11) / 11)
    pmf = np.convolve(pmf, stats.poisson.pmf(np.arange(200), 40.0))
    textbook = float(np.searchsorted(np.cumsum(pmf), ratio))
    saa = _saa_quantile(demand.sum(axis=1), ratio)
    assert abs(saa - textbook) <= 2.0
    exact = solve_sample_average(model, ExactOptions(floors=False, integer=True))
    ladder = run_ladder(model)
    assert on_hand + exact.x[0] == pytest.approx(saa)
    assert on_hand + ladder.x[0] == pytest.approx(saa)
