"""Metrics on hand-checkable runs: CVaR, fill rates, bundle fill rate, bullwhip per echelon, capital, approvals."""

from __future__ import annotations

import numpy as np
import pytest

from hedgerow.sim.costs import cost_arrays
from hedgerow.sim.engine import ApprovalRule, simulate
from hedgerow.sim.history import Decision, HistoryView
from hedgerow.sim.inputs import SimInputs
from hedgerow.sim.metrics import compute_metrics, cvar
from hedgerow.sim.policies import BaseStockPolicy, OrderUpToPolicy
from hedgerow.sim.synthetic import single_echelon


def test_cvar_averages_the_worst_tail_with_a_fractional_edge() -> None:
    values = np.arange(1.0, 11.0)  # 1..10
    assert cvar(values, 0.9) == pytest.approx(10.0)
    assert cvar(values, 0.8) == pytest.approx(9.5)
    assert cvar(values, 0.75) == pytest.approx((10 + 9 + 0.5 * 8) / 2.5)
    assert cvar(values, 0.0) == pytest.approx(values.mean())
    with pytest.raises(ValueError, match="CVaR level"):
        cvar(values, 1.0)


def _three_items() -> SimInputs:
    """A laptop and a cable at one location, and a kit of one laptop and two cables assembled to order."""
    demand = np.array(
        [
            [0, 0, 5, 5, 5, 5],  # laptop
            [0, 0, 10, 10, 10, 10],  # cable
            [0, 0, 2, 2, 2, 2],  # kit
        ],
        dtype=float,
    )
    return single_echelon(
        demand,
        start=2,
        lead_time_days=0.0,
        unit_cost=np.array([400.0, 1.0, 450.0]),
        unit_price=np.array([500.0, 5.0, 520.0]),
        item_class=("A", "C", "B"),
        initial_on_hand=np.array([100.0, 15.0, 0.0]),
        initial_pipeline=np.zeros((3, 0)),
        kits={2: ((0, 1.0), (1, 2.0))},
    )


class OrderOnlyFrom:
    """Orders nothing before period ``t0``, then exactly what the period will take (lead time 0)."""

    def __init__(self, t0: int, need: np.ndarray) -> None:
        self.t0, self.need = t0, need

    @property
    def name(self) -> str:
        return "late"

    def settings(self) -> dict[str, object]:
        return {}

    def reset(self) -> None:
        pass

    def decide(self, view: HistoryView) -> Decision:
        qty = self.need[:, view.t] if view.t >= self.t0 else np.zeros(view.n_il)
        return Decision.on_primary(qty, view)


def test_fill_rates_lost_revenue_bundle_fill_and_capital_by_hand() -> None:
    inputs = _three_items()
    # what each item's stock must cover: its own demand plus what the kits take (kit rows order nothing)
    need = inputs.demand.copy()
    need[0] += 1.0 * inputs.demand[2]
    need[1] += 2.0 * inputs.demand[2]
    run = simulate(inputs, OrderOnlyFrom(4, need))
    m = compute_metrics(inputs, run, cost_arrays(inputs), cvar_level=0.5)
    # period 2: kits first take 2 laptops and 4 cables (11 cables left), 10 cables sold alone -> 1 left;
    # period 3: the kits need 4 cables, only 1 is there -> 0.5 kit made, no cable left to sell alone.
    # from period 4 on everything is served. The laptop never runs short.
    kit_fill = (2 + 0.5 + 2 + 2) / 8
    cable_fill = (10 + 0 + 10 + 10) / 40
    by_class = {c.item_class: c for c in m.by_class}
    assert by_class["C"].fill_rate == pytest.approx(cable_fill)
    assert by_class["C"].unmet_units == pytest.approx(10.0)
    assert by_class["C"].cycle_service_level == pytest.approx(3 / 4)
    assert by_class["B"].fill_rate == pytest.approx(kit_fill)
    assert by_class["A"].fill_rate == 1.0
    assert m.bundle_fill_rate == pytest.approx(kit_fill)
    assert m.lost_revenue == pytest.approx(10.0 * 5.0 + 1.5 * 520.0)
    np.testing.assert_allclose(run.consumed[1], [4.0, 1.0, 4.0, 4.0])
    np.testing.assert_allclose(run.consumed[0], [2.0, 0.5, 2.0, 2.0])
    assert run.on_hand[2].max() == 0.0  # a kit holds no stock
    # capital: on hand × unit cost, mean over periods
    expected_capital = (run.on_hand * np.array([[400.0], [1.0], [450.0]])).sum(axis=0).mean()
    assert m.capital_tied_up == pytest.approx(expected_capital)
    assert m.actions == 4  # laptop and cable in periods 4 and 5; the kit orders nothing
    assert m.approvals == 4


def test_approval_rule_counts_only_orders_above_the_auto_approval_value() -> None:
    inputs = _three_items()
    run = simulate(inputs, OrderOnlyFrom(4, inputs.demand), approval=ApprovalRule(auto_approve_max_value=100.0))
    # cable orders are worth 10 × 1 = 10 <= 100: auto-approved; laptop orders (5 × 400) need a person
    assert int(run.actions.sum()) == 4
    assert int(run.approvals.sum()) == 2


def test_bullwhip_is_one_for_base_stock_and_above_one_for_order_up_to() -> None:
    """A base-stock policy orders what was sold (demand passes through: ratio 1 when stock rarely runs out); the
    textbook order-up-to re-estimates its level every period and amplifies."""
    rng = np.random.default_rng(1)
    demand = rng.normal(50, 10, size=(5, 400))
    inputs = single_echelon(demand, start=13, lead_time_days=14.0)
    level = 50 * 3 + 4 * 10 * np.sqrt(3)
    steady = compute_metrics(inputs, simulate(inputs, BaseStockPolicy(np.full(5, level))), cost_arrays(inputs))
    assert steady.bullwhip[0].bullwhip == pytest.approx(1.0, abs=0.05)
    textbook = compute_metrics(inputs, simulate(inputs, OrderUpToPolicy()), cost_arrays(inputs))
    assert textbook.bullwhip[0].bullwhip > 1.5
    assert textbook.bullwhip[0].bullwhip_vs_consumer > 1.5


def test_bullwhip_is_reported_per_echelon(small_network: SimInputs) -> None:
    m = compute_metrics(small_network, simulate(small_network, OrderUpToPolicy()), cost_arrays(small_network))
    assert [b.echelon for b in m.bullwhip] == [0, 1]
    assert m.bullwhip[0].item_locations == 48
    assert m.bullwhip[1].item_locations == 24
    # the DC sees the stores' orders, so its amplification relative to consumers compounds the stores'
    assert m.bullwhip[1].bullwhip_vs_consumer > m.bullwhip[0].bullwhip_vs_consumer
