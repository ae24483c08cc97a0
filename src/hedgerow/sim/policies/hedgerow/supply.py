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

**Signals.** The signals of the view (those observed by the decision moment) go through the supply model of
``hedgerow plan`` (:func:`disruption_model`): :func:`hedgerow.supply.signals.read_signals` sorts them at the
decision moment (accepted, superseded, expired, demand-side, quarantined; feed freshness against ``[quality]
stale_signal_days``) and :func:`hedgerow.supply.disruptions.build_disruptions` turns them into disruption regimes
over the lanes their scopes reach; :func:`hedgerow.supply.disruptions.draw_lane_disruptions` draws them as the
scenario builder does. A disrupted lane's goods take the regime's extra delay on top of the drawn lead time, carry
its capacity factor, and what is on order on it arrives later by the delay of the period it would have arrived in
(:func:`delayed_arrivals`), as in :func:`hedgerow.scenarios.builder.build_supply_block`. The policy's horizon
grows by what the regimes may add to a lane's lead time (:func:`disruption_reach`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from hedgerow.domain.enums import SignalKind
from hedgerow.scenarios.rng import Stream, stream_rng
from hedgerow.sim.history import HistoryView
from hedgerow.sim.policies.hedgerow.network import NetworkSpec
from hedgerow.supply.disruptions import DisruptionModel, LaneDisruptions, build_disruptions
from hedgerow.supply.network import LaneNetwork
from hedgerow.supply.signals import read_signals


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


def disruption_model(
    signals: pd.DataFrame | None,
    lanes: LaneNetwork,
    as_of: datetime,
    *,
    period_days: int,
    stale_after_days: float,
    expected_feeds: tuple[SignalKind, ...],
) -> DisruptionModel | None:
    """The disruption regimes of the signals seen at ``as_of`` (module docstring), or None when there are none:
    no signal and no expected feed, or only signals that disrupt no lane (sentiment, FX, expired ones)."""
    if (signals is None or signals.empty) and not expected_feeds:
        return None
    book = read_signals(signals, lanes, as_of, stale_after_days=stale_after_days, expected_kinds=expected_feeds)
    model = build_disruptions(book, lanes, period_days=period_days)
    return model if model.regimes else None


def disruption_reach(model: DisruptionModel | None, lane_ids: tuple[str, ...], period_days: int) -> np.ndarray:
    """[lane] periods a disruption may add to a lane's lead time: the sum over the regimes reaching it of their
    mean delay + 2 sd (Gamma: sd = mean / √shape), in periods, rounded up. The policy's horizon is stretched by it,
    so goods held up by a disruption still arrive inside the window the planner looks at."""
    out = np.zeros(len(lane_ids))
    if model is None:
        return out
    row = {lane: k for k, lane in enumerate(lane_ids)}
    for regime in model.regimes:
        days = regime.delay_mean_days * (1.0 + 2.0 / np.sqrt(regime.delay_shape))
        for lane in regime.lane_ids:
            out[row[lane]] += days
    return np.ceil(out / period_days)


def delayed_arrivals(pipe: Pipeline, lanes: np.ndarray, hit: LaneDisruptions, period_days: int) -> np.ndarray:
    """[m, scenario] days until each shipment of ``pipe`` (travelling on lane ``lanes[m]``) arrives: its drawn
    arrival plus the extra delay of its lane in the period it would otherwise arrive in (capped at the horizon)."""
    days = (pipe.arrival * period_days).astype(np.float64)
    if not pipe.qty.size:
        return days
    horizon = hit.extra_delay_days.shape[2]
    period = np.minimum(pipe.arrival, horizon - 1)
    scen = np.arange(pipe.arrival.shape[1])[None, :]
    return np.asarray(days + hit.extra_delay_days[lanes[:, None], scen, period])
