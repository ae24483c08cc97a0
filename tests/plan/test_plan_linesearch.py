"""The line search finds the best quantity along one direction (checked against brute force)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hedgerow.plan.costs import flow_cost, simulate
from hedgerow.plan.linesearch import add_steps, best_quantity, remove_steps


def _case(seed: int, tw: int):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    n_s = 10
    demand = rng.integers(0, 7, (1, n_s, tw)).astype(float)
    inflow = np.zeros((1, n_s, tw + 1))
    inflow[:, :, 0] = rng.integers(0, 20)
    inflow[0, np.arange(n_s), rng.integers(1, tw + 1, n_s)] += rng.integers(0, 9)
    holding = rng.uniform(0.05, 1.0, (1, tw))
    penalty = rng.uniform(1.0, 6.0, (1, n_s))
    writedown = rng.uniform(0.0, 3.0, 1)
    return demand, inflow, holding, penalty, writedown, n_s


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 5), st.floats(-0.5, 2.0))
def test_transfer_like_move_is_optimal_along_its_direction(seed: int, tw: int, gamma: float) -> None:
    """Add at the destination from ``a`` and take the same units from the source at period 0."""
    rng = np.random.default_rng(seed + 1)
    d_dst, in_dst, h_dst, p_dst, w_dst, n_s = _case(seed, tw)
    d_src, in_src, h_src, p_src, w_src, _ = _case(seed + 7, tw)
    a = rng.integers(0, tw + 1, (1, n_s))
    weight = np.full((1, n_s), 1 / n_s)
    ff, tt = np.zeros(1, dtype=np.int64), np.full(1, tw)

    def cost(q: float) -> float:
        dst = in_dst.copy()
        dst[0, np.arange(n_s), a[0]] += q
        src = in_src.copy()
        src[:, :, 0] -= q
        c_dst = flow_cost(simulate(dst, d_dst, h_dst, ff, tt), p_dst, w_dst)
        c_src = flow_cost(simulate(src, d_src, h_src, ff, tt), p_src, w_src)
        return float(((c_dst + c_src + gamma * q) * weight).sum())

    f_dst = simulate(in_dst, d_dst, h_dst, ff, tt, keep_paths=True)
    f_src = simulate(in_src, d_src, h_src, ff, tt, keep_paths=True)
    assert f_dst.lost is not None
    assert f_src.stock is not None
    parts = [
        add_steps(f_dst.lost, h_dst, p_dst, w_dst, a, np.full((1, n_s), gamma), weight),
        remove_steps(f_src.stock, h_src, p_src, w_src, np.zeros((1, n_s), dtype=np.int64), np.zeros((1, n_s)), weight),
    ]
    movable = float(in_src[0, 0, 0])
    q = float(best_quantity(parts, np.array([movable]))[0])
    grid = np.arange(0, movable + 1)
    best = min(cost(g) for g in grid)
    assert cost(q) <= best + 1e-9


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 5))
def test_whole_unit_table_agrees_with_the_sorted_steps(seed: int, tw: int) -> None:
    d, inflow, h, p, w, n_s = _case(seed, tw)
    rng = np.random.default_rng(seed + 3)
    a = rng.integers(0, tw + 1, (1, n_s))
    weight = np.full((1, n_s), 1 / n_s)
    f = simulate(inflow, d, h, np.zeros(1, dtype=np.int64), np.full(1, tw), keep_paths=True)
    assert f.lost is not None
    parts = [add_steps(f.lost, h, p, w, a, np.full((1, n_s), float(rng.uniform(-0.5, 2))), weight)]
    cap = np.array([1000.0])
    assert best_quantity(parts, cap, whole_units=True)[0] == best_quantity(parts, cap)[0]
