"""The closed-form floor quantities agree with brute force over the simulation."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hedgerow.plan.costs import simulate
from hedgerow.plan.floorcalc import max_remove_keeping_floor, min_add_for_floor


def _prob(inflow: np.ndarray, demand: np.ndarray, f: np.ndarray, w: np.ndarray) -> np.ndarray:
    flow = simulate(inflow, demand, np.zeros(demand.shape[::2]), f, w)
    return flow.stockout.mean(axis=1)


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 5), st.floats(0.0, 0.6))
def test_min_add_is_the_smallest_quantity_that_meets_the_floor(seed: int, tw: int, limit: float) -> None:
    rng = np.random.default_rng(seed)
    n_s = 12
    demand = rng.integers(0, 6, (1, n_s, tw)).astype(float)
    inflow = np.zeros((1, n_s, tw + 1))
    inflow[:, :, 0] = rng.integers(0, 10)
    inflow[:, :, rng.integers(0, tw + 1)] += rng.integers(0, 8)
    f = np.array([rng.integers(0, tw)])
    w_end = np.array([tw])
    arrival = rng.integers(0, tw + 1, (1, n_s))
    flow = simulate(inflow, demand, np.zeros((1, tw)), f, w_end, keep_paths=True)
    assert flow.lost is not None
    q = min_add_for_floor(flow.lost, arrival, f, w_end, np.full(n_s, 1 / n_s), np.array([limit]))[0]

    def prob_after(amount: float) -> float:
        v = inflow.copy()
        v[0, np.arange(n_s), arrival[0]] += amount
        return float(_prob(v, demand, f, w_end)[0])

    if np.isinf(q):
        assert prob_after(1000.0) > limit + 1e-12
    else:
        assert prob_after(q) <= limit + 1e-12
        if q >= 1:
            assert prob_after(q - 1) > limit + 1e-12  # whole-unit demand: one unit less is not enough


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 5), st.floats(0.0, 0.6))
def test_max_remove_is_the_largest_quantity_that_keeps_the_floor(seed: int, tw: int, limit: float) -> None:
    rng = np.random.default_rng(seed)
    n_s = 12
    demand = rng.integers(0, 6, (1, n_s, tw)).astype(float)
    inflow = np.zeros((1, n_s, tw + 1))
    start = float(rng.integers(0, 25))
    inflow[:, :, 0] = start
    inflow[:, :, rng.integers(1, tw + 1)] += rng.integers(0, 8)
    f = np.array([rng.integers(0, tw)])
    w_end = np.array([tw])
    flow = simulate(inflow, demand, np.zeros((1, tw)), f, w_end, keep_paths=True)
    assert flow.lost is not None
    assert flow.stock is not None
    q = max_remove_keeping_floor(flow.lost, flow.stock, f, w_end, np.full(n_s, 1 / n_s), np.array([limit]))[0]
    p_now = float(_prob(inflow, demand, f, w_end)[0])

    def prob_after(amount: float) -> float:
        v = inflow.copy()
        v[:, :, 0] -= amount
        return float(_prob(v, demand, f, w_end)[0])

    if p_now > limit + 1e-12:
        assert q == 0.0
        return
    q_eff = min(q, start)
    assert prob_after(q_eff) <= limit + 1e-12
    if q < start:
        assert prob_after(q + 1) > limit + 1e-12


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 5), st.floats(0.0, 0.6))
def test_max_remove_from_a_later_period(seed: int, tw: int, limit: float) -> None:
    rng = np.random.default_rng(seed)
    n_s = 12
    demand = rng.integers(0, 6, (1, n_s, tw)).astype(float)
    inflow = np.zeros((1, n_s, tw + 1))
    inflow[:, :, 0] = rng.integers(0, 15)
    start = rng.integers(0, tw, (1, n_s))
    inflow[0, np.arange(n_s), start[0]] += 10.0  # units arriving at ``start`` that may be taken back
    f = np.array([rng.integers(0, tw)])
    w_end = np.array([tw])
    flow = simulate(inflow, demand, np.zeros((1, tw)), f, w_end, keep_paths=True)
    assert flow.lost is not None
    assert flow.stock is not None
    q = max_remove_keeping_floor(
        flow.lost, flow.stock, f, w_end, np.full(n_s, 1 / n_s), np.array([limit]), start=start
    )[0]
    p_now = float(_prob(inflow, demand, f, w_end)[0])

    def prob_after(amount: float) -> float:
        v = inflow.copy()
        v[0, np.arange(n_s), start[0]] -= amount
        return float(_prob(v, demand, f, w_end)[0])

    if p_now > limit + 1e-12:
        assert q == 0.0
        return
    q_eff = min(q, 10.0)
    assert prob_after(q_eff) <= limit + 1e-12
    if q < 10.0:
        assert prob_after(q + 1) > limit + 1e-12
