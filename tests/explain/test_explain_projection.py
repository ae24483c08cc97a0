"""Projected stock on hand with and without the action: known answers, invariants, and the planner's own flow."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from tests.plan.plan_cases import poisson, single_item, two_locations

from hedgerow.domain.actions import ActionKind
from hedgerow.domain.plan import PROJECTION_QUANTILES, StockProjection
from hedgerow.explain.projection import stock_projection, weighted_quantiles
from hedgerow.pipeline.planning import make_plan
from hedgerow.web.explain_view import explanation_view

NAMES = [n for n, _ in PROJECTION_QUANTILES]


def ordered(fan: Mapping[str, Sequence[float]]) -> bool:
    """p05 <= p25 <= p50 <= p75 <= p95 in every period."""
    series = [np.asarray(fan[n]) for n in NAMES]
    return all(bool(np.all(lo <= hi + 1e-9)) for lo, hi in pairwise(series))


def lost_sales_stock(on_hand: float, arrivals: np.ndarray, demand: np.ndarray) -> np.ndarray:
    """[S, T] end-of-period stock of the lost-sales flow, written out scenario by scenario (the reference)."""
    out = np.zeros_like(demand)
    for s in range(demand.shape[0]):
        stock = on_hand
        for t in range(demand.shape[1]):
            stock += arrivals[t]
            stock -= min(stock, demand[s, t])
            out[s, t] = stock
    return out


def test_weighted_quantiles_known_answer() -> None:
    values = np.array([[1.0, 40.0], [2.0, 30.0], [3.0, 20.0], [4.0, 10.0]])  # [S=4, T=2]
    weight = np.array([0.1, 0.2, 0.3, 0.4])
    q = weighted_quantiles(values, weight, (0.05, 0.25, 0.5, 0.75, 0.95))
    # cumulative weight of period 0 in value order: 0.1, 0.3, 0.6, 1.0 → first value reaching each level
    assert q[:, 0].tolist() == [1.0, 2.0, 3.0, 4.0, 4.0]
    # period 1 in value order: 10 (0.4), 20 (0.7), 30 (0.9), 40 (1.0)
    assert q[:, 1].tolist() == [10.0, 10.0, 20.0, 30.0, 40.0]


def test_an_order_arriving_in_the_window_raises_the_fan_by_the_reference_flow() -> None:
    demand = poisson(10.0, (400, 8), "projection")
    problem, scen = single_item(demand, price=20.0, cost=5.0, lead_days=14.0, on_hand=15.0)
    plan = make_plan(problem, scen)
    [rec] = plan.recommendations
    assert rec.action.kind is ActionKind.ORDER
    ex = rec.explanation
    fan = ex.projection
    assert fan is not None
    w = ex.window_periods
    assert len(fan.periods) == w == 3
    assert fan.periods == tuple((scen.as_of + timedelta(days=7 * t)).isoformat() for t in range(w))
    for series in (fan.with_action, fan.without_action):
        assert set(series) == set(NAMES)
        assert all(len(v) == w for v in series.values())
    # the reference: the same lost-sales flow written out by hand; a 14-day lane lands the order in period 2
    arrivals = np.zeros(w)
    without = lost_sales_stock(15.0, arrivals, demand[:, :w])
    arrivals[2] = rec.action.qty
    with_ = lost_sales_stock(15.0, arrivals, demand[:, :w])
    for k, name in enumerate(NAMES):
        level = PROJECTION_QUANTILES[k][1]
        assert fan.with_action[name] == pytest.approx(np.quantile(with_, level, axis=0, method="inverted_cdf"))
        assert fan.without_action[name] == pytest.approx(np.quantile(without, level, axis=0, method="inverted_cdf"))
    assert ordered(fan.with_action)
    assert ordered(fan.without_action)
    for name in NAMES:
        assert all(a >= b for a, b in zip(fan.with_action[name], fan.without_action[name], strict=True))
    # before the order lands the two fans agree; once it lands the median is higher with it
    assert fan.with_action["p50"][:2] == fan.without_action["p50"][:2]
    assert fan.with_action["p50"][2] > fan.without_action["p50"][2]


def test_every_recommendation_of_a_two_location_plan_has_a_consistent_fan() -> None:
    problem, scen = two_locations(
        poisson(10.0, (300, 8), "a"), poisson(30.0, (300, 8), "b"), on_hand_a=200.0, on_hand_b=5.0
    )
    plan = make_plan(problem, scen)
    kinds = {r.action.kind for r in plan.recommendations}
    assert ActionKind.TRANSFER in kinds
    for rec in plan.recommendations:
        fan = rec.explanation.projection
        assert fan is not None
        assert len(fan.periods) == rec.explanation.window_periods
        assert ordered(fan.with_action)
        assert ordered(fan.without_action)
        if rec.action.kind in (ActionKind.ORDER, ActionKind.TRANSFER):  # stock only added at the destination
            for name in NAMES:
                assert all(a >= b for a, b in zip(fan.with_action[name], fan.without_action[name], strict=True))
        # the JSON form is what the web page draws
        view = explanation_view(rec.explanation.to_dict())
        assert view.projection is not None
        assert view.projection.periods == list(fan.periods)
        assert view.projection.with_action["p50"] == pytest.approx(list(fan.with_action["p50"]), abs=0.01)
    transfer = next(r for r in plan.recommendations if r.action.kind is ActionKind.TRANSFER)
    assert transfer.explanation.projection is not None
    assert sum(transfer.explanation.projection.with_action["p50"]) > sum(
        transfer.explanation.projection.without_action["p50"]
    )


@settings(max_examples=60, deadline=None)
@given(
    base=arrays(np.float64, st.tuples(st.integers(1, 40), st.integers(1, 6)), elements=st.floats(0, 1e4)),
    extra=st.floats(0, 1e3),
    raw_weight=st.lists(st.floats(0.01, 1.0), min_size=40, max_size=40),
    window=st.integers(0, 8),
)
def test_quantiles_are_ordered_and_more_stock_never_lowers_them(
    base: np.ndarray, extra: float, raw_weight: list[float], window: int
) -> None:
    n_s, n_t = base.shape
    weight = np.asarray(raw_weight[:n_s])
    weight /= weight.sum()
    more = base + extra * np.linspace(0.0, 1.0, n_s)[:, None]  # pointwise at least as much stock
    fan = stock_projection(more, base, weight, as_of=date(2026, 11, 23), period_days=7, window=window)
    w = min(window, n_t)
    assert len(fan.periods) == w
    assert ordered(fan.with_action)
    assert ordered(fan.without_action)
    for name in NAMES:
        assert len(fan.with_action[name]) == len(fan.without_action[name]) == w
        assert all(a >= b - 1e-9 for a, b in zip(fan.with_action[name], fan.without_action[name], strict=True))
    assert fan.to_dict()["periods"] == list(fan.periods)


def test_a_projection_refuses_series_of_the_wrong_length() -> None:
    with pytest.raises(ValueError, match=r"with_action\[p50\] has 1 values for 2 periods"):
        StockProjection("units", 7, ("2026-11-23", "2026-11-30"), {"p50": (1.0,)}, {})
