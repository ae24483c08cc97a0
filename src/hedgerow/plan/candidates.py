"""Candidate actions: every way to change the position now, with its arrival profile, cost and capital.

A candidate is one *direction* the planner can move in, per unit:

* ``ORDER``    buy from a supplier on a lane (one candidate per item-location × supplier lane);
* ``TRANSFER`` move free (not held) stock from one location to another on a lane between locations;
* ``EXPEDITE`` move units of an open shipment that has not left yet to a faster lane on the same route.

The quantity along each direction is chosen by the hedge ladder (:mod:`hedgerow.plan.ladder`) or the exact
model (:mod:`hedgerow.plan.exact`). Costs are linear in the quantity, so the unit figures here are all either
needs.

Per-unit cost of a candidate in scenario ``s`` (base currency), paid when the goods leave (period ``k``, share
``a_k`` of the booking leaving then under the pro-rata capacity rule):

``transport = Σ_k a_k · lane_cost · M[lane, s, k] / fx[lane currency, s, k]`` (``M``: the scenario's freight-rate
multiplier, :mod:`hedgerow.supply.freight`; 1 when freight is at today's rate)

``purchase_fx = Σ_k a_k · (unit_cost / fx[cost currency, s, k] - book_cost)`` (orders only: the purchase price
at book cost is capital, recovered when the unit sells; only the FX difference is a cost)

``capital_in_transit = Σ_k a_k · (min(arrival_k, W) - k) · book_cost · cost_of_capital / periods_per_year``

Capital per unit (what budgets limit): book cost + transport for orders, transport for transfers and expedites.

A line also costs its lane's ``order_cost`` whatever its size (handling, paperwork, a booking fee): a fixed cost,
charged once when the candidate's quantity is positive (:func:`hedgerow.plan.evaluate.action_cost`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np

from hedgerow.domain.actions import ActionKind
from hedgerow.domain.network import Lane, OriginKind
from hedgerow.plan.problem import MODE_SPEED_RANK, PlanningProblem
from hedgerow.scenarios.scenario_set import ScenarioSet

if TYPE_CHECKING:
    from hedgerow.plan.problem import ItemLocationSpec

#: Departure periods tracked explicitly for a booking delayed by reduced lane capacity; the rest leaves later.
DEPARTURES = 3


class CandidateKind(IntEnum):
    """Kinds of candidate action (values index arrays; never renumber)."""

    ORDER = 0
    TRANSFER = 1
    EXPEDITE = 2

    @property
    def action_kind(self) -> ActionKind:
        """The :class:`~hedgerow.domain.actions.ActionKind` this candidate becomes."""
        return (ActionKind.ORDER, ActionKind.TRANSFER, ActionKind.EXPEDITE)[self.value]


@dataclass(frozen=True)
class LaneProfiles:
    """When one unit booked now on each lane becomes available, per scenario.

    Attributes
    ----------
    lanes:
        [L] the lanes serving the partition.
    arrival:
        [L, K + 1, S] period from which the share of departure ``k`` is available (``k = K``: the rest, which
        leaves after the tracked departures); capped to the window padding by :meth:`clipped`.
    share:
        [L, K + 1, S] share of a booking that leaves in departure ``k`` (sums to 1 over ``k``).
    fx_transport:
        [L, K + 1, S] transport cost per unit in the base currency for each departure (the scenario's spot rate
        in the lane's currency, converted at the scenario's FX rate).
    median_lead_periods:
        [L] median over scenarios of the arrival period of a booking leaving now.
    capacity:
        [L] units per period (``inf`` = unlimited).
    """

    lanes: tuple[Lane, ...]
    arrival: np.ndarray
    share: np.ndarray
    fx_transport: np.ndarray
    median_lead_periods: np.ndarray
    capacity: np.ndarray

    def clipped(self, tw: int) -> LaneProfiles:
        """The same profiles with arrivals after the window mapped to slot ``tw``."""
        return replace(self, arrival=np.minimum(self.arrival, tw))

    def row(self, lane_id: str) -> int:
        """Row of a lane."""
        for k, lane in enumerate(self.lanes):
            if lane.lane_id == lane_id:
                return k
        raise KeyError(f"lane {lane_id} does not serve this partition")


@dataclass(frozen=True)
class Candidates:
    """The candidate actions of a partition, one row per direction.

    Attributes
    ----------
    kind:
        [J] :class:`CandidateKind` values.
    target:
        [J] item-location row the units go to.
    source:
        [J] item-location row the units come from (transfers), else -1.
    lane:
        [J] lane row the units travel on.
    shipment:
        [J] pipeline row of the shipment an expedite moves, else -1.
    capital:
        [J] capital committed per unit, base currency.
    cost_parts:
        [3, J, S] per-unit cost in the base currency: transport, purchase FX difference, capital in transit.
    moq:
        [J] smallest non-zero quantity (units).
    fixed_cost:
        [J] cost of the line whatever its size, base currency at today's rates (lanes ``order_cost``).
    upper:
        [J] static upper bound on the quantity (units; ``inf`` = none): free stock of the source for
        transfers, shipment units for expedites, lane capacity.
    """

    kind: np.ndarray
    target: np.ndarray
    source: np.ndarray
    lane: np.ndarray
    shipment: np.ndarray
    capital: np.ndarray
    cost_parts: np.ndarray
    moq: np.ndarray
    upper: np.ndarray
    fixed_cost: np.ndarray

    @property
    def n(self) -> int:
        """Number of candidates."""
        return int(self.kind.shape[0])

    @property
    def unit_cost(self) -> np.ndarray:
        """[J, S] total per-unit cost in the base currency."""
        return np.asarray(self.cost_parts.sum(axis=0))


def _lane_lead_days(scenarios: ScenarioSet, lane: Lane) -> tuple[np.ndarray, np.ndarray]:
    """([S, T] lead time days, [S, T] capacity factor) of a lane from the scenarios or its planned transit."""
    sup = scenarios.supply
    n_s, horizon = scenarios.n_scenarios, scenarios.horizon
    if lane.lane_id in sup.lane_ids:
        k = sup.lane_ids.index(lane.lane_id)
        return (
            np.asarray(sup.lead_time_days[k], dtype=np.float64),
            np.clip(np.asarray(sup.capacity_factor[k], dtype=np.float64), 0.0, 1.0),
        )
    if lane.transit_days is None:
        raise ValueError(
            f"lane {lane.lane_id}: the scenario set has no lead-time paths for it and it has no transit_days; "
            "one of them is needed"
        )
    return np.full((n_s, horizon), float(lane.transit_days)), np.ones((n_s, horizon))


def freight_multiplier(scenarios: ScenarioSet, lane_id: str) -> np.ndarray:
    """[S, T] spot freight rate of a lane as a multiple of its ``cost_per_unit`` (ones when the set has none)."""
    m = scenarios.supply.freight(lane_id)
    if m is None:
        return np.ones((scenarios.n_scenarios, scenarios.horizon))
    return np.asarray(m, dtype=np.float64)


def build_lane_profiles(
    problem: PlanningProblem, scenarios: ScenarioSet, rows: Sequence[ItemLocationSpec]
) -> LaneProfiles:
    """Arrival profiles of every lane that ends at a location of ``rows`` (uncapped periods).

    A booking made now leaves in period ``k`` with share ``a_k = f_k Π_{j<k} (1 - f_j)`` (``f``: the lane's
    capacity factor in the scenario), for ``k < K``; the rest ``Π (1 - f_j)`` leaves at ``K`` and arrives after
    the window. The share leaving at ``k`` is available from ``k + ceil(lead_time_days[k] / period_days)``.
    """
    locations = {r.location_id for r in rows}
    lanes = tuple(
        lane
        for lane in problem.lanes
        if lane.destination_id in locations and (lane.origin_kind is OriginKind.SUPPLIER or lane.origin_id in locations)
    )
    n_s, horizon, pdays = scenarios.n_scenarios, scenarios.horizon, scenarios.period_days
    k_dep = min(DEPARTURES, horizon)
    n_l = len(lanes)
    arrival = np.zeros((n_l, k_dep + 1, n_s), dtype=np.int64)
    share = np.zeros((n_l, k_dep + 1, n_s))
    fx_transport = np.zeros((n_l, k_dep + 1, n_s))
    median = np.zeros(n_l, dtype=np.int64)
    capacity = np.full(n_l, math.inf)
    beyond = 10 * horizon + 10
    for li, lane in enumerate(lanes):
        lead, factor = _lane_lead_days(scenarios, lane)
        fx = _fx(problem, scenarios, lane.cost_currency)
        rate = lane.cost_per_unit * freight_multiplier(scenarios, lane.lane_id)  # [S, T] lane currency per unit
        remaining = np.ones(n_s)
        for k in range(k_dep):
            a = remaining * factor[:, k]
            share[li, k] = a
            remaining = remaining - a
            arrival[li, k] = k + np.ceil(np.maximum(lead[:, k], 0.0) / pdays - 1e-9).astype(np.int64)
            fx_transport[li, k] = rate[:, k] / fx[:, k]
        share[li, k_dep] = remaining
        arrival[li, k_dep] = beyond
        last = min(k_dep, horizon - 1)
        fx_transport[li, k_dep] = rate[:, last] / fx[:, last]
        median[li] = int(np.median(arrival[li, 0]))
        if lane.capacity_units_per_period is not None and math.isfinite(lane.capacity_units_per_period):
            capacity[li] = lane.capacity_units_per_period
    return LaneProfiles(
        lanes=lanes,
        arrival=arrival,
        share=share,
        fx_transport=fx_transport,
        median_lead_periods=median,
        capacity=capacity,
    )


def _fx(problem: PlanningProblem, scenarios: ScenarioSet, currency: str) -> np.ndarray:
    n_s, horizon = scenarios.n_scenarios, scenarios.horizon
    if currency == problem.base_currency:
        return np.ones((n_s, horizon))
    sup = scenarios.supply
    if currency in sup.currencies:
        return np.asarray(sup.fx_units_per_base[sup.currencies.index(currency)], dtype=np.float64)
    return np.full((n_s, horizon), problem.fx(currency))


def build_candidates(
    problem: PlanningProblem,
    scenarios: ScenarioSet,
    *,
    il_items: tuple[str, ...],
    il_locs: tuple[str, ...],
    window: np.ndarray,
    book_cost: np.ndarray,
    movable: np.ndarray,
    pools: np.ndarray,
    lanes: LaneProfiles,
    pipeline_lane: np.ndarray,
    pipeline_il: np.ndarray,
    pipeline_qty: np.ndarray,
    pipeline_expeditable: np.ndarray,
) -> Candidates:
    """Enumerate the candidate actions of a partition (see the module docstring for costs and capital)."""
    policy = problem.policy
    n_s, horizon = scenarios.n_scenarios, scenarios.horizon
    coc_per_period = policy.cost_of_capital_per_year * scenarios.period_days / 365.25
    row_of = {(i, loc): k for k, (i, loc) in enumerate(zip(il_items, il_locs, strict=True))}
    kind: list[int] = []
    target: list[int] = []
    source: list[int] = []
    lane_row: list[int] = []
    shipment: list[int] = []
    capital: list[float] = []
    parts: list[np.ndarray] = []
    moq: list[float] = []
    upper: list[float] = []
    fixed: list[float] = []

    def transit_capital(li: int, t_row: int) -> np.ndarray:
        arr = np.minimum(lanes.arrival[li], window[t_row])
        dep = np.arange(arr.shape[0])[:, None]
        periods = np.maximum(arr - dep, 0)
        return np.asarray((lanes.share[li] * periods).sum(axis=0) * book_cost[t_row] * coc_per_period)

    def add(
        k: CandidateKind, t_row: int, s_row: int, li: int, ship: int, cap: float, p: np.ndarray, q_min: float, ub: float
    ) -> None:
        kind.append(int(k))
        target.append(t_row)
        source.append(s_row)
        lane_row.append(li)
        shipment.append(ship)
        capital.append(cap)
        parts.append(p)
        moq.append(q_min)
        upper.append(min(ub, float(lanes.capacity[li])))
        lane = lanes.lanes[li]
        fixed.append(lane.order_cost / problem.fx(lane.cost_currency) if lane.order_cost else 0.0)

    for li, lane in enumerate(lanes.lanes):
        transport = (lanes.share[li] * lanes.fx_transport[li]).sum(axis=0)  # [S]
        transport_book = lane.cost_per_unit / problem.fx(lane.cost_currency)
        for (item_id, loc), t_row in row_of.items():
            if loc != lane.destination_id:
                continue
            if lane.origin_kind is OriginKind.SUPPLIER:
                item = problem.item(item_id)
                if item.supplier_ids and lane.origin_id not in item.supplier_ids:
                    continue
                fx = _fx(problem, scenarios, item.cost_currency)
                k_dep = lanes.share.shape[1] - 1
                cols = [min(k, horizon - 1) for k in range(k_dep + 1)]
                purchase = (lanes.share[li] * (item.unit_cost / fx[:, cols].T)).sum(axis=0) - book_cost[t_row]
                p = np.stack([transport, purchase, transit_capital(li, t_row)])
                add(
                    CandidateKind.ORDER,
                    t_row,
                    -1,
                    li,
                    -1,
                    book_cost[t_row] + transport_book,
                    p,
                    lane.min_order_qty,
                    math.inf,
                )
            else:
                s_row = row_of.get((item_id, lane.origin_id))
                # a stock pool (a DC) is a source even when empty: its stores say what they want of it
                if s_row is None or (movable[s_row] <= 0 and not pools[s_row]):
                    continue
                p = np.stack([transport, np.zeros(n_s), transit_capital(li, t_row)])
                add(
                    CandidateKind.TRANSFER,
                    t_row,
                    s_row,
                    li,
                    -1,
                    transport_book,
                    p,
                    lane.min_order_qty,
                    max(float(movable[s_row]), 0.0),
                )

    # expedites: an open shipment that has not left moves to a faster lane on the same route
    for p_row in range(pipeline_il.shape[0]):
        if not pipeline_expeditable[p_row] or pipeline_lane[p_row] < 0:
            continue
        old = lanes.lanes[pipeline_lane[p_row]]
        for li, lane in enumerate(lanes.lanes):
            if (
                lane.origin_id == old.origin_id
                and lane.destination_id == old.destination_id
                and MODE_SPEED_RANK[lane.mode] < MODE_SPEED_RANK[old.mode]
            ):
                transport = (lanes.share[li] * lanes.fx_transport[li]).sum(axis=0)
                p = np.stack([transport, np.zeros(n_s), np.zeros(n_s)])
                t_row = int(pipeline_il[p_row])
                cap = lane.cost_per_unit / problem.fx(lane.cost_currency)
                add(CandidateKind.EXPEDITE, t_row, -1, li, p_row, cap, p, 0.0, float(pipeline_qty[p_row]))

    j = len(kind)
    return Candidates(
        kind=np.array(kind, dtype=np.int64),
        target=np.array(target, dtype=np.int64),
        source=np.array(source, dtype=np.int64),
        lane=np.array(lane_row, dtype=np.int64),
        shipment=np.array(shipment, dtype=np.int64),
        capital=np.array(capital, dtype=np.float64),
        cost_parts=np.stack(parts, axis=1) if parts else np.zeros((3, 0, n_s)),
        moq=np.array(moq, dtype=np.float64),
        upper=np.array(upper, dtype=np.float64).reshape(j),
        fixed_cost=np.array(fixed, dtype=np.float64).reshape(j),
    )
