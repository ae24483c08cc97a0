"""The planner's arrays for one partition of items: the sample-average problem, ready for the kernel.

:func:`build_model` turns a :class:`~hedgerow.plan.problem.PlanningProblem` and a
:class:`~hedgerow.scenarios.scenario_set.ScenarioSet` chunk into a :class:`PlanModel`: per item-location
demand, holding and lost-sale penalties in the base currency, the evaluation window, the pipeline of open
shipments, the arrival profile of every lane and the table of candidate actions
(:mod:`hedgerow.plan.candidates`).

Conventions (docs/planner.md):

* Periods are numbered from 0 (the period starting at the as-of date). Goods arriving ``d`` days from now are
  available from period ``ceil(d / period_days)``: the first period that starts on or after their arrival.
* The **evaluation window** of an item-location is ``[0, W)`` with ``W = L + R``: ``L`` the median lead time
  (periods) of its regular lane (cheapest landed cost) and ``R`` the review period. What is ordered now must
  cover demand until the next plan's order can arrive (base-stock logic); later periods belong to later plans.
  Stock left at the end of the window (on hand or still in transit) is worth ``leftover_value_fraction`` of
  its book cost plus its regular lane's freight (what the next order would pay to bring it). Arrays are padded to the largest window ``Tw`` of the partition; slot ``Tw`` of arrival
  arrays collects everything that arrives after the window.
* Lane capacity disruptions are shared **pro rata**: when a lane runs at a share ``f`` of its capacity in a
  period, a share ``f`` of every booking leaves then and the rest waits for the next period.
* Bundles are assembled when sold: a bundle's demand becomes demand for its components (× qty per bundle) and a
  missing component loses the bundle's margin.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from hedgerow.domain.network import Lane, OriginKind
from hedgerow.plan.candidates import Candidates, LaneProfiles, build_candidates, build_lane_profiles
from hedgerow.plan.problem import ItemLocationSpec, PlanningProblem
from hedgerow.scenarios.rng import item_location_key
from hedgerow.scenarios.scenario_set import ScenarioSet

DAYS_PER_YEAR = 365.25

#: Units below which two quantities count as equal (rounding dust of shares).
UNIT_TOL = 1e-9


@dataclass(frozen=True)
class Pipeline:
    """Open shipments of the partition, one row per (shipment, item).

    Attributes
    ----------
    shipment_ids, lane_rows:
        Shipment id and row of its lane in :class:`LaneProfiles` (-1 when the lane is not in the partition).
    il:
        [rows] item-location row the units arrive at.
    qty:
        [rows] units.
    arrival:
        [rows, scenario] period from which the units are available (``Tw`` = after the window).
    expeditable:
        [rows] True when the goods have not left and may move to a faster lane.
    """

    shipment_ids: tuple[str, ...]
    lane_rows: np.ndarray
    il: np.ndarray
    qty: np.ndarray
    arrival: np.ndarray
    expeditable: np.ndarray


@dataclass(frozen=True)
class PlanModel:
    """The sample-average planning problem of one partition of items, as arrays.

    Axes: ``n`` planned item-locations (bundles excluded; they hold no stock), ``S`` scenarios, ``Tw`` periods of
    the longest evaluation window, ``G`` items of the partition. Money is in the base currency.

    Attributes
    ----------
    problem, scenarios:
        The inputs (kept for labels and explanations).
    il_items, il_locations:
        [n] the planned item-locations, grouped by item (rows of one item are contiguous).
    item_ids:
        [G] items of the partition that have planned item-locations.
    il_item:
        [n] row of the item in ``item_ids``.
    window:
        [n] W, periods of the evaluation window.
    floor_from:
        [n] first period of the service-floor window ``[W - R, W)``.
    floor:
        [n] service floor (probability of no lost sale in the floor window); bundle components carry the
        highest floor of the bundles they complete.
    demand:
        [n, S, Tw] units demanded per period (own demand + bundle demand × qty); 0 after the window.
    bundle_demand:
        [n, S, Tw] the part of ``demand`` that comes from bundles.
    holding:
        [n, Tw] cost of one unit in stock at the end of a period (book cost × (holding rate + cost of capital) per
        period); 0 after the window.
    penalty:
        [n, S] cost of one lost unit: margin × (1 + goodwill), blended with the bundle margin per component unit
        in proportion to the bundle share of demand.
    penalty_parts:
        [3, n, S] ``penalty`` split into lost margin, goodwill and lost bundle margin.
    writedown:
        [n] cost of one unit left at the end of the window: (1 - leftover_value_fraction) × book cost less
        leftover_value_fraction × the freight of the row's regular lane (the freight a leftover unit has paid and
        the next order saves; negative when nothing is written down).
    book_cost:
        [n] unit cost in the base currency at today's rates.
    on_hand, held, movable:
        [n] units on hand now (incl. held), under holds, and free to move (on hand - held; a stock pool — a DC —
        adds its receipts expected this period, which it passes on to its stores after receiving them).
    last_order:
        [n] units ordered last period (NaN = unknown).
    grain:
        [n] units every quantity of the row is a whole multiple of: its item's pack size (whole units at least;
        :func:`floor_to`, :func:`ceil_to`).
    shift_probability:
        [n] the demand engine's probability that recent unusual demand is a lasting shift (0 without paths).
    price_currency:
        [n] currency of each item-location's price.
    mean_demand:
        [n] mean demand per period over the window (units per period).
    scenario_weight:
        [S] probability of each scenario (uniform).
    pipeline:
        Open shipments.
    inflow0:
        [n, S, Tw + 1] units becoming available per period without any new action: on hand at period 0 plus
        the pipeline (slot Tw = after the window).
    lanes:
        Arrival profiles of the lanes that serve the partition.
    candidates:
        The candidate actions.
    """

    problem: PlanningProblem
    scenarios: ScenarioSet
    il_items: tuple[str, ...]
    il_locations: tuple[str, ...]
    item_ids: tuple[str, ...]
    il_item: np.ndarray
    window: np.ndarray
    floor_from: np.ndarray
    floor: np.ndarray
    demand: np.ndarray
    bundle_demand: np.ndarray
    holding: np.ndarray
    penalty: np.ndarray
    penalty_parts: np.ndarray
    writedown: np.ndarray
    book_cost: np.ndarray
    on_hand: np.ndarray
    held: np.ndarray
    movable: np.ndarray
    last_order: np.ndarray
    grain: np.ndarray
    shift_probability: np.ndarray
    price_currency: tuple[str, ...]
    mean_demand: np.ndarray
    scenario_weight: np.ndarray
    pipeline: Pipeline
    inflow0: np.ndarray
    lanes: LaneProfiles
    candidates: Candidates

    @property
    def n_il(self) -> int:
        """Number of planned item-locations."""
        return len(self.il_items)

    @property
    def n_scenarios(self) -> int:
        """Number of scenarios."""
        return int(self.demand.shape[1])

    @property
    def tw(self) -> int:
        """Periods of the longest evaluation window."""
        return int(self.demand.shape[2])

    def il_row(self, item_id: str, location_id: str) -> int:
        """Row of an item-location."""
        for k, (i, loc) in enumerate(zip(self.il_items, self.il_locations, strict=True)):
            if i == item_id and loc == location_id:
                return k
        raise KeyError(f"{item_location_key(item_id, location_id)} is not planned in this partition")

    def item_rows(self, g: int) -> np.ndarray:
        """Rows of the item-locations of item ``g``."""
        return np.flatnonzero(self.il_item == g)


def _fx_paths(problem: PlanningProblem, scenarios: ScenarioSet, currency: str) -> np.ndarray:
    """[S, T] units of ``currency`` per base unit: the scenario paths, or today's rate when the set has none."""
    s, t = scenarios.n_scenarios, scenarios.horizon
    if currency == problem.base_currency:
        return np.ones((s, t))
    sup = scenarios.supply
    if currency in sup.currencies:
        return np.asarray(sup.fx_units_per_base[sup.currencies.index(currency)], dtype=np.float64)
    return np.full((s, t), problem.fx(currency))


def _planned_item_locations(problem: PlanningProblem, items: Sequence[str]) -> list[ItemLocationSpec]:
    bundles = problem.bundle_items()
    wanted = set(items)
    rows = [il for il in problem.item_locations if il.item_id in wanted and il.item_id not in bundles]
    order = {item: k for k, item in enumerate(items)}
    return sorted(rows, key=lambda il: (order[il.item_id], il.location_id))


def pool_mask(problem: PlanningProblem, il_items: Sequence[str], il_locs: Sequence[str]) -> np.ndarray:
    """[n] True for the rows that are stock pools: they sell nothing and another row of the same list names them
    as its parent (a distribution centre, the sourcing rule of :mod:`hedgerow.domain.network`)."""
    keys = set(zip(il_items, il_locs, strict=True))
    sells = {(il.item_id, il.location_id): il.sells for il in problem.item_locations}
    parents = {(i, p) for i, loc, p in problem.parents if (i, loc) in keys}
    return np.array(
        [not sells.get(key, True) and key in parents for key in zip(il_items, il_locs, strict=True)], dtype=bool
    )


def _demand_lookup(scenarios: ScenarioSet) -> dict[tuple[str, str], int]:
    d = scenarios.demand
    return {(i, loc): k for k, (i, loc) in enumerate(zip(d.item_ids, d.location_ids, strict=True))}


def build_model(
    problem: PlanningProblem,
    scenarios: ScenarioSet,
    items: Sequence[str] | None = None,
    *,
    windows: Mapping[tuple[str, str], int] | None = None,
) -> PlanModel:
    """Build the arrays of the planning problem for a partition of items.

    Parameters
    ----------
    problem:
        Position, network and policy.
    scenarios:
        A scenario chunk holding the demand paths of every item-location of ``items`` (and of the bundles they
        are part of); item-locations without paths have no demand (e.g. a central warehouse).
    items:
        The partition: a union of :meth:`PlanningProblem.item_groups`. None = every item with demand paths in
        ``scenarios`` (and their groups).
    windows:
        Evaluation windows (periods) set from outside for some item-locations, ``(item_id, location_id)`` →
        ``W`` (a distribution centre planned by position, :mod:`hedgerow.plan.echelons`); capped at the horizon.

    Returns
    -------
    PlanModel
    """
    if items is None:
        present = set(scenarios.demand.item_ids)
        items = [i for g in problem.item_groups() if present.intersection(g) for i in g]
    items = list(items)
    policy = problem.policy
    n_s, horizon, period_days = scenarios.n_scenarios, scenarios.horizon, scenarios.period_days
    periods_per_year = DAYS_PER_YEAR / period_days
    rows = _planned_item_locations(problem, items)
    if not rows:
        raise ValueError(f"no item-location to plan among items {items[:5]}")
    il_items = tuple(r.item_id for r in rows)
    il_locs = tuple(r.location_id for r in rows)
    item_ids = tuple(dict.fromkeys(il_items))
    il_item = np.array([item_ids.index(i) for i in il_items], dtype=np.int64)
    n = len(rows)

    book_cost = np.array([problem.item(i).unit_cost / problem.fx(problem.item(i).cost_currency) for i in il_items])
    lanes = build_lane_profiles(problem, scenarios, rows)

    # evaluation window: regular lane (cheapest landed book cost) median lead time + review periods
    window = np.empty(n, dtype=np.int64)
    regular_freight = np.zeros(n)  # base currency per unit on each row's regular lane
    planned = set(zip(il_items, il_locs, strict=True))
    for k, r in enumerate(rows):
        best = regular_lane(problem, lanes.lanes, r.item_id, r.location_id, planned)
        if best is not None:
            lane = lanes.lanes[best]
            regular_freight[k] = lane.cost_per_unit / problem.fx(lane.cost_currency)
        lead = int(lanes.median_lead_periods[best]) if best is not None else 0
        window[k] = min(horizon, lead + policy.review_periods)
        if windows is not None and (r.item_id, r.location_id) in windows:
            window[k] = min(horizon, max(int(windows[(r.item_id, r.location_id)]), 1))
    tw = int(window.max())
    lanes = lanes.clipped(tw)
    active = np.arange(tw)[None, :] < window[:, None]  # [n, Tw]

    lookup = _demand_lookup(scenarios)
    paths = scenarios.demand.paths
    demand = np.zeros((n, n_s, tw))
    bundle_demand = np.zeros((n, n_s, tw))
    for k, r in enumerate(rows):
        j = lookup.get((r.item_id, r.location_id))
        if j is not None:
            demand[k] = paths[j, :, :tw]
    price_ils = {(il.item_id, il.location_id): il for il in problem.item_locations}
    bundle_pen: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in range(n)]  # (units/period, pen per unit)
    floor = np.array([policy.service_floor(problem.item(i).item_class) for i in il_items])
    row_of = {(i, loc): k for k, (i, loc) in enumerate(zip(il_items, il_locs, strict=True))}
    bom: dict[str, list[tuple[str, float]]] = {}
    for b in problem.bundles:
        bom.setdefault(b.bundle_item_id, []).append((b.component_item_id, b.qty_per_bundle))
    for bundle_id, comps in bom.items():
        b_item = problem.item(bundle_id)
        for loc in sorted({loc for (_, loc) in row_of}):
            j = lookup.get((bundle_id, loc))
            b_il = price_ils.get((bundle_id, loc))
            if j is None or b_il is None or any((c, loc) not in row_of for c, _ in comps):
                continue
            comp_cost = sum(q * book_cost[row_of[(c, loc)]] for c, q in comps)
            fxb = _fx_paths(problem, scenarios, b_il.price_currency)
            for c, q in comps:
                k = row_of[(c, loc)]
                units = paths[j, :, :tw] * q
                bundle_demand[k] += units
                margin = b_il.unit_price / fxb[:, : window[k]].mean(axis=1) - comp_cost
                pen_bundle = np.maximum(margin, 0.0) * (1.0 + policy.goodwill_multiplier(b_item.item_class)) / q
                bundle_pen[k].append((units, pen_bundle))
                floor[k] = max(floor[k], policy.service_floor(b_item.item_class))
    demand += bundle_demand
    demand *= active[:, None, :]
    bundle_demand *= active[:, None, :]

    # lost-sale penalty per unit: own margin (+ goodwill), blended with bundle margins by share of window demand
    penalty_parts = np.zeros((3, n, n_s))
    for k, r in enumerate(rows):
        il_spec = price_ils[(r.item_id, r.location_id)]
        fxp = _fx_paths(problem, scenarios, il_spec.price_currency)[:, : window[k]].mean(axis=1)
        margin = np.maximum(il_spec.unit_price / fxp - book_cost[k], 0.0)
        goodwill = margin * policy.goodwill_multiplier(problem.item(r.item_id).item_class)
        total = demand[k].sum(axis=1)  # [S]
        own = total - bundle_demand[k].sum(axis=1)
        mean_total = float(total.mean())
        with np.errstate(invalid="ignore", divide="ignore"):
            own_share = np.where(total > 0, own / total, (own.mean() / mean_total) if mean_total > 0 else 1.0)
        penalty_parts[0, k] = own_share * margin
        penalty_parts[1, k] = own_share * goodwill
        for units, pen_b in bundle_pen[k]:
            u = units.sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                share = np.where(total > 0, u / total, (u.mean() / mean_total) if mean_total > 0 else 0.0)
            penalty_parts[2, k] += share * pen_b
    penalty = penalty_parts.sum(axis=0)

    rate = np.array([problem.location(loc).holding_cost_rate_per_year for loc in il_locs])
    holding = (book_cost * (rate + policy.cost_of_capital_per_year) / periods_per_year)[:, None] * active
    # a unit left at the end keeps its value fraction of book cost *and* of the regular freight it has paid: the next
    # order saves that freight, so a unit bought now and not sold in the window costs its holding, not its freight
    writedown = (1.0 - policy.leftover_value_fraction) * book_cost - policy.leftover_value_fraction * regular_freight

    on_hand = np.array([r.on_hand for r in rows], dtype=np.float64)
    held = np.minimum(np.array([problem.held_units(r.item_id, r.location_id) for r in rows]), on_hand)
    movable = on_hand - held
    last_order = np.array([np.nan if r.last_order_qty is None else r.last_order_qty for r in rows])
    grain = np.array([problem.item(i).pack_size for i in il_items], dtype=np.float64)
    mean_demand = np.array([demand[k, :, : window[k]].mean() if window[k] > 0 else 0.0 for k in range(n)])

    pipeline = _build_pipeline(problem, scenarios, row_of, lanes, tw)
    inflow0 = np.zeros((n, n_s, tw + 1))
    inflow0[:, :, 0] += on_hand[:, None]
    for p in range(len(pipeline.shipment_ids)):
        np.add.at(inflow0[pipeline.il[p]], (np.arange(n_s), pipeline.arrival[p]), pipeline.qty[p])
    weight = np.full(n_s, 1.0 / n_s)
    pools = pool_mask(problem, il_items, il_locs)
    # a distribution centre passes on this period what reaches it this period (expected over the scenarios): its
    # stores' replenishments leave after its own receipts, not only from what is on its shelves at the review
    movable = movable + np.where(pools, (inflow0[:, :, 0] - on_hand[:, None]) @ weight, 0.0)

    floor_from = np.maximum(window - policy.review_periods, 0)
    candidates = build_candidates(
        problem,
        scenarios,
        il_items=il_items,
        il_locs=il_locs,
        window=window,
        book_cost=book_cost,
        movable=movable,
        pools=pools,
        lanes=lanes,
        pipeline_lane=pipeline.lane_rows,
        pipeline_il=pipeline.il,
        pipeline_qty=pipeline.qty,
        pipeline_expeditable=pipeline.expeditable,
    )
    return PlanModel(
        problem=problem,
        scenarios=scenarios,
        il_items=il_items,
        il_locations=il_locs,
        item_ids=item_ids,
        il_item=il_item,
        window=window,
        floor_from=floor_from,
        floor=floor,
        demand=demand,
        bundle_demand=bundle_demand,
        holding=holding,
        penalty=penalty,
        penalty_parts=penalty_parts,
        writedown=writedown,
        book_cost=book_cost,
        on_hand=on_hand,
        held=held,
        movable=movable,
        last_order=last_order,
        grain=grain,
        shift_probability=np.array(
            [
                float(scenarios.demand.shift_probability[lookup[key]]) if key in lookup else 0.0
                for key in zip(il_items, il_locs, strict=True)
            ]
        ),
        price_currency=tuple(price_ils[key].price_currency for key in zip(il_items, il_locs, strict=True)),
        mean_demand=mean_demand,
        scenario_weight=weight,
        pipeline=pipeline,
        inflow0=inflow0,
        lanes=lanes,
        candidates=candidates,
    )


def regular_lane(
    problem: PlanningProblem,
    lanes: Sequence[Lane],
    item_id: str,
    location_id: str,
    planned: Collection[tuple[str, str]],
) -> int | None:
    """Index in ``lanes`` of an item-location's *regular* lane: the cheapest landed book cost (unit cost +
    transport, base currency) among the supplier lanes the item buys on, else the cheapest lane from another
    item-location of ``planned``; None when no lane serves it."""
    book = problem.item(item_id).unit_cost / problem.fx(problem.item(item_id).cost_currency)
    for kind in (OriginKind.SUPPLIER, OriginKind.LOCATION):
        best: tuple[float, int] | None = None
        for li, lane in enumerate(lanes):
            if lane.destination_id != location_id or lane.origin_kind is not kind:
                continue
            if kind is OriginKind.SUPPLIER and not problem.item(item_id).buys_from(lane.origin_id):
                continue
            if kind is OriginKind.LOCATION and (item_id, lane.origin_id) not in planned:
                continue
            landed = lane.cost_per_unit / problem.fx(lane.cost_currency) + (
                book if kind is OriginKind.SUPPLIER else 0.0
            )
            if best is None or landed < best[0]:
                best = (landed, li)
        if best is not None:
            return best[1]
    return None


def _build_pipeline(
    problem: PlanningProblem,
    scenarios: ScenarioSet,
    row_of: dict[tuple[str, str], int],
    lanes: LaneProfiles,
    tw: int,
) -> Pipeline:
    sup = scenarios.supply
    n_s, period_days = scenarios.n_scenarios, scenarios.period_days
    ship_index = {sid: k for k, sid in enumerate(sup.shipment_ids)}
    ids: list[str] = []
    lane_rows: list[int] = []
    il: list[int] = []
    qty: list[float] = []
    arrival: list[np.ndarray] = []
    expeditable: list[bool] = []
    lane_row = {lane.lane_id: k for k, lane in enumerate(lanes.lanes)}
    for s in problem.shipments:
        lane = problem.lane(s.lane_id)
        row = row_of.get((s.item_id, lane.destination_id))
        if row is None:
            continue
        if s.shipment_id in ship_index:
            days = np.asarray(sup.shipment_arrival_days[ship_index[s.shipment_id]], dtype=np.float64)
        elif s.eta_days is not None:
            days = np.full(n_s, max(s.eta_days, 0.0))
        elif lane.transit_days is not None:
            days = np.full(n_s, lane.transit_days)
        else:
            raise ValueError(
                f"shipment {s.shipment_id}: no arrival paths in the scenario set, no eta_days and lane "
                f"{lane.lane_id} has no transit_days; one of them is needed to place it in time"
            )
        ids.append(s.shipment_id)
        lane_rows.append(lane_row.get(s.lane_id, -1))
        il.append(row)
        qty.append(float(s.qty))
        arrival.append(arrival_period(days, period_days, tw))
        expeditable.append(s.expeditable)
    return Pipeline(
        shipment_ids=tuple(ids),
        lane_rows=np.array(lane_rows, dtype=np.int64),
        il=np.array(il, dtype=np.int64),
        qty=np.array(qty, dtype=np.float64),
        arrival=np.array(arrival, dtype=np.int64).reshape(len(ids), n_s),
        expeditable=np.array(expeditable, dtype=bool),
    )


def arrival_period(days: np.ndarray, period_days: int, after: int) -> np.ndarray:
    """Period from which goods arriving ``days`` from now are available: ``ceil(days / period_days)``, capped.

    Parameters
    ----------
    days:
        Arrival times in days from the as-of date.
    period_days:
        Length of a period in days.
    after:
        Index standing for "after the window"; larger periods are capped to it.
    """
    return np.asarray(np.minimum(np.ceil(np.maximum(days, 0.0) / period_days - 1e-9), after).astype(np.int64))


def order_change_bounds(model: PlanModel) -> tuple[np.ndarray, np.ndarray]:
    """[n] × 2: the least and the most units each row may order under the bounded order change — last period's
    order ∓ ``max_change_per_period`` × mean demand (0 and ``inf`` when unbounded or the last order is unknown)."""
    change = model.problem.policy.max_change_per_period
    if not math.isfinite(change):
        return np.zeros(model.n_il), np.full(model.n_il, math.inf)
    known = ~np.isnan(model.last_order)
    last = np.nan_to_num(model.last_order)
    delta = change * model.mean_demand
    return (
        np.where(known, np.maximum(last - delta, 0.0), 0.0),
        np.where(known, last + delta, math.inf),
    )


def floor_to(qty: np.ndarray, grain: np.ndarray) -> np.ndarray:
    """``qty`` rounded down to a whole multiple of ``grain`` (units; infinities stay)."""
    return np.asarray(np.floor(np.asarray(qty) / grain + 1e-9) * grain)


def whole_shares(share: np.ndarray, grain: np.ndarray, total: float, cap: np.ndarray | None = None) -> np.ndarray:
    """``share`` (units) in whole packs of ``grain`` adding up to at most ``total``: each rounded down, then one
    pack more to the largest remainders while the sum stays within ``total`` (and each within ``cap``), so that
    nothing shared is left over by rounding."""
    whole = floor_to(share, grain)
    for k in np.argsort(-(share - whole), kind="stable").tolist():
        fits = whole.sum() + grain[k] <= total + UNIT_TOL
        if fits and (cap is None or whole[k] + grain[k] <= cap[k] + UNIT_TOL):
            whole[k] += grain[k]
    return whole


def ceil_to(qty: np.ndarray, grain: np.ndarray) -> np.ndarray:
    """``qty`` rounded up to a whole multiple of ``grain`` (units; infinities stay)."""
    return np.asarray(np.ceil(np.asarray(qty) / grain - 1e-9) * grain)


def finite_or_inf(value: float | None) -> float:
    """``value``, or ``inf`` when None or not finite."""
    return math.inf if value is None or not math.isfinite(value) else float(value)
