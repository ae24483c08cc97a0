"""The baselines reproduce textbook answers on known cases."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from hedgerow.sim.costs import cost_arrays
from hedgerow.sim.engine import simulate
from hedgerow.sim.inputs import SimInputs, UnmetDemand
from hedgerow.sim.policies import (
    BaseStockPolicy,
    HindsightSettings,
    OrderUpToPolicy,
    OrderUpToSettings,
    StockpylBaseStockPolicy,
    StockpylSettings,
    best_stationary_levels,
)
from hedgerow.sim.policies.order_up_to import SmoothedOrderUpToPolicy
from hedgerow.sim.synthetic import single_echelon


def poisson_loss(s: int, mean: float) -> float:
    """E[(D − s)^+] for D ~ Poisson(mean)."""
    k = np.arange(0, s + 1)
    return float(mean - s + np.sum((s - k) * stats.poisson.pmf(k, mean)))


def test_base_stock_with_poisson_demand_reproduces_the_textbook_fill_rate_and_costs() -> None:
    """Periodic-review base stock S with backorders, lead time L: net stock at the end of a period is
    S − D(L + 1). Fill rate = 1 − (E[(D_{L+1} − S)^+] − E[(D_L − S)^+]) / λ; cycle service = P(D_{L+1} ≤ S);
    mean backlog = E[(D_{L+1} − S)^+]; mean on hand = S − (L + 1)λ + mean backlog (Axsäter (2015), *Inventory
    Control*, §5.2; Zipkin (2000), §6.2)."""
    rng = np.random.default_rng(2)
    lam, lead_periods, s, n, t = 10.0, 2, 34, 200, 1500
    demand = rng.poisson(lam, size=(n, t)).astype(float)
    inputs = single_echelon(
        demand,
        start=20,
        lead_time_days=7.0 * lead_periods,
        initial_on_hand=np.full(n, float(s - lead_periods * lam)),
        initial_pipeline=np.full((n, lead_periods), lam),
    )
    run = simulate(inputs, BaseStockPolicy(np.full(n, float(s))), unmet=UnmetDemand.BACKORDER)
    burn = 10
    filled, dem = run.filled[:, burn:], run.demand[:, burn:]
    m_l1, m_l = lam * (lead_periods + 1), lam * lead_periods
    fill_expected = 1 - (poisson_loss(s, m_l1) - poisson_loss(s, m_l)) / lam
    csl_expected = float(stats.poisson.cdf(s, m_l1))
    backlog_expected = poisson_loss(s, m_l1)
    on_hand_expected = s - m_l1 + backlog_expected
    assert filled.sum() / dem.sum() == pytest.approx(fill_expected, abs=0.003)
    # a period without demand cannot be short: P(short) = P(D_{L+1} > S) − P(D_{L+1} > S, D_t = 0)
    p_short = (1 - csl_expected) - stats.poisson.pmf(0, lam) * (1 - stats.poisson.cdf(s, m_l))
    assert (run.unmet_units[:, burn:] > 0).mean() == pytest.approx(p_short, abs=0.004)
    assert run.backlog[:, burn:].mean() == pytest.approx(backlog_expected, rel=0.03)
    assert run.on_hand[:, burn:].mean() == pytest.approx(on_hand_expected, rel=0.01)


def _costed(demand: np.ndarray, *, h: float, p: float, lead_days: float = 0.0, start: int = 2) -> SimInputs:
    """Inputs whose holding cost per period is exactly ``h`` and shortage penalty exactly ``p`` (base currency)."""
    rate = 0.26
    cost = h * 365.0 / 7.0 / rate
    n = demand.shape[0]
    return single_echelon(
        demand,
        start=start,
        lead_time_days=lead_days,
        unit_cost=cost,
        unit_price=cost + p,
        holding_rate_per_year=rate,
        initial_on_hand=np.zeros(n),
        initial_pipeline=np.zeros((n, 0)),
    )


def test_order_up_to_and_stockpyl_match_the_textbook_newsvendor_example() -> None:
    """Snyder & Shen (2019), Example 4.3: h = 0.18, p = 0.70, D ~ N(50, 8²) gives S* = 56.60."""
    demand = np.array([[50 - 8 / np.sqrt(2), 50 + 8 / np.sqrt(2), 50.0, 50.0]])
    inputs = _costed(demand, h=0.18, p=0.70)
    costs = cost_arrays(inputs)
    assert costs.holding[0, 0] == pytest.approx(0.18)
    assert costs.shortage[0, 0] == pytest.approx(0.70)
    textbook = OrderUpToPolicy(OrderUpToSettings(window=2))
    peer = StockpylBaseStockPolicy(StockpylSettings(window=2))
    run_t = simulate(inputs, textbook)
    run_p = simulate(inputs, peer)
    assert run_t.orders[0, 0] == pytest.approx(56.6040, abs=1e-3)  # from nothing on hand
    assert run_p.orders[0, 0] == pytest.approx(run_t.orders[0, 0], abs=1e-6)


def test_best_stationary_policy_finds_the_newsvendor_critical_fractile() -> None:
    """With no lead time and lost sales each period starts at S, so the cost is the newsvendor's and the best S
    is the critical fractile F⁻¹(p / (p + h))."""
    rng = np.random.default_rng(5)
    mu, sigma, h, p = 100.0, 20.0, 1.0, 4.0
    demand = np.maximum(rng.normal(mu, sigma, size=(3, 2000)), 0.0)
    inputs = _costed(demand, h=h, p=p)
    levels = best_stationary_levels(inputs, UnmetDemand.LOST, settings=HindsightSettings(grid=31, refine=21))
    expected = stats.norm.ppf(p / (p + h), mu, sigma)
    np.testing.assert_allclose(levels, expected, atol=0.1 * sigma)


def test_order_up_to_bullwhip_matches_chen_et_al() -> None:
    """Order-up-to with a p-period moving-average forecast and protection interval L + 1: Var(q)/Var(D) =
    1 + 2(L + 1)/p + 2(L + 1)²/p² for i.i.d. demand with backorders when the safety term is constant (z = 0
    here); Chen, Drezner,
    Ryan & Simchi-Levi (2000), *Management Science* 46(3), eq. (4)."""
    rng = np.random.default_rng(8)
    lead, window, n, t = 2, 8, 40, 800
    demand = rng.normal(100, 10, size=(n, t))
    inputs = single_echelon(demand, start=window, lead_time_days=7.0 * lead)
    policy = OrderUpToPolicy(OrderUpToSettings(window=window, service_floor=0.5, service_cap=0.5))
    run = simulate(inputs, policy, unmet=UnmetDemand.BACKORDER)
    q, d = run.orders[:, 20:], run.demand[:, 20:]
    ratio = q.var(axis=1).mean() / d.var(axis=1).mean()
    protection = lead + 1
    expected = 1 + 2 * protection / window + 2 * protection**2 / window**2
    assert ratio == pytest.approx(expected, rel=0.05)


def test_smoothing_damps_the_bullwhip_of_order_up_to() -> None:
    rng = np.random.default_rng(9)
    demand = rng.normal(100, 10, size=(30, 400))
    inputs = single_echelon(demand, start=13, lead_time_days=14.0)
    plain = simulate(inputs, OrderUpToPolicy())
    smooth = simulate(inputs, SmoothedOrderUpToPolicy(smoothing_periods=4.0))
    assert smooth.orders.var(axis=1).mean() < 0.5 * plain.orders.var(axis=1).mean()
    # in steady state the smoothed policy still orders the mean demand
    assert smooth.orders[:, 50:].mean() == pytest.approx(demand[:, 63:].mean(), rel=0.02)


def test_margin_maximiser_trims_only_low_margin_items() -> None:
    from hedgerow.sim.policies import MarginMaximiserPolicy

    rng = np.random.default_rng(4)
    demand = rng.poisson(50, size=(2, 60)).astype(float)
    # item 0: 10 % margin (low), item 1: 40 % margin
    inputs = single_echelon(demand, start=20, unit_cost=np.array([9.0, 6.0]), unit_price=np.array([10.0, 10.0]))
    textbook = simulate(inputs, OrderUpToPolicy())
    trimmed = simulate(inputs, MarginMaximiserPolicy())
    assert trimmed.on_hand[0].mean() < textbook.on_hand[0].mean()
    # the high-margin item plans on lost margin alone (no goodwill here), i.e. like the textbook
    np.testing.assert_allclose(trimmed.orders[1], textbook.orders[1])
