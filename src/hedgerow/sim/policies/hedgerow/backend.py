"""hedgerow's planner as a simulator policy: each period, demand engine → scenario set → hedge ladder → orders.

:class:`HedgerowBackend` implements :class:`~hedgerow.sim.policies.planner.PlannerBackend`. At period ``t`` it
reads the :class:`~hedgerow.sim.history.HistoryView` — the past and the planned drivers, nothing of the future —
and:

1. fits demand with the demand engine on the history seen so far (:mod:`.demand`; refit every
   ``refit_every`` periods, cached in between and cleared by :meth:`HedgerowBackend.reset`) and draws
   ``n_scenarios`` joint demand paths;
2. draws lane lead times from the lead times observed so far and places what is on order in time (:mod:`.supply`);
3. builds the :class:`~hedgerow.plan.problem.PlanningProblem` of the network state: every item-location with its
   stock (on hand, on order as open shipments), its lane options (each lane is its own pseudo-supplier, so an
   item-location can only order on the options it has), costs in the base currency, item classes, bundles, service
   floors, risk and order-change guardrails from ``hedgerow.toml`` settings;
4. runs the hedge ladder (:func:`~hedgerow.plan.run_ladder`, no explanations) for the stores and turns the
   ORDER actions into the period's :class:`~hedgerow.sim.history.Decision`; an order needs a person unless the
   auto-approval policy of ``[approval]`` (:func:`hedgerow.decide.policy.auto_approvable`) lets it through;
5. orders for each DC up to the critical-ratio quantile of its protection interval (:func:`position_orders`);
6. smooths every order over ``smoothing_periods`` (:func:`smooth_orders`).

**Costs are the simulator's.** The planner's lost-sale penalty is margin × (1 + goodwill); the view's is
``shortage`` per item-location. Each item-location is given the price ``book cost + shortage`` and goodwill 0, so
the planner's penalty equals the simulator's exactly (a DC, which sells to nobody, takes the mean penalty of the
item-locations it supplies: its shortage becomes theirs). Holding uses each location's rate read off the view
(``holding / book cost`` per year; the cost of capital is already in it, so the planner's own is set to 0).
Transport is charged as each lane's premium over the cheapest lane into the item-location
(:func:`freight_premium`: the regular freight is paid on every unit sold sooner or later).

**Echelons** (:class:`UpstreamPlanning`, default ``POSITION``). Stores are planned first, as if their DC could
ship (the simulator then rations a short DC); each DC then faces its stores' orders of now and their customer
demand of each later period (:func:`stage_block`) and orders up to a quantile of it over its scenario lead time
plus the review period, against its inventory position, so stock that is merely late is not ordered again.
The planner's decision of period ``t`` covers the evaluation window ``L + R`` (docs/planner.md); later periods
belong to later decisions.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum

import numpy as np

from hedgerow.config import ApprovalSettings, Settings
from hedgerow.decide.policy import auto_approvable
from hedgerow.domain.actions import ActionKind
from hedgerow.plan.candidates import CandidateKind
from hedgerow.plan.evaluate import evaluate
from hedgerow.plan.ladder import LadderOptions, run_ladder
from hedgerow.plan.model import DAYS_PER_YEAR, PlanModel, build_model
from hedgerow.plan.problem import (
    BundleComponent,
    ItemLocationSpec,
    ItemSpec,
    LaneSpec,
    LocationSpec,
    OpenShipment,
    OriginKind,
    PlanningProblem,
)
from hedgerow.plan.problem import PlannerPolicy as PlanPolicy
from hedgerow.scenarios.rng import Stream, stream_rng
from hedgerow.scenarios.scenario_set import DemandBlock, ScenarioSet, SupplyBlock
from hedgerow.sim.history import Decision, HistoryView
from hedgerow.sim.inputs import SimInputs, echelon_of
from hedgerow.sim.policies.estimates import critical_ratio, shortage_penalty
from hedgerow.sim.policies.hedgerow.demand import DemandCache, DemandSettings
from hedgerow.sim.policies.hedgerow.network import NetworkSpec
from hedgerow.sim.policies.hedgerow.supply import Pipeline, lane_lead_paths, lane_leads, pipeline
from hedgerow.sim.policies.planner import PlannerPolicy


def fast_ladder() -> LadderOptions:
    """The ladder's speed setting measured in BENCHMARKS.md (planner speed: −40 % CPU for 0.24 % of objective)."""
    return LadderOptions(swap_passes=2, rel_tol=1e-4, polish_rounds=60)


class UpstreamPlanning(StrEnum):
    """What an item-location that supplies others (a DC) plans on."""

    #: plan echelon by echelon from the stores up: a DC faces its stores' orders of this period (just planned)
    #: and then their customer demand passed through, against its own stock (:func:`stage_block`)
    STORES_FIRST = "stores_first"
    #: the customer demand of the item-locations below it (scenario by scenario), against its own stock: its
    #: stores' orders are that demand passed through their order-up-to levels, without their noise
    CUSTOMER_DEMAND = "customer_demand"
    #: the same demand against its echelon stock (its own plus the inventory positions below it), Clark & Scarf
    ECHELON = "echelon"
    #: the requests of the item-locations below it (their orders), against its own stock, as the baselines do
    REQUESTS = "requests"
    #: stores first (as ``STORES_FIRST``); then each DC orders up to the critical-ratio quantile of the demand its
    #: scenarios put on it over the protection interval (the lead time of an order placed now, scenario by
    #: scenario, plus the review period), against its inventory position (:func:`position_orders`)
    POSITION = "position"


@dataclass(frozen=True)
class HedgerowSettings:
    """How hedgerow's policy plans during a replay (the policy itself comes from ``hedgerow.toml``).

    Attributes
    ----------
    config:
        The workspace settings: service floors, risk aversion and CVaR level, bounded order change, review
        period, auto-approval.
    n_scenarios:
        Joint scenarios drawn each period.
    max_horizon:
        Longest scenario horizon, periods (the evaluation window is capped by it).
    demand:
        Demand-engine settings (families, refit cadence, history length).
    ladder:
        Tuning of the hedge ladder.
    seed:
        Seed of every draw (demand paths, lead times, arrivals).
    upstream:
        How an item-location that supplies others (a DC) is planned (:class:`UpstreamPlanning`).
    common_random_numbers:
        Draw every period's scenarios from the same random streams (the default), so that what the planner reads
        off its scenarios moves with the forecast and not with sampling noise; otherwise each period has its own
        streams.
    smoothing_periods:
        Order smoothing ``Tᵢ`` (:func:`smooth_orders`): each period an item-location orders its expected demand
        plus ``1/Tᵢ`` of the rest of what the plan asks for; 1 orders what the plan asks for. Default 2: on every
        11th Breakfast UPC it cut the store bullwhip from 3.5 to 1.1 for 2 % more cost (and a higher fill rate).
    """

    config: Settings = field(default_factory=Settings)
    n_scenarios: int = 200
    max_horizon: int = 26
    demand: DemandSettings = field(default_factory=DemandSettings)
    ladder: LadderOptions = field(default_factory=fast_ladder)
    seed: int = 0
    upstream: UpstreamPlanning = UpstreamPlanning.POSITION
    common_random_numbers: bool = True
    smoothing_periods: float = 2.0

    def __post_init__(self) -> None:
        if self.n_scenarios < 1:
            raise ValueError(f"n_scenarios must be at least 1, got {self.n_scenarios}")
        if self.max_horizon < 1:
            raise ValueError(f"max_horizon must be at least 1 period, got {self.max_horizon}")
        if not self.smoothing_periods >= 1.0:
            raise ValueError(f"smoothing_periods must be at least 1 period, got {self.smoothing_periods}")


@dataclass(frozen=True)
class PeriodPlan:
    """What the backend decided in one period and on what (kept for tests and diagnostics)."""

    problem: PlanningProblem
    scenarios: ScenarioSet
    model: PlanModel
    x: np.ndarray
    decision: Decision


class HedgerowBackend:
    """The planner backend of :class:`~hedgerow.sim.policies.planner.PlannerPolicy` (module docstring)."""

    def __init__(self, network: NetworkSpec, settings: HedgerowSettings | None = None) -> None:
        self.network = network
        self.config = settings or HedgerowSettings()
        self.cache = DemandCache(
            network,
            self.config.demand,
            self.config.seed,
            requests=self.config.upstream is UpstreamPlanning.REQUESTS,
        )
        self.last: PeriodPlan | None = None
        n = network.n_il
        self._row = {(network.item_ids[i], network.location_ids[i]): i for i in range(n)}
        self._option: dict[tuple[int, int], int] = {}
        for i in range(n):
            for k, lane in enumerate(network.lane_options[i]):
                if lane >= 0:
                    self._option.setdefault((i, int(lane)), k)
        self._lane_index = {lane: k for k, lane in enumerate(network.lane_ids)}
        self._echelon = echelon_of(network.parent)

    # ---- PlannerBackend ----------------------------------------------------------------------------------
    def settings(self) -> dict[str, object]:
        """Settings stated in reports."""
        cfg = self.config
        pol = cfg.config
        return {
            "rule": "each period: demand engine on the past -> scenario set -> hedge ladder (docs/simulator.md)",
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
            "review_periods": pol.orders.review_periods,
            "ladder": asdict(cfg.ladder),
            "seed": cfg.seed,
            "upstream": cfg.upstream.value,
            "common_random_numbers": cfg.common_random_numbers,
            "smoothing_periods": cfg.smoothing_periods,
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
        used = leads.nominal >= 0
        reach = np.ceil(leads.mean[used] + 2.0 * leads.std[used]) if used.any() else np.zeros(1)
        horizon = int(min(cfg.max_horizon, max(float(reach.max(initial=0.0)), 0.0) + review))
        horizon = max(horizon, 1)
        rows = np.arange(net.n_il)
        own = self.cache.sample(view, rows, horizon, n_s, seed_t)
        lead_periods = lane_lead_paths(leads, net, n_s, horizon, seed_t)
        pipe = pipeline(view, n_s, seed_t)
        supply = SupplyBlock(
            lane_ids=net.lane_ids,
            lead_time_days=(lead_periods * net.period_days).astype(np.float64),
            capacity_factor=np.ones(lead_periods.shape),
            disrupted=np.zeros(lead_periods.shape, dtype=bool),
            shipment_ids=tuple(f"pipe-{k}" for k in range(pipe.qty.size)),
            shipment_arrival_days=(pipe.arrival * net.period_days).astype(np.float64),
            currencies=(net.base_currency,),
            fx_units_per_base=np.ones((1, n_s, horizon)),
        )
        if cfg.upstream in (UpstreamPlanning.STORES_FIRST, UpstreamPlanning.POSITION):
            stages = [np.flatnonzero(self._echelon == e) for e in range(int(self._echelon.max(initial=0)) + 1)]
        else:
            stages = [rows]
        qty = np.zeros((net.n_il, view.nominal_lead.shape[1]))
        needs = np.zeros(qty.shape, dtype=bool)
        for stage in stages:
            if cfg.upstream is UpstreamPlanning.POSITION and stage is not stages[0]:
                block = stage_block(own, net, stage, qty)
                upstream = position_orders(view, net, block, stage, lead_periods, review, cfg.config.approval)
                qty += upstream.qty
                assert upstream.needs_approval is not None
                needs |= upstream.needs_approval
                continue
            if cfg.upstream in (UpstreamPlanning.STORES_FIRST, UpstreamPlanning.POSITION):
                block = stage_block(own, net, stage, qty)
            elif cfg.upstream is UpstreamPlanning.REQUESTS:
                block = own
            else:
                block = echelon_block(own, net)
            scenarios = ScenarioSet(
                seed=seed_t, as_of=net.first_period, period_days=net.period_days, demand=block, supply=supply
            )
            problem = self.problem(view, pipe, stage)
            model = build_model(problem, scenarios)
            ladder = run_ladder(model, upper=order_bounds(model), options=cfg.ladder)
            part = self.decision(view, model, ladder.x)
            qty += part.qty
            assert part.needs_approval is not None
            needs |= part.needs_approval
            self.last = PeriodPlan(problem, scenarios, model, ladder.x, part)
        if cfg.smoothing_periods > 1.0:
            rate = np.asarray(echelon_block(own, net).paths, dtype=np.float64).mean(axis=(1, 2))
            qty, needs = smooth_orders(view, net, qty, needs, rate, cfg.smoothing_periods, cfg.config.approval)
        return Decision(qty=qty, needs_approval=needs)

    # ---- building the problem ----------------------------------------------------------------------------
    def problem(self, view: HistoryView, pipe: Pipeline, rows: np.ndarray | None = None) -> PlanningProblem:
        """The planning problem of the network state at ``view.t`` (module docstring), for the item-locations
        ``rows`` (default: all) and the bundles at their locations."""
        net = self.network
        planned = np.ones(net.n_il, dtype=bool) if rows is None else np.isin(np.arange(net.n_il), rows)
        n = net.n_il
        base = net.base_currency
        kit = net.assembled
        cost = np.asarray(view.unit_cost, dtype=np.float64)
        items = tuple(dict.fromkeys(net.item_ids))
        item_rows: dict[str, list[int]] = {}
        for i, item in enumerate(net.item_ids):
            item_rows.setdefault(item, []).append(i)
        book = {item: float(np.median(cost[r])) for item, r in item_rows.items()}
        suppliers: dict[str, set[str]] = {item: set() for item in items}
        for i in range(n):
            for lane in net.lane_options[i]:
                if lane >= 0:
                    suppliers[net.item_ids[i]].add(net.lane_ids[lane])
        item_specs = tuple(
            ItemSpec(
                item_id=item,
                name=item,
                item_class=net.item_class[item_rows[item][0]],
                unit_cost=book[item],
                cost_currency=base,
                supplier_ids=tuple(sorted(suppliers[item])) or ("-",),
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
            LocationSpec(
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
        if self.config.upstream is UpstreamPlanning.ECHELON:
            on_hand = echelon_stock(view, net)
        else:
            on_hand = np.maximum(np.asarray(view.on_hand) - np.asarray(view.backlog), 0.0)
            on_hand[kit] = 0.0
        cfg = self.config.config
        # the bounded order change needs last period's order; without a bound there is nothing to compare with
        bounded = math.isfinite(cfg.orders.max_change_per_period)
        last = view.orders[:, -1] if view.orders.shape[1] and bounded else None
        il_specs = tuple(
            ItemLocationSpec(
                item_id=net.item_ids[i],
                location_id=net.location_ids[i],
                unit_price=float(price[i]),
                price_currency=base,
                on_hand=0.0 if kit[i] else float(on_hand[i]),
                last_order_qty=None if last is None or kit[i] else float(last[i]),
            )
            for i in range(n)
            if planned[i]
        )
        lane_cost = freight_premium(view, net)
        lanes = tuple(
            LaneSpec(
                lane_id=net.lane_ids[k],
                origin_id=net.lane_ids[k],
                origin_kind=OriginKind.SUPPLIER,
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
            # unbounded: no last order is passed; a finite stand-in keeps the ladder's inf × 0 from making NaNs
            max_change_per_period=cfg.orders.max_change_per_period if bounded else _UNBOUNDED_CHANGE,
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
        )

    # ---- reading the decision ----------------------------------------------------------------------------
    def decision(self, view: HistoryView, model: PlanModel, x: np.ndarray) -> Decision:
        """The ORDER actions of ``x`` as orders per lane option, with the auto-approval rule applied."""
        c = model.candidates
        qty = np.zeros((view.n_il, view.nominal_lead.shape[1]))
        needs = np.zeros(qty.shape, dtype=bool)
        chosen = np.flatnonzero((x > 1e-9) & (c.kind == CandidateKind.ORDER))
        if chosen.size == 0:
            return Decision(qty=qty, needs_approval=needs)
        after = evaluate(model, x).stockout_probability
        approval = self.config.config.approval
        for j in chosen:
            row = int(c.target[j])
            il = self._row[(model.il_items[row], model.il_locations[row])]
            lane = self._lane_index[model.lanes.lanes[int(c.lane[j])].lane_id]
            k = self._option.get((il, lane))
            if k is None:  # a lane the item-location cannot order on (cannot happen: lanes are its own suppliers)
                continue
            q = float(x[j])
            qty[il, k] += q
            capital = q * float(c.capital[j])
            needs[il, k] |= not auto_approvable(ActionKind.ORDER, capital, float(after[row]), approval)
        return Decision(qty=qty, needs_approval=needs)


def smooth_orders(
    view: HistoryView,
    net: NetworkSpec,
    qty: np.ndarray,
    needs: np.ndarray,
    rate: np.ndarray,
    periods: float,
    approval: ApprovalSettings,
) -> tuple[np.ndarray, np.ndarray]:
    """Proportional order-up-to smoothing of the period's orders ``qty`` [il, K] (units).

    The plan's order ``q`` closes the whole gap between the position and the level the plan wants; smoothed,
    an item-location orders ``max(0, μ + (q − μ) / Tᵢ)`` with ``μ = rate`` its expected demand per period
    (its customers', bundles' and, for a DC, its stores'): in steady state ``q = μ`` and nothing changes, a jump
    of the level is spread over ``Tᵢ`` periods. This is the POUT rule of Disney & Towill (2003), *Int. J.
    Production Economics* 85(2), which damps the bullwhip at the price of a slower recovery. The split over lanes
    is kept; an order smoothing creates from nothing goes on the primary lane and needs a person unless
    ``approval`` lets it through.
    """
    out, flags = qty.copy(), needs.copy()
    total = qty.sum(axis=1)
    for r in range(net.n_il):
        if net.assembled[r] or net.lane_options[r, 0] < 0:
            continue
        smoothed = max(float(rate[r]) + (float(total[r]) - float(rate[r])) / periods, 0.0)
        if total[r] > 0:
            out[r] *= smoothed / float(total[r])
        elif smoothed > 0:
            out[r, 0] = smoothed
            flags[r, 0] = _needs_person(view, r, smoothed, 0.0, approval)
    return out, flags


def _needs_person(view: HistoryView, row: int, qty: float, stockout: float, approval: ApprovalSettings) -> bool:
    """Whether an order of ``qty`` units on ``row``'s primary lane, leaving a stockout probability ``stockout``,
    needs a person under ``approval`` (capital = units × (unit cost + freight), base currency)."""
    freight = float(view.transport[row, 0]) if math.isfinite(view.transport[row, 0]) else 0.0
    capital = qty * (float(view.unit_cost[row]) + freight)
    return not auto_approvable(ActionKind.ORDER, capital, stockout, approval)


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


def _child_order(net: NetworkSpec) -> np.ndarray:
    """Item-locations with a parent, children before their parents (by echelon, from the stores up)."""
    kids = np.flatnonzero(net.parent >= 0)
    return kids[np.argsort(echelon_of(net.parent)[kids], kind="stable")]


def echelon_block(block: DemandBlock, net: NetworkSpec) -> DemandBlock:
    """The block with the paths of every item-location that supplies others replaced by its *echelon* demand: its
    own customer demand plus, scenario by scenario, the customer demand (bundle pull-through included) of every
    item-location below it. Rows of ``block`` are the network's item-locations in order."""
    kids = _child_order(net)
    if not kids.size:
        return block
    paths = np.asarray(block.paths, dtype=np.float64)
    total = paths.copy()
    if net.bom_bundle.size:
        np.add.at(total, net.bom_component, net.bom_qty[:, None, None] * paths[net.bom_bundle])
    below = np.zeros_like(paths)
    for k in kids:  # children first: each adds its full echelon demand to its parent
        p = net.parent[k]
        total[p] += total[k]
        below[p] += total[k]
    return DemandBlock(
        item_ids=block.item_ids,
        location_ids=block.location_ids,
        paths=paths + below,
        shift_probability=np.asarray(block.shift_probability),
        is_count=np.asarray(block.is_count),
    )


def stage_block(own: DemandBlock, net: NetworkSpec, rows: np.ndarray, ordered: np.ndarray) -> DemandBlock:
    """Demand paths of the item-locations ``rows`` when those below them have already ordered ``ordered`` [il, K].

    A row with nobody below keeps its own paths. A row that supplies others faces, on top of its own customers,
    what they ask of it: their orders of this period (known: they were planned first) in period 0, and from
    period ``k >= 1`` their customer demand of period ``k`` — the demand an upstream stage sees is downstream
    demand passed through (Axsäter (2015), *Inventory Control*, §8), and a store that plans ahead orders in
    period ``k`` for what it expects to sell from ``k`` on, so a planned promotion reaches its DC when the store
    buys for it, not a period later (measured on every 11th UPC of Breakfast at the Frat: 160.8 k against
    166.8 k with the demand of ``k - 1``). Below a DC of DCs the whole subtree's customer demand passes
    through. Bundles at a row's location are kept in the block (the planner adds their demand to their
    components).
    """
    paths = np.asarray(own.paths, dtype=np.float64)
    total = paths.copy()
    if net.bom_bundle.size:
        np.add.at(total, net.bom_component, net.bom_qty[:, None, None] * paths[net.bom_bundle])
    kids = _child_order(net)
    for k in kids:
        total[net.parent[k]] += total[k]
    out = paths.copy()
    asked = ordered.sum(axis=1)
    for k in kids:
        p = net.parent[k]
        if p in rows:
            out[p, :, 0] += asked[k]
            out[p, :, 1:] += total[k, :, 1:]
    keep = np.isin(np.arange(net.n_il), rows)
    if net.bom_bundle.size:
        keep[net.bom_bundle[np.isin(net.bom_component, rows)]] = True
    idx = np.flatnonzero(keep)
    return DemandBlock(
        item_ids=tuple(own.item_ids[i] for i in idx),
        location_ids=tuple(own.location_ids[i] for i in idx),
        paths=out[idx],
        shift_probability=np.asarray(own.shift_probability)[idx],
        is_count=np.asarray(own.is_count)[idx] & np.all(np.abs(out[idx] - np.round(out[idx])) < 1e-9, axis=(1, 2)),
    )


def position_orders(
    view: HistoryView,
    net: NetworkSpec,
    block: DemandBlock,
    rows: np.ndarray,
    lead_periods: np.ndarray,
    review: int,
    approval: ApprovalSettings,
) -> Decision:
    """Orders of the item-locations ``rows`` (DCs) on their primary lane: up to the critical-ratio quantile of
    their scenario demand over the protection interval, less their inventory position.

    The protection interval of scenario ``s`` is ``[0, L_s + R)``: ``L_s`` the lead time (periods) of a booking
    leaving now in that scenario (``lead_periods[lane, s, 0]``, heavy-tailed when the lane has been late), ``R``
    the review period; it is cut at the scenarios' horizon. The level is the ``b / (b + h)`` quantile over the
    scenarios (``b`` the mean penalty of the item-locations supplied, ``h`` the holding of a unit for a period),
    capped at ``1 − 1/S``, the highest quantile ``S`` scenarios resolve. This is the base-stock rule of a
    stochastic lead time (Zipkin (2000), *Foundations of Inventory Management*, §7.2) on hedgerow's own scenarios:
    the position counts everything on order whenever it arrives, so an upstream stage does not re-order what is
    merely late, and a late lane raises the level through ``L_s``. An order needs a person unless ``approval``
    lets it through (capital = units × (unit cost + freight); stockout probability = share of scenarios whose
    demand over the interval exceeds the position after the order).
    """
    qty = np.zeros((net.n_il, view.nominal_lead.shape[1]))
    needs = np.zeros(qty.shape, dtype=bool)
    ratio = critical_ratio(shortage_penalty(view), np.asarray(view.holding, dtype=np.float64))
    index = {(i, loc): k for k, (i, loc) in enumerate(zip(block.item_ids, block.location_ids, strict=True))}
    paths = np.asarray(block.paths, dtype=np.float64)
    n_s, horizon = paths.shape[1], paths.shape[2]
    cap = 1.0 - 1.0 / max(n_s, 2)
    position = np.asarray(view.on_hand + view.on_order - view.backlog, dtype=np.float64)
    for r in rows:
        lane = int(net.lane_options[r, 0])
        j = index.get((net.item_ids[r], net.location_ids[r]))
        if lane < 0 or j is None:
            continue
        end = np.clip(lead_periods[lane, :, 0] + review, 1, horizon)  # [S] periods of the interval
        need = np.cumsum(paths[j], axis=1)[np.arange(n_s), end - 1]
        q = max(float(np.quantile(need, min(float(ratio[r]), cap))) - float(position[r]), 0.0)
        if q <= 0.0:
            continue
        qty[r, 0] = q
        needs[r, 0] = _needs_person(view, r, q, float(np.mean(need > position[r] + q)), approval)
    return Decision(qty=qty, needs_approval=needs)


def echelon_stock(view: HistoryView, net: NetworkSpec) -> np.ndarray:
    """[il] stock a row plans with, units: its own on hand (less what it owes), plus — for an item-location that
    supplies others — the inventory position (on hand + on order − owed) of every item-location below it: the
    echelon stock of Clark & Scarf (1960), *Management Science* 6(4), and Axsäter (2015), *Inventory Control*, §8."""
    own = np.maximum(np.asarray(view.on_hand) - np.asarray(view.backlog), 0.0)
    own[net.assembled] = 0.0
    position = np.asarray(view.on_hand + view.on_order - view.backlog, dtype=np.float64)
    position[net.assembled] = 0.0
    kids = _child_order(net)
    out = own.copy()
    echelon_position = position.copy()
    for k in kids:
        p = net.parent[k]
        out[p] += echelon_position[k]
        echelon_position[p] += echelon_position[k]
    return np.asarray(np.maximum(out, 0.0))


def order_bounds(model: PlanModel) -> np.ndarray:
    """[J] most units worth ordering on each candidate: the largest demand of any scenario over its target's
    evaluation window, less nothing (units).

    A unit beyond it stays unsold in every scenario, so more can only cost; the bound keeps a guardrail that no
    quantity can meet (a service floor whose window a late lane misses in too many scenarios) from taking an
    unbounded lot "at its limit".
    """
    window_demand = model.demand.sum(axis=2).max(axis=1)  # [n]
    return np.asarray(np.ceil(window_demand[model.candidates.target]), dtype=np.float64)


#: Order change allowed when hedgerow.toml leaves it unbounded (a share of mean demand no order reaches).
_UNBOUNDED_CHANGE = 1e12


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
