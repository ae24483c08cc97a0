"""The replay engine: stock balance for every policy (property test), past-only views, the clairvoyant bound."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hedgerow.sim.engine import PolicyError, SimRun, simulate
from hedgerow.sim.history import Decision, HistoryView
from hedgerow.sim.inputs import SimInputs, UnmetDemand, lead_periods
from hedgerow.sim.policies import (
    BaseStockPolicy,
    FixedPlanPolicy,
    MarginMaximiserPolicy,
    OrderUpToPolicy,
    Policy,
    StockpylBaseStockPolicy,
    clairvoyant_plan,
)
from hedgerow.sim.synthetic import store_network
from tests.sim.conftest import RandomPolicy

TOL = 1e-7


def with_air_option(inputs: SimInputs, rng: np.random.Generator) -> SimInputs:
    """Give every item-location that buys from a supplier a second, faster and dearer lane (an air option)."""
    roots = np.flatnonzero(inputs.parent < 0)
    n_lanes = len(inputs.lane_ids)
    primary = sorted({int(inputs.lane_options[i, 0]) for i in roots})
    new_index = {lane: n_lanes + k for k, lane in enumerate(primary)}
    options = np.full((inputs.n_il, 2), -1, dtype=np.int64)
    options[:, 0] = inputs.lane_options[:, 0]
    for i in roots:
        options[i, 1] = new_index[int(inputs.lane_options[i, 0])]
    t = inputs.n_periods
    air_lt = rng.uniform(1, 6, size=(len(primary), t))
    return replace(
        inputs,
        lane_options=options,
        lane_ids=inputs.lane_ids + tuple(f"AIR-{k}" for k in range(len(primary))),
        lane_origin=inputs.lane_origin + tuple(inputs.lane_origin[p] for p in primary),
        lane_destination=inputs.lane_destination + tuple(inputs.lane_destination[p] for p in primary),
        lane_mode=inputs.lane_mode + ("air",) * len(primary),
        lane_ports=inputs.lane_ports + ((),) * len(primary),
        lane_countries=inputs.lane_countries + tuple(inputs.lane_countries[p] for p in primary),
        lane_nominal_days=np.concatenate([inputs.lane_nominal_days, np.full(len(primary), 3.0)]),
        lane_lead_time_days=np.vstack([inputs.lane_lead_time_days, air_lt]),
        lane_capacity_factor=np.vstack([inputs.lane_capacity_factor, np.ones((len(primary), t))]),
        lane_cost_per_unit=np.concatenate([inputs.lane_cost_per_unit, np.full(len(primary), 2.5)]),
        lane_currency=np.concatenate([inputs.lane_currency, np.zeros(len(primary), dtype=np.int64)]),
    )


def add_kits(inputs: SimInputs, rng: np.random.Generator) -> SimInputs:
    """Turn one customer-facing item-location per location (with at least three) into a bundle assembled from two
    others there (one and two units per bundle)."""
    parent, options = inputs.parent.copy(), inputs.lane_options.copy()
    on_hand, pipeline = inputs.initial_on_hand.copy(), inputs.initial_pipeline.copy()
    bom: list[tuple[int, int, float]] = []
    locations = np.asarray(inputs.location_ids)
    for loc in sorted(set(inputs.location_ids)):
        rows = np.flatnonzero((locations == loc) & (inputs.echelon == 0))
        if rows.size < 3:
            continue
        kit, a, b = rng.choice(rows, size=3, replace=False)
        parent[kit], options[kit], on_hand[kit], pipeline[kit] = -1, -1, 0.0, 0.0
        bom += [(int(kit), int(a), 1.0), (int(kit), int(b), 2.0)]
    if not bom:
        return inputs
    return replace(
        inputs,
        parent=parent,
        lane_options=options,
        initial_on_hand=on_hand,
        initial_pipeline=pipeline,
        bom_bundle=np.array([k for k, _a, _q in bom], dtype=np.int64),
        bom_component=np.array([a for _k, a, _q in bom], dtype=np.int64),
        bom_qty=np.array([q for _k, _a, q in bom]),
    )


@st.composite
def networks(draw: st.DrawFn, kits: bool = True) -> SimInputs:
    """Small random networks: 1–2 echelons, random transit times, capacity cuts, an optional air lane."""
    seed = draw(st.integers(0, 10_000))
    rng = np.random.default_rng(seed)
    n_dcs = draw(st.integers(1, 2))
    inputs = store_network(
        rng,
        n_items=draw(st.integers(1, 4)),
        n_stores=draw(st.integers(1, 3)),
        n_dcs=n_dcs,
        n_periods=draw(st.integers(16, 30)),
        start=draw(st.integers(4, 12)),
        supplier_days=draw(st.floats(0.0, 30.0)),
        store_days=draw(st.sampled_from([0.0, 2.0, 5.0, 9.0])),
    )
    lt = inputs.lane_lead_time_days * rng.uniform(0.2, 2.5, size=inputs.lane_lead_time_days.shape)
    cap = np.where(
        rng.random(inputs.lane_capacity_factor.shape) < 0.15, rng.uniform(0, 1, inputs.lane_capacity_factor.shape), 1.0
    )
    inputs = replace(inputs, lane_lead_time_days=lt, lane_capacity_factor=cap)
    if draw(st.booleans()):
        inputs = with_air_option(inputs, rng)
    if kits and draw(st.booleans()):
        inputs = add_kits(inputs, rng)
    return inputs


def check_balance(inputs: SimInputs, run: SimRun) -> None:
    """Stock balance and sign conditions of every item-location in every period."""
    arrays = [
        getattr(run, f) for f in ("on_hand", "on_order", "sales", "arrivals", "shipped_in", "shipped_out", "backlog")
    ]
    for a in arrays:
        assert a.min() >= -TOL
    kits = inputs.assembled
    stock = run.on_hand_start + run.arrivals - run.shipped_out - run.consumed - np.where(kits[:, None], 0.0, run.sales)
    np.testing.assert_allclose(run.on_hand, stock, atol=1e-6)
    assert np.all(run.on_hand[kits] == 0)
    assert np.all(run.orders[kits] == 0)
    # what bundles took from each component is exactly qty × bundles sold
    taken = np.zeros_like(run.consumed)
    np.add.at(taken, inputs.bom_component, inputs.bom_qty[:, None] * run.sales[inputs.bom_bundle])
    np.testing.assert_allclose(run.consumed, taken, atol=1e-6)
    np.testing.assert_allclose(run.on_order, run.on_order_start + run.shipped_in - run.arrivals, atol=1e-6)
    np.testing.assert_allclose(run.on_hand_start[:, 1:], run.on_hand[:, :-1], atol=1e-9)
    np.testing.assert_allclose(run.on_hand_start[:, 0], inputs.initial_on_hand)
    np.testing.assert_allclose(run.demand, inputs.demand[:, inputs.start :])
    if run.unmet is UnmetDemand.LOST:
        np.testing.assert_allclose(run.sales + run.unmet_units, run.demand, atol=1e-6)
        assert np.all(run.backlog == 0)
    else:
        prev = np.concatenate([np.zeros((inputs.n_il, 1)), run.backlog[:, :-1]], axis=1)
        np.testing.assert_allclose(run.backlog, prev + run.demand - run.sales, atol=1e-6)
        np.testing.assert_allclose(run.filled + run.unmet_units, run.demand, atol=1e-6)
    # what a DC ships out equals what its children received
    kids = np.flatnonzero(inputs.parent >= 0)
    received = np.zeros_like(run.shipped_out)
    np.add.at(received, inputs.parent[kids], run.shipped_in[kids])
    np.testing.assert_allclose(run.shipped_out, received, atol=1e-6)
    # nothing ships beyond what was ordered
    assert np.all(run.shipped_in <= run.orders + 1e-6)


def all_policies(inputs: SimInputs, unmet: UnmetDemand, seed: int) -> list[Policy]:
    levels = np.random.default_rng(seed).uniform(0, 200, inputs.n_il)
    plan = clairvoyant_plan(inputs, unmet)
    return [
        OrderUpToPolicy(),
        MarginMaximiserPolicy(),
        StockpylBaseStockPolicy(),
        BaseStockPolicy(levels),
        RandomPolicy(seed),
        FixedPlanPolicy(plan.requested, objective=plan.objective),
    ]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inputs=networks(), unmet=st.sampled_from(list(UnmetDemand)), seed=st.integers(0, 1000))
def test_stock_balance_holds_every_period_for_every_policy(inputs: SimInputs, unmet: UnmetDemand, seed: int) -> None:
    for policy in all_policies(inputs, unmet, seed):
        run = simulate(inputs, policy, unmet=unmet)
        check_balance(inputs, run)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inputs=networks(), unmet=st.sampled_from(list(UnmetDemand)), seed=st.integers(0, 1000))
def test_clairvoyant_bound_is_never_beaten(inputs: SimInputs, unmet: UnmetDemand, seed: int) -> None:
    plan = clairvoyant_plan(inputs, unmet)
    for policy in all_policies(inputs, unmet, seed):
        cost = simulate(inputs, policy, unmet=unmet).total_cost
        assert cost >= plan.objective - 1e-6 * max(1.0, abs(plan.objective))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inputs=networks(kits=False), unmet=st.sampled_from(list(UnmetDemand)))
def test_replaying_the_clairvoyant_plan_costs_exactly_its_objective(inputs: SimInputs, unmet: UnmetDemand) -> None:
    plan = clairvoyant_plan(inputs, unmet)
    run = simulate(inputs, FixedPlanPolicy(plan.requested, objective=plan.objective), unmet=unmet)
    assert run.total_cost == pytest.approx(plan.objective, rel=1e-6, abs=1e-6)
    np.testing.assert_allclose(run.shipped_in, plan.shipped.sum(axis=1), atol=1e-6)


def test_lp_is_strictly_below_a_baseline_on_a_real_instance(small_network: SimInputs) -> None:
    plan = clairvoyant_plan(small_network)
    textbook = simulate(small_network, OrderUpToPolicy())
    assert 0 < plan.objective < textbook.total_cost


class Recorder:
    """A policy that remembers every view it saw and orders a fixed amount."""

    def __init__(self) -> None:
        self.views: list[HistoryView] = []

    @property
    def name(self) -> str:
        return "recorder"

    def settings(self) -> dict[str, object]:
        return {}

    def reset(self) -> None:
        self.views = []

    def decide(self, view: HistoryView) -> Decision:
        self.views.append(view)
        return Decision.on_primary(np.full(view.n_il, 5.0), view)


def test_views_hold_only_the_past(small_network: SimInputs) -> None:
    """Changing demand from period k on cannot change anything a policy saw at k or before."""
    k = small_network.start + 10
    demand = small_network.demand.copy()
    demand[:, k:] *= 3.0
    changed = replace(small_network, demand=demand)
    a, b = Recorder(), Recorder()
    simulate(small_network, a)
    simulate(changed, b)
    for t, (va, vb) in enumerate(zip(a.views, b.views, strict=True), start=small_network.start):
        assert va.t == t
        assert va.demand.shape == (small_network.n_il, t)
        if t <= k:
            np.testing.assert_array_equal(va.demand, vb.demand)
            np.testing.assert_array_equal(va.on_hand, vb.on_hand)
            np.testing.assert_array_equal(va.on_order, vb.on_order)
    assert not np.array_equal(a.views[-1].demand, b.views[-1].demand)
    with pytest.raises(ValueError, match="read-only"):
        a.views[0].demand[0, 0] = 1.0


def test_planned_drivers_are_visible_only_lookahead_periods_ahead(small_network: SimInputs) -> None:
    rec = Recorder()
    simulate(small_network, rec)
    for view in rec.views:
        expected = min(small_network.n_periods, view.t + 1 + small_network.driver_lookahead)
        assert view.known_ahead["promo"].shape[1] == expected


def test_bad_orders_are_rejected_with_the_policy_named(small_network: SimInputs) -> None:
    class Negative(Recorder):
        def decide(self, view: HistoryView) -> Decision:
            return Decision.on_primary(np.full(view.n_il, -1.0), view)

    with pytest.raises(PolicyError, match="recorder"):
        simulate(small_network, Negative())


def test_lost_sales_and_backorders_differ_only_where_stock_ran_out(small_network: SimInputs) -> None:
    lost = simulate(small_network, BaseStockPolicy(np.full(small_network.n_il, 5.0)), unmet=UnmetDemand.LOST)
    owed = simulate(small_network, BaseStockPolicy(np.full(small_network.n_il, 5.0)), unmet=UnmetDemand.BACKORDER)
    assert lost.unmet_units.sum() > 0
    assert owed.backlog[:, -1].sum() > 0
    assert lost.backlog.sum() == 0


def test_a_replay_starts_knowing_the_warmup_lead_times(small_network: SimInputs) -> None:
    """The first view's lead-time record is the warm-up's: one shipment per warm-up period on each item-location's
    primary lane, counted when it arrived before the replay — and a late warm-up truck shows in it."""
    start, pdays = small_network.start, small_network.period_days
    lt_days = small_network.lane_lead_time_days.copy()
    store = int(np.flatnonzero(small_network.parent >= 0)[0])
    dc = int(small_network.parent[store])
    lane = int(small_network.lane_options[dc, 0])
    lt_days[lane, start - 6] += 3 * pdays  # one warm-up truck three periods late (arrives before the replay)
    late = replace(small_network, lane_lead_time_days=lt_days)
    rec = Recorder()
    simulate(late, rec)
    first = rec.views[0]
    lt = lead_periods(lt_days, pdays)[lane, :start]
    seen = np.arange(start) + lt <= start - 1
    assert first.lead_time_count[dc] == seen.sum()
    assert first.lead_time_mean[dc] == pytest.approx(lt[seen].mean())
    assert first.lead_time_std[dc] == pytest.approx(lt[seen].std())
    assert first.lead_time_std[dc] > 0  # the late truck is on record
    # a later view adds the replay's own arrivals to the record
    assert rec.views[-1].lead_time_count[dc] > first.lead_time_count[dc]
