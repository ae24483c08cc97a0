"""The inventory-flow kernel, CVaR and the marginal values of one more / one fewer unit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from hedgerow.plan.costs import cvar, flow_cost, marginal_costs, objective, risk_weights, simulate, tail_weights


def test_simulate_hand_computed_case() -> None:
    # one item-location, one scenario, three periods: 5 on hand, 4 arrive in period 1, demand 3, 8, 2
    inflow = np.array([[[5.0, 4.0, 0.0, 1.0]]])
    demand = np.array([[[3.0, 8.0, 2.0]]])
    holding = np.array([[0.5, 0.5, 0.5]])
    flow = simulate(inflow, demand, holding, np.array([1]), np.array([3]), keep_paths=True)
    assert flow.lost is not None
    assert flow.stock is not None
    np.testing.assert_array_equal(flow.stock[0, 0], [2.0, 0.0, 0.0])
    np.testing.assert_array_equal(flow.lost[0, 0], [0.0, 2.0, 2.0])
    assert flow.lost_units[0, 0] == 4.0
    assert flow.holding_cost[0, 0] == pytest.approx(1.0)
    assert flow.end_stock[0, 0] == 1.0  # nothing left on hand, one unit arrives after the window
    assert bool(flow.stockout[0, 0])
    cost = flow_cost(flow, penalty=np.array([[10.0]]), writedown=np.array([2.0]))
    assert cost[0, 0] == pytest.approx(1.0 + 40.0 + 2.0)


def test_stockout_counts_only_the_floor_window() -> None:
    inflow = np.array([[[0.0, 10.0, 0.0, 0.0]]])
    demand = np.array([[[1.0, 1.0, 1.0]]])
    holding = np.zeros((1, 3))
    early = simulate(inflow, demand, holding, np.array([1]), np.array([3]))
    assert not early.stockout.any()  # the lost sale in period 0 lies before the floor window
    whole = simulate(inflow, demand, holding, np.array([0]), np.array([3]))
    assert whole.stockout.all()


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.float64, (3, 4, 5), elements=st.integers(0, 20).map(float)),
    arrays(np.float64, (3, 4, 6), elements=st.integers(0, 15).map(float)),
)
def test_stock_balance_and_signs(demand: np.ndarray, inflow: np.ndarray) -> None:
    flow = simulate(inflow, demand, np.full((3, 5), 0.1), np.zeros(3, dtype=np.int64), np.full(3, 5), keep_paths=True)
    sales = demand.sum(axis=2) - flow.lost_units
    # everything that came in was sold or is still there
    np.testing.assert_allclose(inflow.sum(axis=2), sales + flow.end_stock)
    assert (flow.lost_units >= 0).all()
    assert (sales >= -1e-12).all()
    assert (flow_cost(flow, np.ones((3, 4)), np.ones(3)) >= 0).all()


def test_cvar_known_values() -> None:
    cost = np.arange(1.0, 101.0)[None, :]
    p = np.full(100, 0.01)
    assert cvar(cost, p, 0.9)[0] == pytest.approx(np.mean(np.arange(91.0, 101.0)))
    # the boundary scenario is split: worst 2.5 % of 100 equal scenarios = 100, 99 and half of 98
    assert cvar(cost, p, 0.975)[0] == pytest.approx((100 + 99 + 0.5 * 98) / 2.5)
    w = tail_weights(cost, p, 0.975)
    assert w.sum() == pytest.approx(1.0)


def test_objective_mixes_mean_and_cvar() -> None:
    rng = np.random.default_rng(3)
    cost = rng.gamma(2.0, 10.0, (4, 200))
    p = np.full(200, 1 / 200)
    obj = objective(cost, p, 0.95, 0.3)
    np.testing.assert_allclose(obj, 0.7 * cost.mean(axis=1) + 0.3 * cvar(cost, p, 0.95))
    np.testing.assert_allclose((risk_weights(cost, p, 0.95, 0.3) * cost).sum(axis=1), obj)


@settings(max_examples=40, deadline=None)
@given(
    arrays(np.float64, (2, 3, 4), elements=st.integers(0, 12).map(float)),
    arrays(np.float64, (2, 3, 5), elements=st.integers(0, 10).map(float)),
    st.integers(0, 4),
)
def test_marginal_costs_equal_finite_differences(demand: np.ndarray, inflow: np.ndarray, t: int) -> None:
    holding = np.array([[0.3, 0.2, 0.2, 0.1], [0.5, 0.5, 0.5, 0.5]])
    penalty = np.array([[7.0, 8.0, 9.0], [3.0, 3.0, 3.0]])
    writedown = np.array([1.5, 0.0])
    ff, tt = np.zeros(2, dtype=np.int64), np.full(2, 4)

    def cost(v: np.ndarray) -> np.ndarray:
        return flow_cost(simulate(v, demand, holding, ff, tt), penalty, writedown)

    flow = simulate(inflow, demand, holding, ff, tt, keep_paths=True)
    assert flow.lost is not None
    assert flow.stock is not None
    add, rem = marginal_costs(flow.lost, flow.stock, holding, penalty, writedown)
    eps = 1e-4
    up = inflow.copy()
    up[:, :, t] += eps
    np.testing.assert_allclose((cost(up) - cost(inflow)) / eps, add[:, :, t], atol=1e-6)
    down = inflow.copy()
    down[:, :, t] -= eps
    can = inflow[:, :, : t + 1].sum(axis=2) >= 1  # removing needs something available by then
    fd = (cost(down) - cost(inflow)) / eps
    np.testing.assert_allclose(fd[can], rem[:, :, t][can], atol=1e-6)
