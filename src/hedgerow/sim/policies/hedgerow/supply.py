"""Supply scenarios for hedgerow's policy: lead times of the lanes and arrivals of what is on order, from the view.

**Lanes.** The view gives, per item-location, the mean and standard deviation of the lead times (whole periods)
of the orders that have arrived so far, and their count. Pooled over the item-locations whose primary lane a lane
is, they give the lane's observed mean ``m`` and spread ``s``; ``n0`` is its planned transit (periods). Per
scenario and departure period the lead time is

    L = n0 + R(G),   G ~ Gamma(mean m - n0, sd s)    when m > n0 (lateness: long right tail, never early)
    L = max(0, R(m + s Z))                           otherwise (Z standard normal)

with ``R`` stochastic rounding to whole periods (``floor(x + U)``, which keeps the mean). Lanes without an
observation (and the other options of an item-location, whose arrivals the view does not tell apart) keep their
planned transit. The scenario set stores ``L × period_days`` days, so the planner's ``ceil(days / period_days)``
gives back exactly ``L`` — the simulator's arrival period for goods shipped now.

**On order.** The view gives the units in transit to each item-location but not their arrival dates. They are
matched, newest first, to the item-location's past orders (an order placed ``a`` periods ago is still travelling
when its lead time exceeds ``a``); a part that matches no recorded order (the pipeline in place when the replay
started) is spread evenly over the next ``n0`` periods, as in a steady state. A matched order arrives, per scenario,
``L - a`` periods from now with ``L`` drawn from the item-location's own lead-time estimates as above *given that it
is still travelling* (``L >= a``): a truck already late is likely to be later still on a lane whose lateness has a
long tail, so it is not assumed to arrive at once (:func:`draw_remaining`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hedgerow.scenarios.rng import Stream, stream_rng
from hedgerow.sim.history import HistoryView
from hedgerow.sim.policies.hedgerow.network import NetworkSpec


@dataclass(frozen=True)
class LaneLeads:
    """Lead-time statistics per lane, periods.

    Attributes
    ----------
    nominal:
        [lane] planned transit (-1 for lanes no item-location orders on).
    mean, std:
        [lane] pooled mean and standard deviation of observed lead times (the planned transit where none).
    """

    nominal: np.ndarray
    mean: np.ndarray
    std: np.ndarray


def lane_leads(view: HistoryView, network: NetworkSpec) -> LaneLeads:
    """Pool the view's per-item-location lead-time estimates by primary lane (module docstring)."""
    n_lanes = len(network.lane_ids)
    opts = network.lane_options
    nominal = np.full(n_lanes, -1.0)
    valid = opts >= 0
    rows, cols = np.nonzero(valid)
    nominal[opts[rows, cols]] = view.nominal_lead[rows, cols]
    primary = opts[:, 0]
    has = (primary >= 0) & (view.lead_time_count > 0)
    cnt = np.bincount(primary[has], weights=view.lead_time_count[has], minlength=n_lanes)
    s1 = np.bincount(primary[has], weights=(view.lead_time_count * view.lead_time_mean)[has], minlength=n_lanes)
    second = view.lead_time_count * (view.lead_time_std**2 + view.lead_time_mean**2)
    s2 = np.bincount(primary[has], weights=second[has], minlength=n_lanes)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(cnt > 0, s1 / cnt, np.maximum(nominal, 0.0))
        var = np.where(cnt > 1, s2 / cnt - mean**2, 0.0)
    return LaneLeads(nominal=nominal, mean=mean, std=np.sqrt(np.maximum(var, 0.0)))


def draw_leads(nominal: float, mean: float, std: float, size: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Whole-period lead times around the observed ``mean`` and ``std`` (module docstring), >= 0."""
    n0 = max(nominal, 0.0)
    if std <= 1e-9:
        return np.full(size, max(round(mean), 0), dtype=np.int64)
    u = rng.random(size)
    if mean > n0 + 1e-9:
        excess = mean - n0
        shape = (excess / std) ** 2
        g = rng.gamma(shape, std**2 / excess, size=size)
        return np.asarray(n0 + np.floor(g + u), dtype=np.int64)
    x = mean + std * rng.standard_normal(size)
    return np.asarray(np.maximum(np.floor(x + u), 0.0), dtype=np.int64)


#: Draws per wanted draw when sampling a lead time given the order is still travelling (rejection sampling).
REJECTION_BATCH = 16


def draw_remaining(
    nominal: float, mean: float, std: float, age: int, size: int, rng: np.random.Generator
) -> np.ndarray:
    """[size] whole periods until an order placed ``age`` periods ago and not yet arrived arrives: its lead time
    ``L`` drawn as :func:`draw_leads` given ``L >= age``, less ``age`` (rejection on a batch of draws; when no draw
    of the batch is that late the model gives the order no chance of still travelling, and it arrives now)."""
    batch = draw_leads(nominal, mean, std, (size * REJECTION_BATCH,), rng)
    late = batch[batch >= age] - age
    if late.size == 0:
        return np.zeros(size, dtype=np.int64)
    if late.size >= size:
        return np.asarray(late[:size], dtype=np.int64)
    return np.asarray(rng.choice(late, size=size), dtype=np.int64)


def lane_lead_paths(leads: LaneLeads, network: NetworkSpec, n_scenarios: int, horizon: int, seed: int) -> np.ndarray:
    """[lane, scenario, period] lead times in whole periods of goods shipped at each future period."""
    out = np.zeros((len(network.lane_ids), n_scenarios, horizon), dtype=np.int64)
    for k, lane in enumerate(network.lane_ids):
        if leads.nominal[k] < 0:
            continue
        rng = stream_rng(seed, Stream.LEAD_TIME, lane)
        out[k] = draw_leads(float(leads.nominal[k]), float(leads.mean[k]), float(leads.std[k]), out[k].shape, rng)
    return out


@dataclass(frozen=True)
class Pipeline:
    """Units on order, split into shipments with random arrival periods.

    Attributes
    ----------
    il:
        [m] item-location each shipment travels to.
    qty:
        [m] units.
    arrival:
        [m, scenario] periods from now until the units are available (0 = this period).
    """

    il: np.ndarray
    qty: np.ndarray
    arrival: np.ndarray


def pipeline(view: HistoryView, n_scenarios: int, seed: int) -> Pipeline:
    """Match what is on order to past orders, newest first, and draw when it arrives (module docstring)."""
    ils: list[int] = []
    qtys: list[float] = []
    arrivals: list[np.ndarray] = []
    orders = np.asarray(view.orders, dtype=np.float64)
    nominal = np.maximum(view.nominal_lead[:, 0], 0)
    for i in np.flatnonzero(view.on_order > 1e-9):
        left = float(view.on_order[i])
        rng = stream_rng(seed, Stream.IN_TRANSIT, f"{i}")
        for age in range(1, orders.shape[1] + 1):
            placed = float(orders[i, -age])
            if placed <= 0:
                continue
            take = min(left, placed)
            remaining = draw_remaining(
                float(nominal[i]), float(view.lead_time_mean[i]), float(view.lead_time_std[i]), age, n_scenarios, rng
            )
            ils.append(int(i))
            qtys.append(take)
            arrivals.append(remaining)
            left -= take
            if left <= 1e-9:
                break
        if left > 1e-9:
            spread = max(int(nominal[i]), 1)
            for k in range(spread):
                ils.append(int(i))
                qtys.append(left / spread)
                arrivals.append(np.full(n_scenarios, k, dtype=np.int64))
    return Pipeline(
        il=np.asarray(ils, dtype=np.int64),
        qty=np.asarray(qtys, dtype=np.float64),
        arrival=np.asarray(arrivals, dtype=np.int64).reshape(len(ils), n_scenarios),
    )
