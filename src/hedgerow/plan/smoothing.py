"""Order smoothing: a jump of an order is spread over several plans (pure).

The plan's order ``q > 0`` of an item-location closes the whole gap between its position and the level the plan
wants. When it is above the expected demand per period ``μ`` — a promotion, a shift, a late truck — it is spread:
the order is ``μ + (q − μ) / T`` with ``T = [orders] smoothing_periods``, so the jump reaches the supplier over
``T`` plans instead of at once. This is the upward half of the proportional order-up-to rule of Disney & Towill
(2003), *Int. J. Production Economics* 85(2), which damps the bullwhip at the price of a slower recovery (the
simulator measures both, docs/simulator.md). An order at or below ``μ`` is left as it is: raising it would cost
more than the plan's best without cutting any risk in the plan's window — a recommendation dominated by its own
half, which nobody should approve — and where the plan orders nothing, nothing is ordered.

Guardrails come first: a smoothed order never drops below what the item-location's service floor needs (or, where
the floor cannot be met, below the risk the plan reached). The change is split over the lanes the plan uses, in
proportion; a lane's minimum order quantity is kept. Every change is reported (:class:`Smoothed`) so the
explanation can say why the order differs from the plan's best.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hedgerow.plan.candidates import CandidateKind
from hedgerow.plan.costs import expect
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
    orders = c.kind == CandidateKind.ORDER
    ordered = np.zeros(model.n_il)
    np.add.at(ordered, c.target[orders], x[orders])
    rows = np.unique(c.target[orders & (x > 0)])
    floor_min = _floor_minimum(model, x, rows, ordered)
    out = x.copy()
    changes: list[Smoothed] = []
    for r in rows.tolist():
        q = float(ordered[r])
        if q <= float(mu[r]):
            continue  # at or below expected demand: nothing to spread
        want = max(float(mu[r]) + (q - float(mu[r])) / periods, 0.0, float(floor_min[r]))
        grain = float(model.grain[r])
        want = float(np.round(want / grain) * grain)
        js = np.flatnonzero(orders & (c.target == r))
        lane_j = js[x[js] > 0]
        share = x[lane_j] / q
        out[lane_j] = _whole(share * want, want, grain)
        for j in lane_j.tolist():  # a lane's minimum order quantity: all of it or nothing
            if 0 < out[j] < c.moq[j]:
                out[j] = c.moq[j] if out[j] >= c.moq[j] / 2 else 0.0
        new = float(out[js].sum())
        if abs(new - q) >= MATERIAL_UNITS:
            changes.append(Smoothed(row=r, planned=q, ordered=new, rate=float(mu[r])))
        else:
            out[js] = x[js]
    return out, tuple(changes)


def _whole(values: np.ndarray, total: float, grain: float) -> np.ndarray:
    """``values`` rounded to whole packs of ``grain`` units that add up to ``total`` (largest remainder)."""
    base = np.floor(values / grain + 1e-9) * grain
    spare = round((total - float(base.sum())) / grain)
    if spare > 0:
        base[np.argsort(-(values - base), kind="stable")[:spare]] += grain
    return base


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
