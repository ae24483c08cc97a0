"""Order smoothing: each plan orders the expected demand plus a share of what it asks for beyond it (pure).

The plan's order ``q`` of an item-location closes the whole gap ``G`` between its position and the level the plan
wants; smoothed, it orders ``q' = max(0, μ + (G − μ) / T)`` with ``μ`` its expected demand per period and
``T = [orders] smoothing_periods``. Where the plan orders something, ``G = q``; where it orders nothing the
position is above the level, and the gap is taken as minus the stock the plan expects to have left at the end of
its window (so an overstocked item-location orders nothing, and one just at its level keeps a steady trickle). In steady state ``q = μ`` and nothing changes; a jump of the level — a
promotion, a shift, a late truck — is spread over ``T`` plans instead of landing on the supplier at once. This is
the proportional order-up-to rule of Disney & Towill (2003), *Int. J. Production Economics* 85(2), which damps
the bullwhip at the price of a slower recovery; the simulator measures both (docs/simulator.md).

Guardrails come first: a smoothed order never drops below what the item-location's service floor needs (or, where
the floor cannot be met, below the risk the plan reached). Units smoothing adds go on the lane the plan already
uses, else the regular (cheapest) one; a lane's minimum order quantity is kept. Every change is reported
(:class:`Smoothed`) so the explanation can say why the order differs from the plan's best.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from hedgerow.plan.candidates import CandidateKind
from hedgerow.plan.costs import expect
from hedgerow.plan.evaluate import evaluate
from hedgerow.plan.floorcalc import max_remove_keeping_floor
from hedgerow.plan.model import PlanModel
from hedgerow.plan.state import LadderState

#: Smallest change of an order (units) worth reporting as smoothed.
MATERIAL_UNITS = 0.5


@dataclass(frozen=True)
class Smoothed:
    """One item-location whose order smoothing changed: the plan's best and what is ordered instead (units)."""

    row: int
    planned: float
    ordered: float
    rate: float


def smooth_orders(
    model: PlanModel, x: np.ndarray, *, periods: float, rate: np.ndarray | None = None
) -> tuple[np.ndarray, tuple[Smoothed, ...]]:
    """The decision ``x`` [J] with every item-location's orders smoothed (module docstring).

    Parameters
    ----------
    model:
        The stage's arrays.
    x:
        [J] the plan's units per candidate.
    periods:
        ``T`` (>= 1); 1 returns ``x`` unchanged.
    rate:
        [n] expected demand per period of each row (units); default: its mean demand over its window.

    Returns
    -------
    (x', changes)
    """
    c = model.candidates
    if periods <= 1.0 or not c.n:
        return x, ()
    mu = model.mean_demand if rate is None else np.asarray(rate, dtype=np.float64)
    left = evaluate(model, x).expected_end_stock  # [n] units left at the end of the window (and arriving after)
    orders = c.kind == CandidateKind.ORDER
    ordered = np.zeros(model.n_il)
    np.add.at(ordered, c.target[orders], x[orders])
    rows = np.unique(c.target[orders])
    floor_min = _floor_minimum(model, x, rows, ordered)
    out = x.copy()
    changes: list[Smoothed] = []
    for r in rows.tolist():
        q = float(ordered[r])
        gap = q if q > 0 else -float(left[r])
        want = max(float(mu[r]) + (gap - float(mu[r])) / periods, 0.0, float(floor_min[r]))
        if model.is_count[r]:
            want = float(math.floor(want + 0.5))
        js = np.flatnonzero(orders & (c.target == r))
        if q > 0:
            used = js[x[js] > 0]
            share = x[used] / q
            out[used] = share * want
            if model.is_count[r]:
                out[used] = _whole(share * want, want)
            lane_j = used
        else:
            j = _regular(model, js)
            if j is None or want <= 0:
                continue
            out[j] = want
            lane_j = np.array([j])
        for j in lane_j.tolist():  # a lane's minimum order quantity: all of it or nothing
            if 0 < out[j] < c.moq[j]:
                out[j] = c.moq[j] if out[j] >= c.moq[j] / 2 else 0.0
        new = float(out[js].sum())
        if abs(new - q) >= MATERIAL_UNITS:
            changes.append(Smoothed(row=r, planned=q, ordered=new, rate=float(mu[r])))
        else:
            out[js] = x[js]
    return out, tuple(changes)


def _whole(values: np.ndarray, total: float) -> np.ndarray:
    """``values`` rounded to whole units that add up to ``total`` (largest remainder)."""
    base = np.floor(values + 1e-9)
    spare = round(total - float(base.sum()))
    if spare > 0:
        base[np.argsort(-(values - base), kind="stable")[:spare]] += 1.0
    return base


def _regular(model: PlanModel, js: np.ndarray) -> int | None:
    """The cheapest order candidate among ``js`` (by capital per unit)."""
    if js.size == 0:
        return None
    return int(js[np.argmin(model.candidates.capital[js])])


def _floor_minimum(model: PlanModel, x: np.ndarray, rows: np.ndarray, ordered: np.ndarray) -> np.ndarray:
    """[n] the least order of each row of ``rows`` that keeps its stockout risk within its floor (or, where the
    floor is not met, within the risk the plan reached): its order less what could be taken back from the arrival
    of its largest lot (units; 0 without a floor)."""
    out = np.zeros(model.n_il)
    guarded = rows[(model.floor[rows] > 0) & (ordered[rows] > 0)]
    if guarded.size == 0:
        return out
    st = LadderState(model, x)
    c = model.candidates
    prob = expect(st.stockout[guarded].astype(np.float64), model.scenario_weight)
    limit = np.maximum(1.0 - model.floor[guarded], prob)
    lots = np.array(
        [int(np.flatnonzero((c.target == r) & (c.kind == CandidateKind.ORDER))[0]) for r in guarded], dtype=np.int64
    )
    for k, r in enumerate(guarded.tolist()):
        js = np.flatnonzero((c.target == r) & (c.kind == CandidateKind.ORDER) & (x > 0))
        if js.size:
            lots[k] = int(js[np.argmax(x[js])])
    arrival = model.lanes.arrival[c.lane[lots], 0]  # [G, S]
    removable = max_remove_keeping_floor(
        st.lost[guarded],
        st.stock[guarded],
        model.floor_from[guarded],
        model.window[guarded],
        model.scenario_weight,
        limit,
        start=arrival,
    )
    out[guarded] = np.maximum(ordered[guarded] - removable, 0.0)
    return out
