"""hedgerow's planner as a simulator policy: end to end, no lookahead, deterministic, and better than the textbook
rule when demand shifts."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from hedgerow.config import Settings
from hedgerow.plan.planner import PlannerOptions, plan_echelons
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
    hedgerow_backend,
    hedgerow_policy,
)
from hedgerow.sim.policies.hedgerow.backend import freight_premium
from hedgerow.sim.policies.hedgerow.demand import own_demand
from hedgerow.sim.policies.hedgerow.supply import draw_leads, draw_remaining, lane_leads, pipeline
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


def test_own_demand_removes_requests(network: SimInputs) -> None:
    net = NetworkSpec.from_inputs(network)
    replay = _Replay(network, UnmetDemand.LOST, cost_arrays(network))
    view = replay.view(network.start)
    own = own_demand(view, net)
    stores = network.echelon == 0
    np.testing.assert_allclose(own[stores], network.demand[stores, : network.start])
    np.testing.assert_allclose(own[~stores], 0.0)  # the DC has no customers of its own


def test_dcs_order_and_keep_stock_balance(network: SimInputs) -> None:
    run = simulate(network, hedgerow_policy(network, FAST))
    balance = run.on_hand_start + run.arrivals - run.shipped_out - run.consumed - run.sales
    np.testing.assert_allclose(run.on_hand, balance, atol=1e-6)
    assert run.orders[network.echelon == 1].sum() > 0


def test_the_policy_orders_what_hedgerow_plans_planner_plans(network: SimInputs) -> None:
    """Same code as ``hedgerow plan``: the period's decision is exactly the orders and DC replenishments of
    :func:`~hedgerow.plan.planner.plan_echelons` on the problem the backend built, the stores' replenishments
    drawn from their DC's stock and the DC planned by position."""
    backend = hedgerow_backend(network, FAST)
    replay = _Replay(network, UnmetDemand.LOST, cost_arrays(network))
    view = replay.view(network.start)
    decision = backend.recommend(view)
    last = backend.last
    assert last is not None
    assert {(i, loc) for i, loc, _ in last.problem.parents} == {
        (network.item_ids[k], network.location_ids[k]) for k in np.flatnonzero(network.parent >= 0)
    }
    stages = plan_echelons(last.problem, last.scenarios, options=PlannerOptions(ladder=FAST.ladder, explain=False))
    assert len(stages) == 2  # the stores, then their DC
    expected = np.zeros(network.n_il)
    for stage in stages:
        m, c = stage.model, stage.model.candidates
        for j in np.flatnonzero(stage.x > 0):
            expected[_row(network, m, int(c.target[j]))] += stage.x[j]
    np.testing.assert_allclose(decision.qty.sum(axis=1), expected)
    # a store never gets more from its DC than the DC has free: on hand plus its receipts expected this period
    # (the simulator ships after the period's arrivals), never more than on hand and on order
    first = stages[0].model
    dcs = np.flatnonzero(network.echelon == 1)
    for d in dcs:
        kids = np.flatnonzero(network.parent == d)
        row = next(r for r in range(first.n_il) if _row(network, first, r) == d)
        free = float(first.movable[row])
        on_hand = float(view.on_hand[d] - view.backlog[d])
        assert on_hand - 1e-6 <= free <= on_hand + float(view.on_order[d]) + 1e-6
        assert decision.qty[kids].sum() <= free + 1e-6


def _row(network: SimInputs, model: object, row: int) -> int:
    key = (model.il_items[row], model.il_locations[row])  # type: ignore[attr-defined]
    return next(k for k in range(network.n_il) if (network.item_ids[k], network.location_ids[k]) == key)


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


def test_a_late_order_is_drawn_given_it_is_still_travelling() -> None:
    """An order placed 3 periods ago on a lane of nominal 1, mean 2 and a long tail is still out: it arrives in
    ``L - 3`` periods with ``L`` drawn given ``L >= 3`` — the conditional mean of the same draws, not "now"."""
    nominal, mean, std, age = 1.0, 2.0, 2.0, 3
    ref = draw_leads(nominal, mean, std, (400_000,), np.random.default_rng(1))
    tail = ref[ref >= age] - age
    rest = draw_remaining(nominal, mean, std, age, 50_000, np.random.default_rng(2))
    assert rest.min() >= 0
    assert rest.mean() == pytest.approx(tail.mean(), rel=0.03)
    assert (rest == 0).mean() == pytest.approx((tail == 0).mean(), abs=0.01)
    # the unconditional max(L - a, 0) says "now" for 5 draws in 6; given it is still out, fewer than 2 in 5
    assert (np.maximum(ref - age, 0) == 0).mean() > 0.85
    assert (rest == 0).mean() < 0.4
    # beyond anything the model draws the order is not expected any more: it arrives now
    np.testing.assert_array_equal(draw_remaining(1.0, 1.0, 0.0, 5, 7, np.random.default_rng(3)), 0)


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
