"""Networks with distribution centres: the stores are planned first, then each DC by position (pure functions).

A *pool* is an item-location that sells nothing and replenishes others (a distribution centre, found by the
sourcing rule of :mod:`hedgerow.domain.network`). A partition with pools is planned echelon by echelon
(:func:`hedgerow.plan.planner.plan_echelons`):

1. **The customer-facing stage** — every item-location that sells, with its pool as a source of transfers. The
   pool's own cost is set to nothing (:func:`customer_stage`): its stock is a pool its stores draw on, not a
   place where units are sold or written down, so each store's replenishment is judged on the store alone and
   several stores draw on one DC in the same round. The stores first say what they want with the DC's stock
   unlimited; when together they want more than the DC has free — on hand, plus the receipts it expects this
   period, which it passes on after receiving them — each gets a share in proportion to what it asked for
   (:func:`fair_shares`) and the stage is planned again within those shares.
2. **Each level of DCs** (:func:`supply_stage`) — a DC orders on its supplier lanes (or draws on its own parent
   pool) up to the critical-ratio level of the demand its stores put on it over its *protection interval*
   ``[0, L_s + R)`` — ``L_s`` the lead time of its regular lane in scenario ``s``, ``R`` the review period —
   against its inventory *position* (on hand after this period's shipments to its stores, plus everything on
   order, whenever it arrives): the base-stock rule with a stochastic lead time (Zipkin 2000, *Foundations of
   Inventory Management*, §7.2; Axsäter 2015, *Inventory Control*, §8). In the planner's lost-sales flow this is
   written as: the position is available at period 0 and the interval's demand — what the stores asked for now and
   could not get, plus their customers' demand of periods 1 … ``L_s + R - 1`` — falls due when an order placed now
   arrives on the regular lane (period ``L_s``), so a unit ordered now is sold exactly when the interval's demand
   exceeds the position, and stock that is merely late is never ordered twice. A DC has no service floor of its
   own (its stores have theirs); its lost sale costs what its stores lose (its price is theirs,
   :mod:`hedgerow.plan.adapter`).

An item-location that sells and also supplies others (a warehouse that serves walk-in customers and a sister
warehouse) is planned in the customer-facing stage with ordinary transfers, as in a single-echelon network.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from hedgerow.plan.candidates import CandidateKind
from hedgerow.plan.model import UNIT_TOL, PlanModel, arrival_period, pool_mask, regular_lane, whole_shares
from hedgerow.plan.problem import ItemLocationSpec, PlanningProblem
from hedgerow.scenarios.scenario_set import DemandBlock, ScenarioSet


def pool_rows(model: PlanModel) -> np.ndarray:
    """[n] True for the model's rows that are pools: they sell nothing and another row names them as parent."""
    return pool_mask(model.problem, model.il_items, model.il_locations)


def customer_stage(
    model: PlanModel, pools: np.ndarray, *, unlimited: bool = False, caps: np.ndarray | None = None
) -> PlanModel:
    """The model with its pools made cost-free sources: no demand, holding, penalty or write-down there, no
    candidate into them (they are planned in the next stage); ``unlimited`` gives them endless free stock (to
    learn what the stores want before sharing what the DC has); ``caps`` [J] bounds the candidates (each store's
    fair share of a short DC, :func:`fair_shares`)."""
    if not pools.any():
        return model
    c = model.candidates
    holding = model.holding.copy()
    holding[pools] = 0.0
    demand = model.demand.copy()
    demand[pools] = 0.0
    writedown = model.writedown.copy()
    writedown[pools] = 0.0
    penalty = model.penalty.copy()
    penalty[pools] = 0.0
    parts = model.penalty_parts.copy()
    parts[:, pools] = 0.0
    floor = model.floor.copy()
    floor[pools] = 0.0
    upper = np.where(pools[c.target], 0.0, c.upper) if c.n else c.upper
    movable = model.movable.copy()
    if unlimited:
        movable[pools] = math.inf
        from_pool = (c.source >= 0) & pools[np.maximum(c.source, 0)] if c.n else np.zeros(0, dtype=bool)
        upper = np.where(from_pool, math.inf, upper)
    if caps is not None:
        upper = np.minimum(upper, caps)
    return replace(
        model,
        holding=holding,
        demand=demand,
        bundle_demand=np.where(pools[:, None, None], 0.0, model.bundle_demand),
        writedown=writedown,
        penalty=penalty,
        penalty_parts=parts,
        floor=floor,
        movable=movable,
        candidates=replace(c, upper=upper),
    )


def drawn_from(model: PlanModel, x: np.ndarray) -> np.ndarray:
    """[n] units each row sends to others now under decision ``x`` (transfers out)."""
    c = model.candidates
    out = np.zeros(model.n_il)
    if c.n:
        tr = c.source >= 0
        np.add.at(out, c.source[tr], x[tr])
    return out


def pools_short(model: PlanModel, pools: np.ndarray, wanted: np.ndarray) -> bool:
    """Whether the stores want more from some pool than it has free now (``wanted`` from :func:`drawn_from`)."""
    return bool((wanted[pools] > model.movable[pools] + UNIT_TOL).any())


def fair_shares(model: PlanModel, pools: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """[J] the most each candidate may move when the stores' wants ``wanted`` [J] (planned on unlimited pools)
    meet what each pool has free (units): a short pool's free stock is split between the transfers drawing on it
    in proportion to what each asked for, in whole packs by the largest remainder; every other candidate keeps
    its own bound. The split depends only on the wants, never on the order the stores are looked at."""
    c = model.candidates
    caps = c.upper.copy()
    if not c.n:
        return caps
    from_pool = (c.source >= 0) & pools[np.maximum(c.source, 0)]
    for s_row in np.unique(c.source[from_pool]).tolist():
        mine = np.flatnonzero(from_pool & (c.source == s_row))
        free = max(float(model.movable[s_row]), 0.0)
        asked = float(wanted[mine].sum())
        if asked <= free + UNIT_TOL:
            continue
        share = wanted[mine] * free / asked
        caps[mine] = whole_shares(share, model.grain[c.target[mine]], free, cap=wanted[mine])
    return caps


@dataclass(frozen=True)
class SupplyStage:
    """The inputs of one level of DCs: a problem holding them (by position) and their parent pools, scenarios
    whose demand is the interval demand of :mod:`the module <hedgerow.plan.echelons>`, and their windows."""

    problem: PlanningProblem
    scenarios: ScenarioSet
    windows: Mapping[tuple[str, str], int]
    items: tuple[str, ...]
    rate: Mapping[tuple[str, str], float]


def supply_stage(
    problem: PlanningProblem,
    scenarios: ScenarioSet,
    below: PlanModel,
    wanted: np.ndarray,
    shipped: np.ndarray,
    pools: np.ndarray,
) -> SupplyStage | None:
    """The next level of DCs after the stage ``below`` (module docstring), or None when it has no pool.

    Parameters
    ----------
    problem, scenarios:
        The partition's whole problem and scenarios (customer demand paths of every item-location).
    below:
        The model of the stage just planned (the pools are its rows flagged in ``pools``).
    wanted, shipped:
        [n of ``below``] units asked of each pool row now, and units it sent (:func:`drawn_from`).
    pools:
        [n of ``below``] the pool rows of ``below``.
    """
    rows = np.flatnonzero(pools)
    if rows.size == 0:
        return None
    keys = [(below.il_items[r], below.il_locations[r]) for r in rows]
    parent = {(i, loc): p for i, loc, p in problem.parents}
    specs = {(il.item_id, il.location_id): il for il in problem.item_locations}
    children: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for (i, loc), p in parent.items():
        children.setdefault((i, p), []).append((i, loc))
    horizon = scenarios.horizon
    review = problem.policy.review_periods
    customers = _customer_demand(problem, scenarios)
    positions = _positions(problem, keys)
    demand_paths: list[np.ndarray] = []
    shift: list[float] = []
    windows: dict[tuple[str, str], int] = {}
    rate: dict[tuple[str, str], float] = {}
    dc_specs: list[ItemLocationSpec] = []
    planned = set(specs)
    for key, r in zip(keys, rows.tolist(), strict=True):
        item_id, loc = key
        lanes = problem.lanes
        li = regular_lane(problem, lanes, item_id, loc, planned)
        lead = _lead_periods(scenarios, lanes[li].lane_id, lanes[li].transit_days) if li is not None else None
        lead = np.zeros(scenarios.n_scenarios, dtype=np.int64) if lead is None else np.minimum(lead, horizon - 1)
        subtree = _subtree(children, key)
        served = [k for k in subtree if k in customers]
        d_sub = sum((customers[k] for k in served), np.zeros((scenarios.n_scenarios, horizon)))
        unmet = max(float(wanted[r] - shipped[r]), 0.0)  # what the stores asked for now and could not get
        cum = np.concatenate([np.zeros((scenarios.n_scenarios, 1)), np.cumsum(d_sub, axis=1)], axis=1)
        end = np.minimum(lead + review, horizon)
        lump = unmet + cum[np.arange(scenarios.n_scenarios), end] - cum[:, 1]
        paths = np.zeros((scenarios.n_scenarios, horizon))
        paths[np.arange(scenarios.n_scenarios), lead] = lump
        demand_paths.append(paths)
        weights = [float(customers[k].sum()) for k in served]
        probs = [_shift(scenarios, k) for k in served]
        shift.append(float(np.average(probs, weights=weights)) if served and sum(weights) > 0 else 0.0)
        windows[key] = int(lead.max()) + 1
        rate[key] = float(d_sub.mean())  # the stores' expected demand per period: what the DC passes on
        spec = specs[key]
        # its position: on hand and on order (what it passes on now may come out of a receipt due this period)
        dc_specs.append(replace(spec, on_hand=max(spec.on_hand + positions.get(key, 0.0) - float(shipped[r]), 0.0)))
    dc_keys = set(keys)
    upstream = [specs[(i, p)] for (i, loc), p in parent.items() if (i, loc) in dc_keys and (i, p) in specs]
    stage_problem = replace(
        problem,
        item_locations=tuple(dc_specs) + tuple(dict.fromkeys(upstream)),
        shipments=(),
        parents=problem.parents,
        policy=replace(problem.policy, service_floors={}, default_service_floor=0.0),
    )
    block = DemandBlock(
        item_ids=tuple(k[0] for k in keys),
        location_ids=tuple(k[1] for k in keys),
        paths=np.stack(demand_paths),
        shift_probability=np.array(shift),
        is_count=np.array([bool(np.all(p == np.round(p))) for p in demand_paths]),
    )
    return SupplyStage(
        problem=stage_problem,
        scenarios=replace(scenarios, demand=block),
        windows=windows,
        items=tuple(dict.fromkeys(k[0] for k in keys)),
        rate=rate,
    )


def _subtree(
    children: Mapping[tuple[str, str], Sequence[tuple[str, str]]], key: tuple[str, str]
) -> list[tuple[str, str]]:
    """Every item-location below ``key`` (children, their children, ...)."""
    out: list[tuple[str, str]] = []
    stack = list(children.get(key, ()))
    while stack:
        k = stack.pop()
        out.append(k)
        stack.extend(children.get(k, ()))
    return out


def _customer_demand(problem: PlanningProblem, scenarios: ScenarioSet) -> dict[tuple[str, str], np.ndarray]:
    """[S, T] customer demand of every item-location with paths, bundles pulled through to their components."""
    block = scenarios.demand
    paths = np.asarray(block.paths, dtype=np.float64)
    out = {(i, loc): paths[k].copy() for k, (i, loc) in enumerate(zip(block.item_ids, block.location_ids, strict=True))}
    for b in problem.bundles:
        for (i, loc), p in list(out.items()):
            if i == b.bundle_item_id:
                key = (b.component_item_id, loc)
                out[key] = out.get(key, np.zeros_like(p)) + b.qty_per_bundle * p
    return {k: v for k, v in out.items() if k[0] not in problem.bundle_items()}


def _shift(scenarios: ScenarioSet, key: tuple[str, str]) -> float:
    block = scenarios.demand
    for k, pair in enumerate(zip(block.item_ids, block.location_ids, strict=True)):
        if pair == key:
            return float(block.shift_probability[k])
    return 0.0


def _positions(problem: PlanningProblem, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], float]:
    """Units on order (open shipments, whenever they arrive) into each item-location of ``keys``."""
    wanted = set(keys)
    dest = {lane.lane_id: lane.destination_id for lane in problem.lanes}
    out: dict[tuple[str, str], float] = {}
    for s in problem.shipments:
        key = (s.item_id, dest.get(s.lane_id, ""))
        if key in wanted:
            out[key] = out.get(key, 0.0) + s.qty
    return out


def _lead_periods(scenarios: ScenarioSet, lane_id: str, transit_days: float | None) -> np.ndarray | None:
    """[S] period from which a booking leaving now on ``lane_id`` is available, per scenario."""
    sup = scenarios.supply
    if lane_id in sup.lane_ids:
        days = np.asarray(sup.lead_time_days[sup.lane_ids.index(lane_id)][:, 0], dtype=np.float64)
    elif transit_days is not None:
        days = np.full(scenarios.n_scenarios, float(transit_days))
    else:
        return None
    return arrival_period(days, scenarios.period_days, 10 * scenarios.horizon)


def supply_stage_model(model: PlanModel) -> PlanModel:
    """A DC level's model: its parents made pools (:func:`customer_stage`), and no transfer but from them (the
    DCs' own stock is counted by position, so none of it can be moved now)."""
    pools = pool_rows(model)
    staged = customer_stage(model, pools)
    c = staged.candidates
    if not c.n:
        return staged
    from_pool = (c.source >= 0) & pools[np.maximum(c.source, 0)]
    upper = np.where((c.kind == CandidateKind.TRANSFER) & ~from_pool, 0.0, c.upper)
    return replace(staged, candidates=replace(c, upper=upper))
