"""hedgerow's planner as a simulator policy: each period, demand engine → scenario set → ``hedgerow plan``'s planner.

:class:`HedgerowBackend` implements :class:`~hedgerow.sim.policies.planner.PlannerBackend`. At period ``t`` it
reads the :class:`~hedgerow.sim.history.HistoryView` — the past and the planned drivers, nothing of the future —
and:

1. fits demand with the demand engine on the history seen so far (:mod:`.demand`; refit every
   ``refit_every`` periods, cached in between and cleared by :meth:`HedgerowBackend.reset`) and draws
   ``n_scenarios`` joint demand paths;
2. draws lane lead times from the lead times observed so far and places what is on order in time (:mod:`.supply`);
3. builds the :class:`~hedgerow.plan.problem.PlanningProblem` of the network state on the network every plan uses
   (the sourcing rule of :mod:`hedgerow.domain.network`: each item-location's supply lanes and its parent DC, the
   same lanes, suppliers and costs as ``hedgerow plan`` reads from the workspace): its stock (on hand, on order as
   open shipments), item classes, bundles, service floors, risk, order smoothing and the bounded order change from
   ``hedgerow.toml`` settings;
4. runs **the planner of** ``hedgerow plan`` — :func:`hedgerow.plan.planner.plan_echelons` with the planner's default
   options, no explanations: the stores, drawing on their DCs' stock, then each level of DCs by position
   (:mod:`hedgerow.plan.echelons`), orders smoothed (:mod:`hedgerow.plan.smoothing`) — and turns its orders and
   replenishments into the period's :class:`~hedgerow.sim.history.Decision`; an order needs a person unless the
   auto-approval policy of ``[approval]`` (:func:`hedgerow.decide.policy.auto_approvable`) lets it through.

**Costs are the simulator's.** The planner's lost-sale penalty is margin × (1 + goodwill); the view's is
``shortage`` per item-location. Each item-location is given the price ``book cost + shortage`` and goodwill 0, so
the planner's penalty equals the simulator's exactly (a DC, which sells to nobody, takes the mean penalty of the
item-locations it supplies: its shortage becomes theirs). Holding uses each location's rate read off the view
(``holding / book cost`` per year; the cost of capital is already in it, so the planner's own is set to 0).
Transport is charged as each lane's premium over the cheapest lane into the item-location
(:func:`freight_premium`: the regular freight is paid on every unit sold sooner or later).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from hedgerow.config import Settings
from hedgerow.decide.policy import auto_approvable
from hedgerow.domain.actions import ActionKind
from hedgerow.domain.enums import SignalKind
from hedgerow.domain.network import BundleComponent, Item, Lane, Location, OriginKind
from hedgerow.plan.candidates import CandidateKind
from hedgerow.plan.evaluate import evaluate
from hedgerow.plan.ladder import LadderOptions
from hedgerow.plan.model import DAYS_PER_YEAR, PlanModel
from hedgerow.plan.planner import PartitionPlan, PlannerOptions, plan_echelons
from hedgerow.plan.problem import ItemLocationSpec, OpenShipment, PlanningProblem
from hedgerow.plan.problem import PlannerPolicy as PlanPolicy
from hedgerow.scenarios.rng import Stream, stream_rng
from hedgerow.scenarios.scenario_set import ScenarioSet, SupplyBlock
from hedgerow.sim.history import Decision, HistoryView
from hedgerow.sim.inputs import SimInputs
from hedgerow.sim.policies.estimates import shortage_penalty
from hedgerow.sim.policies.hedgerow.demand import DemandCache, DemandSettings
from hedgerow.sim.policies.hedgerow.network import NetworkSpec
from hedgerow.sim.policies.hedgerow.supply import (
    Pipeline,
    delayed_arrivals,
    disruption_model,
    disruption_reach,
    lane_lead_paths,
    lane_leads,
    pipeline,
)
from hedgerow.sim.policies.planner import PlannerPolicy
from hedgerow.supply.disruptions import draw_lane_disruptions


@dataclass(frozen=True)
class HedgerowSettings:
    """How hedgerow's policy plans during a replay (the policy itself comes from ``hedgerow.toml``).

    Attributes
    ----------
    config:
        The workspace settings: service floors, risk aversion and CVaR level, order smoothing, bounded order
        change, review period, auto-approval.
    n_scenarios:
        Joint scenarios drawn each period.
    max_horizon:
        Longest scenario horizon, periods (the evaluation window is capped by it).
    demand:
        Demand-engine settings (families, refit cadence, history length).
    ladder:
        Tuning of the hedge ladder (default: ``hedgerow plan``'s).
    seed:
        Seed of every draw (demand paths, lead times, arrivals).
    common_random_numbers:
        Draw every period's scenarios from the same random streams (the default), so that what the planner reads
        off its scenarios moves with the forecast and not with sampling noise; otherwise each period has its own
        streams.
    expected_feeds:
        Signal feeds that should always report: a feed with no fresh signal at the decision moment adds background
        disruption regimes at its base rate (:func:`hedgerow.supply.disruptions.build_disruptions`). None by
        default, unlike ``hedgerow plan`` (which expects port congestion): the lead times the policy draws come
        from the lanes' own observed transits, which already hold their usual disruptions, so a replay without
        signals plans as it did before signals were replayed.
    """

    config: Settings = field(default_factory=Settings)
    n_scenarios: int = 200
    max_horizon: int = 26
    demand: DemandSettings = field(default_factory=DemandSettings)
    ladder: LadderOptions = field(default_factory=LadderOptions)
    seed: int = 0
    common_random_numbers: bool = True
    expected_feeds: tuple[SignalKind, ...] = ()

    def __post_init__(self) -> None:
        if self.n_scenarios < 1:
            raise ValueError(f"n_scenarios must be at least 1, got {self.n_scenarios}")
        if self.max_horizon < 1:
            raise ValueError(f"max_horizon must be at least 1 period, got {self.max_horizon}")


@dataclass(frozen=True)
class PeriodPlan:
    """What the backend decided in one period and on what (kept for tests and diagnostics)."""

    problem: PlanningProblem
    scenarios: ScenarioSet
    stages: tuple[PartitionPlan, ...]
    decision: Decision

    @property
    def model(self) -> PlanModel:
        """The customer-facing stage's arrays."""
        return self.stages[0].model

    @property
    def x(self) -> np.ndarray:
        """The customer-facing stage's decision."""
        return self.stages[0].x


class HedgerowBackend:
    """The planner backend of :class:`~hedgerow.sim.policies.planner.PlannerPolicy` (module docstring)."""

    def __init__(self, network: NetworkSpec, settings: HedgerowSettings | None = None) -> None:
        self.network = network
        self.config = settings or HedgerowSettings()
        self.cache = DemandCache(network, self.config.demand, self.config.seed)
        self.last: PeriodPlan | None = None
        n = network.n_il
        self._row = {(network.item_ids[i], network.location_ids[i]): i for i in range(n)}
        self._option: dict[tuple[int, int], int] = {}
        for i in range(n):
            for k, lane in enumerate(network.lane_options[i]):
                if lane >= 0:
                    self._option.setdefault((i, int(lane)), k)
        self._lane_index = {lane: k for k, lane in enumerate(network.lane_ids)}
        self.lanes = network.lane_network()

    # ---- PlannerBackend ----------------------------------------------------------------------------------
    def settings(self) -> dict[str, object]:
        """Settings stated in reports."""
        cfg = self.config
        pol = cfg.config
        return {
            "rule": "each period: demand engine on the past -> scenario set -> hedgerow plan's planner "
            "(stores, then DCs by position; docs/simulator.md)",
            "n_scenarios": cfg.n_scenarios,
            "refit_every_periods": cfg.demand.refit_every,
            "families": [f.value for f in cfg.demand.families],
            "history_periods": cfg.demand.history_periods,
            "shift_sensor": cfg.demand.shift_sensor,
            "driver_effects": cfg.demand.driver_effects is not None,
            "service_floors": dict(pol.service.floors),
            "default_floor": pol.service.default_floor,
            "risk_aversion": pol.risk.risk_aversion,
            "cvar_level": pol.risk.cvar_level,
            "max_change_per_period": pol.orders.max_change_per_period,
            "smoothing_periods": pol.orders.smoothing_periods,
            "review_periods": pol.orders.review_periods,
            "ladder": asdict(cfg.ladder),
            "seed": cfg.seed,
            "common_random_numbers": cfg.common_random_numbers,
            "signals": "each signal from its observed_at (decision moment: 00:00 UTC of the period's first day)",
            "expected_feeds": [k.value for k in cfg.expected_feeds],
        }

    def reset(self) -> None:
        """Forget the cached demand fit and the last plan."""
        self.cache.clear()
        self.last = None

    def recommend(self, view: HistoryView) -> Decision:
        """Plan from the view and return the period's orders (module docstring)."""
        net, cfg = self.network, self.config
        n_s = cfg.n_scenarios
        # common random numbers: every period draws from the same streams, so the quantiles the planner reads off
        # its scenarios move with the forecast, not with sampling noise (which would make orders jitter)
        seed_t = cfg.seed if cfg.common_random_numbers else _period_seed(cfg.seed, view.t)
        leads = lane_leads(view, net)
        review = cfg.config.orders.review_periods
        regimes = disruption_model(
            view.signals,
            self.lanes,
            net.decision_moment(view.t),
            period_days=net.period_days,
            stale_after_days=cfg.config.quality.stale_signal_days,
            expected_feeds=cfg.expected_feeds,
        )
        used = leads.nominal >= 0
        late = disruption_reach(regimes, net.lane_ids, net.period_days)
        reach = np.ceil(leads.mean[used] + 2.0 * leads.std[used]) + late[used] if used.any() else np.zeros(1)
        horizon = int(min(cfg.max_horizon, max(float(reach.max(initial=0.0)), 0.0) + review))
        horizon = max(horizon, 1)
        rows = np.arange(net.n_il)
        own = self.cache.sample(view, rows, horizon, n_s, seed_t)
        lead_periods = lane_lead_paths(leads, net, n_s, horizon, seed_t)
        pipe = pipeline(view, n_s, seed_t)
        lead_days = (lead_periods * net.period_days).astype(np.float64)
        capacity = np.ones(lead_periods.shape)
        disrupted = np.zeros(lead_periods.shape, dtype=bool)
        arrival_days = (pipe.arrival * net.period_days).astype(np.float64)
        if regimes is not None:
            hit = draw_lane_disruptions(regimes, net.lane_ids, seed=seed_t, n_scenarios=n_s, horizon=horizon)
            lead_days += hit.extra_delay_days
            capacity, disrupted = np.clip(hit.capacity_factor, 0.0, 1.0), hit.disrupted
            arrival_days = delayed_arrivals(pipe, net.lane_options[pipe.il, 0], hit, net.period_days)
        supply = SupplyBlock(
            lane_ids=net.lane_ids,
            lead_time_days=lead_days,
            capacity_factor=capacity,
            disrupted=disrupted,
            shipment_ids=tuple(f"pipe-{k}" for k in range(pipe.qty.size)),
            shipment_arrival_days=arrival_days,
            currencies=(net.base_currency,),
            fx_units_per_base=np.ones((1, n_s, horizon)),
        )
        scenarios = ScenarioSet(
            seed=seed_t, as_of=net.first_period, period_days=net.period_days, demand=own, supply=supply
        )
        problem = self.problem(view, pipe)
        stages = plan_echelons(problem, scenarios, options=PlannerOptions(ladder=cfg.ladder, explain=False))
        qty = np.zeros((net.n_il, view.nominal_lead.shape[1]))
        needs = np.zeros(qty.shape, dtype=bool)
        for stage in stages:
            part = self.decision(view, stage.model, stage.x)
            qty += part.qty
            assert part.needs_approval is not None
            needs |= part.needs_approval
        decision = Decision(qty=qty, needs_approval=needs)
        self.last = PeriodPlan(problem, scenarios, stages, decision)
        return decision

    # ---- building the problem ----------------------------------------------------------------------------
    def problem(self, view: HistoryView, pipe: Pipeline) -> PlanningProblem:
        """The planning problem of the network state at ``view.t`` (module docstring)."""
        net = self.network
        n = net.n_il
        base = net.base_currency
        kit = net.assembled
        cost = np.asarray(view.unit_cost, dtype=np.float64)
        items = tuple(dict.fromkeys(net.item_ids))
        item_rows: dict[str, list[int]] = {}
        for i, item in enumerate(net.item_ids):
            item_rows.setdefault(item, []).append(i)
        book = {item: float(np.median(cost[r])) for item, r in item_rows.items()}
        # an item buys from the suppliers its item-locations have lanes from (the network's sourcing rule)
        suppliers: dict[str, set[str]] = {item: set() for item in items}
        for i in range(n):
            for lane in net.lane_options[i]:
                if lane >= 0 and not net.lane_from_location[lane]:
                    suppliers[net.item_ids[i]].add(net.lane_origin[lane])
        item_specs = tuple(
            Item(
                item_id=item,
                name=item,
                item_class=net.item_class[item_rows[item][0]],
                unit_cost=book[item],
                cost_currency=base,
                supplier_ids=tuple(sorted(suppliers[item])),
            )
            for item in items
        )
        # holding rate per location, per year, read off the view (cost of capital included)
        per_year = DAYS_PER_YEAR / net.period_days
        book_il = np.array([book[item] for item in net.item_ids])
        with np.errstate(invalid="ignore", divide="ignore"):
            rate_il = np.where(book_il > 0, view.holding / book_il * per_year, np.nan)
        loc_rows: dict[str, list[int]] = {}
        for i, loc in enumerate(net.location_ids):
            if not kit[i]:
                loc_rows.setdefault(loc, []).append(i)
        locations = tuple(dict.fromkeys(net.location_ids))
        region = {loc: net.region[i] for i, loc in reversed(list(enumerate(net.location_ids)))}
        loc_specs = tuple(
            Location(
                location_id=loc,
                name=loc,
                region=region[loc],
                currency=base,
                holding_cost_rate_per_year=_finite_median(rate_il[loc_rows.get(loc, [])]),
            )
            for loc in locations
        )
        # price = book cost + the simulator's shortage penalty, goodwill 0: the planner's penalty is the sim's
        penalty = shortage_penalty(view)
        price = book_il + penalty
        if net.bom_bundle.size:
            for b in np.unique(net.bom_bundle):
                sel = net.bom_bundle == b
                comp_cost = float(np.sum(net.bom_qty[sel] * book_il[net.bom_component[sel]]))
                price[b] = comp_cost + float(view.shortage[b])
        on_hand = np.maximum(np.asarray(view.on_hand) - np.asarray(view.backlog), 0.0)
        on_hand[kit] = 0.0
        cfg = self.config.config
        # the bounded order change needs last period's order; without a bound there is nothing to compare with
        last = view.orders[:, -1] if view.orders.shape[1] and math.isfinite(cfg.orders.max_change_per_period) else None
        il_specs = tuple(
            ItemLocationSpec(
                item_id=net.item_ids[i],
                location_id=net.location_ids[i],
                unit_price=float(price[i]),
                price_currency=base,
                on_hand=0.0 if kit[i] else float(on_hand[i]),
                last_order_qty=None if last is None or kit[i] else float(last[i]),
                sells=bool(net.sells[i]) or bool(kit[i]),
            )
            for i in range(n)
        )
        lane_cost = freight_premium(view, net)
        lanes = tuple(
            Lane(
                lane_id=net.lane_ids[k],
                origin_id=net.lane_origin[k],
                origin_kind=OriginKind.LOCATION if net.lane_from_location[k] else OriginKind.SUPPLIER,
                destination_id=net.lane_destination[k],
                mode=net.lane_mode[k],
                cost_per_unit=lane_cost[k],
                cost_currency=base,
            )
            for k in sorted(lane_cost)
        )
        shipments = tuple(
            OpenShipment(
                shipment_id=f"pipe-{k}",
                item_id=net.item_ids[int(pipe.il[k])],
                lane_id=net.lane_ids[int(net.lane_options[pipe.il[k], 0])],
                qty=float(pipe.qty[k]),
            )
            for k in range(pipe.qty.size)
        )
        bundles = tuple(
            dict.fromkeys(
                BundleComponent(net.item_ids[b], net.item_ids[c], float(q))
                for b, c, q in zip(net.bom_bundle, net.bom_component, net.bom_qty, strict=True)
            )
        )
        policy = replace(
            PlanPolicy.from_settings(cfg),
            goodwill_multipliers={},
            default_goodwill_multiplier=0.0,
            cost_of_capital_per_year=0.0,
        )
        parents = tuple(
            (net.item_ids[i], net.location_ids[i], net.location_ids[int(net.parent[i])])
            for i in range(n)
            if net.parent[i] >= 0
        )
        return PlanningProblem(
            base_currency=base,
            items=item_specs,
            locations=loc_specs,
            item_locations=il_specs,
            lanes=lanes,
            shipments=shipments,
            bundles=bundles,
            policy=policy,
            parents=parents,
        )

    # ---- reading the decision ----------------------------------------------------------------------------
    def decision(self, view: HistoryView, model: PlanModel, x: np.ndarray) -> Decision:
        """The orders and replenishments of ``x`` as orders per lane option, with the auto-approval rule applied
        (a replenishment from the parent DC is an order on the lane from it; other transfers are not simulated)."""
        c = model.candidates
        qty = np.zeros((view.n_il, view.nominal_lead.shape[1]))
        needs = np.zeros(qty.shape, dtype=bool)
        chosen = np.flatnonzero((x > 1e-9) & (c.kind != CandidateKind.EXPEDITE))
        if chosen.size == 0:
            return Decision(qty=qty, needs_approval=needs)
        after = evaluate(model, x).stockout_probability
        approval = self.config.config.approval
        for j in chosen:
            row = int(c.target[j])
            il = self._row[(model.il_items[row], model.il_locations[row])]
            lane = self._lane_index[model.lanes.lanes[int(c.lane[j])].lane_id]
            k = self._option.get((il, lane))
            if k is None:  # a lateral transfer: not a lane the simulator replenishes on
                continue
            q = float(x[j])
            qty[il, k] += q
            capital = q * float(c.capital[j])
            kind = ActionKind.ORDER if c.kind[j] == CandidateKind.ORDER else ActionKind.TRANSFER
            needs[il, k] |= not auto_approvable(kind, capital, float(after[row]), approval)
        return Decision(qty=qty, needs_approval=needs)


def freight_premium(view: HistoryView, net: NetworkSpec) -> dict[int, float]:
    """Transport per unit the planner is charged on each lane: the lane's freight less the cheapest freight into
    the same item-location (base currency per unit).

    Every unit sold crosses its regular lane once, sooner or later; a unit bought now and left at the end of the
    window saves the next order that freight. The planner values leftover stock at book cost only, so charging it
    the full freight would make a unit that is not sold in the window cost its freight on top of its holding and
    set the service level at ``b / (b + h + freight)`` instead of ``b / (b + h)``. What a decision really adds
    is the premium of a faster lane, which is what it is charged here (the simulator still charges the full
    freight of every unit moved).
    """
    transport = np.asarray(view.transport, dtype=np.float64)
    finite = np.where(np.isfinite(transport) & (net.lane_options >= 0), transport, np.inf)
    cheapest = finite.min(axis=1, initial=np.inf)
    cost: dict[int, float] = {}
    for i in range(net.n_il):
        for k, lane in enumerate(net.lane_options[i]):
            if lane < 0:
                continue
            premium = finite[i, k] - cheapest[i] if math.isfinite(finite[i, k]) else 0.0
            cost[int(lane)] = max(cost.get(int(lane), 0.0), premium)
    return cost


def _period_seed(seed: int, t: int) -> int:
    return int(stream_rng(seed, Stream.PLANNER, f"sim-period-{t}").integers(2**31 - 1))


def _finite_median(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(np.median(finite)) if finite.size else 0.0


def hedgerow_backend(inputs: SimInputs, settings: HedgerowSettings | None = None) -> HedgerowBackend:
    """A backend for the network of ``inputs`` (only its structure is kept: :class:`NetworkSpec`)."""
    return HedgerowBackend(NetworkSpec.from_inputs(inputs), settings)


def hedgerow_policy(inputs: SimInputs, settings: HedgerowSettings | None = None) -> PlannerPolicy:
    """hedgerow's planner as a simulator policy for the network of ``inputs``."""
    return PlannerPolicy(hedgerow_backend(inputs, settings))
