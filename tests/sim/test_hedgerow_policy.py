"""hedgerow's planner as a simulator policy: end to end, no lookahead, deterministic, and better than the textbook
rule when demand shifts."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from hedgerow.config import Settings
from hedgerow.scenarios.scenario_set import DemandBlock
from hedgerow.sim.backtest import BacktestSettings, run_backtest
from hedgerow.sim.costs import cost_arrays
from hedgerow.sim.engine import ApprovalRule, _Replay, simulate
from hedgerow.sim.frames import FrameOptions, inputs_from_frames
from hedgerow.sim.history import Decision, HistoryView
from hedgerow.sim.inputs import SimInputs, UnmetDemand
from hedgerow.sim.policies import OrderUpToPolicy, PolicyName
from hedgerow.sim.policies.hedgerow import (
    HedgerowBackend,
    HedgerowSettings,
    NetworkSpec,
    UpstreamPlanning,
    hedgerow_backend,
    hedgerow_policy,
)
from hedgerow.sim.policies.hedgerow.backend import (
    echelon_block,
    echelon_stock,
    freight_premium,
    position_orders,
    smooth_orders,
    stage_block,
)
from hedgerow.sim.policies.hedgerow.demand import own_demand
from hedgerow.sim.policies.hedgerow.supply import draw_leads, lane_leads, pipeline
from hedgerow.sim.synthetic import single_echelon, store_network
from tests.sim.helpers import network_frames

FAST = HedgerowSettings(n_scenarios=60)
_CFG = Settings()
UNBOUNDED = replace(_CFG, orders=replace(_CFG.orders, max_change_per_period=float("inf")))


class Recorder:
    """Wraps a backend and keeps every view and decision."""

    def __init__(self, backend: HedgerowBackend) -> None:
        self.backend = backend
        self.views: list[HistoryView] = []
        self.decisions: list[Decision] = []

    @property
    def name(self) -> str:
        return PolicyName.HEDGEROW.value

    def settings(self) -> dict[str, object]:
        return self.backend.settings()

    def reset(self) -> None:
        self.backend.reset()
        self.views, self.decisions = [], []

    def decide(self, view: HistoryView) -> Decision:
        decision = self.backend.recommend(view)
        self.views.append(view)
        self.decisions.append(decision)
        return decision


@pytest.fixture(scope="module")
def network() -> SimInputs:
    """6 items at 3 stores behind 1 DC, 36 weeks of which 12 simulated."""
    return store_network(np.random.default_rng(5), n_items=6, n_stores=3, n_dcs=1, n_periods=36, start=24)


@pytest.fixture(scope="module")
def recorded(network: SimInputs) -> Recorder:
    rec = Recorder(hedgerow_backend(network, FAST))
    simulate(network, rec)
    return rec


def test_runs_end_to_end_and_orders_only_what_the_network_allows(network: SimInputs, recorded: Recorder) -> None:
    assert len(recorded.decisions) == network.n_simulated
    valid = network.lane_options >= 0
    total = 0.0
    for d in recorded.decisions:
        assert d.qty.shape == network.lane_options.shape
        assert np.all(np.isfinite(d.qty))
        assert float(d.qty.min()) >= 0.0
        assert not np.any(d.qty[~valid] > 0)
        assert d.needs_approval is not None
        assert d.needs_approval.shape == d.qty.shape
        assert not np.any(d.needs_approval & (d.qty <= 0))
        total += float(d.qty.sum())
    # it replenishes: over the run it orders about what the stores sold (not nothing, not a multiple)
    run = simulate(network, hedgerow_policy(network, FAST))
    stores = network.echelon == 0
    sold = float(run.sales[stores].sum())
    assert 0.5 * sold < float(run.orders[stores].sum()) < 2.0 * sold
    assert total == pytest.approx(float(run.orders.sum()))


def test_same_seed_same_decisions_and_reset_forgets_the_fit(network: SimInputs, recorded: Recorder) -> None:
    again = Recorder(hedgerow_backend(network, FAST))
    simulate(network, again)
    for a, b in zip(recorded.decisions, again.decisions, strict=True):
        np.testing.assert_array_equal(a.qty, b.qty)
    # a second run on the same backend starts from scratch (reset clears the cached fit)
    assert again.backend.cache.fits == network.n_simulated
    simulate(network, again)
    assert again.backend.cache.fits == network.n_simulated
    for a, b in zip(recorded.decisions, again.decisions, strict=True):
        np.testing.assert_array_equal(a.qty, b.qty)


def test_no_lookahead_changing_the_future_leaves_earlier_decisions_unchanged(
    network: SimInputs, recorded: Recorder
) -> None:
    cut = network.start + 5
    demand = network.demand.copy()
    rng = np.random.default_rng(0)
    demand[:, cut:] = rng.poisson(3.0 * demand[:, cut:].mean() + 1.0, size=demand[:, cut:].shape)
    lead = network.lane_lead_time_days.copy()
    lead[:, cut:] *= 3.0
    future = replace(network, demand=demand, lane_lead_time_days=lead)
    other = Recorder(hedgerow_backend(future, FAST))
    simulate(future, other)
    j = cut - network.start
    for a, b in zip(recorded.decisions[: j + 1], other.decisions[: j + 1], strict=True):
        np.testing.assert_array_equal(a.qty, b.qty)  # decided at periods <= cut: the change was still ahead
    assert any(not np.array_equal(a.qty, b.qty) for a, b in zip(recorded.decisions, other.decisions, strict=True))


def test_beats_the_textbook_rule_when_demand_shifts_up() -> None:
    """Demand steps from 10 to 30 units a week in week 40 and stays there. The textbook rule's trailing 13-week mean
    takes a quarter to catch up and loses sales meanwhile; the demand engine's level (and its spike-or-shift
    sensor) follow within weeks. A lost sale costs the margin plus goodwill, ~160 weeks of holding.

    The order change is left unbounded, as the textbook's is: the default ``[orders] max_change_per_period`` of 0.5
    lets an order grow by half a period's demand per period, which is meant to damp the bullwhip and does here
    slow the response to a tripling of demand."""
    rng = np.random.default_rng(3)
    n, t, start = 4, 64, 32
    level = np.where(np.arange(t) < 40, 10.0, 30.0)
    demand = rng.poisson(np.broadcast_to(level, (n, t))).astype(np.float64)
    inputs = single_echelon(demand, start=start, lead_time_days=14.0, goodwill_multiplier=1.0)
    textbook = simulate(inputs, OrderUpToPolicy())
    ours = simulate(inputs, hedgerow_policy(inputs, replace(FAST, config=UNBOUNDED)))
    assert ours.total_cost <= textbook.total_cost
    assert ours.unmet_units.sum() < textbook.unmet_units.sum()


def test_bundles_are_planned_with_their_components_and_never_ordered() -> None:
    rng = np.random.default_rng(8)
    demand = rng.poisson([[6.0], [4.0], [2.0]], size=(3, 40)).astype(np.float64)
    inputs = single_echelon(demand, start=28, kits={2: ((0, 1.0), (1, 2.0))})
    rec = Recorder(hedgerow_backend(inputs, FAST))
    run = simulate(inputs, rec)
    assert all(float(d.qty[2].sum()) == 0.0 for d in rec.decisions)
    assert run.orders[:2].sum() > 0
    # the bundle's demand reaches the planner through its components: the cable's paths include two per bundle
    plan = rec.backend.last
    assert plan is not None
    model = plan.model
    assert model.bundle_demand[model.il_row("I1", "L0")].sum() > 0
    assert "I2" not in model.il_items


def test_approvals_follow_the_auto_approval_policy(network: SimInputs) -> None:
    everyone = run_backtest(network, BacktestSettings(policies=(PolicyName.HEDGEROW,), hedgerow=FAST))
    m = everyone.by_policy("hedgerow")
    run_all = simulate(network, hedgerow_policy(network, FAST))
    assert m.approvals == int(run_all.actions.sum()) > 0  # [approval] default 0: a person sees every order
    cfg = Settings()
    lenient = replace(
        cfg, approval=replace(cfg.approval, auto_approve_max_value=1e12, auto_approve_max_stockout_risk=1.0)
    )
    run_none = simulate(network, hedgerow_policy(network, replace(FAST, config=lenient)), approval=ApprovalRule())
    assert int(run_none.approvals.sum()) == 0
    assert int(run_none.actions.sum()) > 0


def test_own_demand_removes_requests_and_bundle_pulls(network: SimInputs) -> None:
    net = NetworkSpec.from_inputs(network)
    replay = _Replay(network, UnmetDemand.LOST, cost_arrays(network))
    view = replay.view(network.start)
    own = own_demand(view, net)
    stores = network.echelon == 0
    np.testing.assert_allclose(own[stores], network.demand[stores, : network.start])
    np.testing.assert_allclose(own[~stores], 0.0)  # the DC has no customers of its own
    with_requests = own_demand(view, net, requests=True)
    np.testing.assert_allclose(with_requests, view.demand)


def test_echelon_paths_and_stock_add_up_the_stores_below(network: SimInputs) -> None:
    net = NetworkSpec.from_inputs(network)
    backend = hedgerow_backend(network, FAST)
    replay = _Replay(network, UnmetDemand.LOST, cost_arrays(network))
    view = replay.view(network.start)
    block = backend.cache.sample(view, np.arange(net.n_il), 3, 20, 1)
    ech = echelon_block(block, net)
    dcs = np.flatnonzero(network.echelon == 1)
    for d in dcs:
        kids = np.flatnonzero(network.parent == d)
        np.testing.assert_allclose(ech.paths[d], block.paths[d] + block.paths[kids].sum(axis=0))
        expected = view.on_hand[d] + (view.on_hand[kids] + view.on_order[kids]).sum()
        assert echelon_stock(view, net)[d] == pytest.approx(expected)
    stores = network.echelon == 0
    np.testing.assert_array_equal(ech.paths[stores], block.paths[stores])


@pytest.mark.parametrize("upstream", list(UpstreamPlanning))
def test_every_way_of_planning_a_dc_runs_and_keeps_stock_balance(
    network: SimInputs, upstream: UpstreamPlanning
) -> None:
    run = simulate(network, hedgerow_policy(network, replace(FAST, upstream=upstream)))
    balance = run.on_hand_start + run.arrivals - run.shipped_out - run.consumed - run.sales
    np.testing.assert_allclose(run.on_hand, balance, atol=1e-6)
    assert run.orders[network.echelon == 1].sum() > 0


def test_lead_times_pool_by_lane_and_draws_keep_their_mean(network: SimInputs) -> None:
    net = NetworkSpec.from_inputs(network)
    replay = _Replay(network, UnmetDemand.LOST, cost_arrays(network))
    policy = OrderUpToPolicy()
    for t in range(network.start, network.start + 8):
        d = policy.decide(replay.view(t))
        replay.step(t, replay.check(d, "t"), d, ApprovalRule())
    view = replay.view(network.start + 8)
    leads = lane_leads(view, net)
    dc = int(np.flatnonzero(network.echelon == 1)[0])
    lane = int(network.lane_options[dc, 0])
    rows = np.flatnonzero(network.lane_options[:, 0] == lane)
    w = view.lead_time_count[rows]
    assert w.sum() > 0
    assert leads.mean[lane] == pytest.approx(float((w * view.lead_time_mean[rows]).sum() / w.sum()))
    rng = np.random.default_rng(0)
    late = draw_leads(2.0, 2.6, 1.1, (200_000,), rng)
    assert late.min() >= 2
    assert late.mean() == pytest.approx(2.6, abs=0.02)
    early = draw_leads(3.0, 2.5, 0.8, (200_000,), rng)
    assert early.min() >= 0
    assert early.mean() == pytest.approx(2.5, abs=0.02)
    np.testing.assert_array_equal(draw_leads(1.0, 1.0, 0.0, (5,), rng), 1)


def test_pipeline_places_what_is_on_order_at_the_newest_orders(network: SimInputs) -> None:
    replay = _Replay(network, UnmetDemand.LOST, cost_arrays(network))
    policy = OrderUpToPolicy()
    for t in range(network.start, network.start + 6):
        d = policy.decide(replay.view(t))
        replay.step(t, replay.check(d, "t"), d, ApprovalRule())
    view = replay.view(network.start + 6)
    pipe = pipeline(view, 30, 7)
    totals = np.bincount(pipe.il, weights=pipe.qty, minlength=view.n_il)
    np.testing.assert_allclose(totals, view.on_order, atol=1e-9)
    assert pipe.arrival.min() >= 0
    np.testing.assert_array_equal(pipeline(view, 30, 7).arrival, pipe.arrival)  # seeded


def test_an_unbounded_order_change_and_a_series_without_demand_order_nothing_for_it() -> None:
    rng = np.random.default_rng(4)
    demand = np.vstack([rng.poisson(8.0, size=(1, 30)), np.zeros((1, 30))]).astype(np.float64)
    inputs = single_echelon(demand, start=22)
    run = simulate(inputs, hedgerow_policy(inputs, replace(FAST, config=UNBOUNDED)))  # warnings are errors here
    assert run.orders[1].sum() == 0.0
    assert run.orders[0].sum() > 0.0


def test_a_dc_faces_its_stores_orders_now_and_their_demand_of_each_later_period(network: SimInputs) -> None:
    net = NetworkSpec.from_inputs(network)
    backend = hedgerow_backend(network, FAST)
    replay = _Replay(network, UnmetDemand.LOST, cost_arrays(network))
    view = replay.view(network.start)
    own = backend.cache.sample(view, np.arange(net.n_il), 4, 20, 1)
    ordered = np.zeros(network.lane_options.shape)
    ordered[:, 0] = np.arange(net.n_il, dtype=float)
    dcs = np.flatnonzero(network.echelon == 1)
    block = stage_block(own, net, dcs, ordered)
    assert block.item_ids == tuple(network.item_ids[d] for d in dcs)
    for k, d in enumerate(dcs):
        kids = np.flatnonzero(network.parent == d)
        np.testing.assert_allclose(block.paths[k, :, 0], own.paths[d, :, 0] + ordered[kids].sum())
        np.testing.assert_allclose(block.paths[k, :, 1:], own.paths[d, :, 1:] + own.paths[kids, :, 1:].sum(axis=0))
    stores = np.flatnonzero(network.echelon == 0)
    np.testing.assert_array_equal(stage_block(own, net, stores, ordered).paths, own.paths[stores])


def _dc_block(network: SimInputs, dcs: np.ndarray, paths: np.ndarray) -> DemandBlock:
    return DemandBlock(
        item_ids=tuple(network.item_ids[d] for d in dcs),
        location_ids=tuple(network.location_ids[d] for d in dcs),
        paths=paths,
        shift_probability=np.zeros(dcs.size),
        is_count=np.ones(dcs.size, dtype=bool),
    )


def test_a_dc_orders_up_to_the_quantile_of_its_protection_interval_against_its_position(
    network: SimInputs,
) -> None:
    """Known case: 10 units a period in every scenario; the lane takes 1 period in 70 % of the scenarios and 4 in
    30 %. With review 1 the interval demand is 20 or 50 units; at a high critical ratio the level is 50 (the
    late scenarios), at a low one 20; the order is the level less on hand + on order − owed."""
    net = NetworkSpec.from_inputs(network)
    replay = _Replay(network, UnmetDemand.LOST, cost_arrays(network))
    view = replay.view(network.start)
    dcs = np.flatnonzero(network.echelon == 1)
    n_s, horizon = 100, 6
    block = _dc_block(network, dcs, np.full((dcs.size, n_s, horizon), 10.0))
    leads = np.ones((len(net.lane_ids), n_s, horizon), dtype=np.int64)
    leads[:, 70:, 0] = 4
    approval = Settings().approval
    decision = position_orders(view, net, block, dcs, leads, 1, approval)
    position = view.on_hand + view.on_order - view.backlog
    for d in dcs:
        assert decision.qty[d, 0] == pytest.approx(max(50.0 - position[d], 0.0))
        assert decision.qty[d, 1:].sum() == 0.0
    assert decision.needs_approval is not None
    ordered = decision.qty[:, 0] > 0
    assert ordered.any()
    np.testing.assert_array_equal(decision.needs_approval[:, 0], ordered)  # default: a person sees every order
    cheap_penalty = replace(view, shortage=np.full_like(view.shortage, 1e-6), holding=np.full_like(view.holding, 1.0))
    low = position_orders(cheap_penalty, net, block, dcs, leads, 1, approval)
    for d in dcs:
        assert low.qty[d, 0] == pytest.approx(max(20.0 - position[d], 0.0))
    stores = np.flatnonzero(network.echelon == 0)
    assert decision.qty[stores].sum() == 0.0


def test_the_planner_is_charged_only_a_faster_lanes_freight_premium() -> None:
    """The LA DC of the helper network buys by ocean and by air: air costs the planner its premium over ocean,
    ocean nothing (its freight is paid on every unit sooner or later); a single-lane store pays nothing."""
    inputs = inputs_from_frames(network_frames(), Settings(), FrameOptions(periods=40, seed=1))
    net = NetworkSpec.from_inputs(inputs)
    view = _Replay(inputs, UnmetDemand.LOST, cost_arrays(inputs)).view(inputs.start)
    premium = freight_premium(view, net)
    two = [i for i in range(net.n_il) if (net.lane_options[i] >= 0).sum() == 2]
    assert two
    for i in two:
        cheap, dear = np.argsort(view.transport[i, :2])
        assert premium[int(net.lane_options[i, cheap])] == 0.0
        gap = view.transport[i, dear] - view.transport[i, cheap]
        assert gap > 0
        assert premium[int(net.lane_options[i, dear])] == pytest.approx(gap)
    one = [i for i in range(net.n_il) if (net.lane_options[i] >= 0).sum() == 1]
    assert one
    assert all(premium[int(net.lane_options[i, 0])] == 0.0 for i in one)


def test_smoothing_keeps_a_steady_order_and_spreads_a_jump(network: SimInputs) -> None:
    """POUT: an order equal to the expected demand is unchanged; a jump of the plan's order is spread over Tᵢ
    periods (μ + (q − μ)/Tᵢ); an overstocked item-location still orders (1 − 1/Tᵢ)·μ; bundles order nothing."""
    net = NetworkSpec.from_inputs(network)
    view = _Replay(network, UnmetDemand.LOST, cost_arrays(network)).view(network.start)
    rate = np.full(net.n_il, 10.0)
    qty = np.zeros(network.lane_options.shape)
    qty[0, 0], qty[1, 0], qty[2, 0] = 10.0, 30.0, 0.0
    needs = np.zeros(qty.shape, dtype=bool)
    out, flags = smooth_orders(view, net, qty, needs, rate, 2.0, Settings().approval)
    assert out[0, 0] == pytest.approx(10.0)
    assert out[1, 0] == pytest.approx(20.0)
    assert out[2, 0] == pytest.approx(5.0)
    assert flags[2, 0]  # created by smoothing: a person sees it under the default approval policy
    assert out[net.assembled].sum() == 0.0
    with pytest.raises(ValueError, match=r"smoothing_periods must be at least 1 period, got 0\.5"):
        HedgerowSettings(smoothing_periods=0.5)
