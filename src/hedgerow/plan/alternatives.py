"""The other options of an action: half of it, or the same units another way (pure).

The explanations list them beside the recommended action and doing nothing (:mod:`hedgerow.explain.recommend`),
and the planner makes sure none of them is better on every count (:mod:`hedgerow.plan.repair`): one definition
for both. Each is a feasible action — whole packs, a lane's minimum order quantity, what the plan leaves of
budgets and capacities.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hedgerow.plan.limits import SharedLimits
from hedgerow.plan.model import PlanModel, floor_to
from hedgerow.plan.state import LadderState

#: Differences of money smaller than this (base currency) are ties when options are compared.
MONEY_TIE = 0.5
#: Differences of probability smaller than this are ties when options are compared.
PROBABILITY_TIE = 1e-9


@dataclass(frozen=True)
class Standing:
    """How an option stands: expected cost, bad-case cost (CVaR), chance of running out at the destination and
    capital (base currency, probability)."""

    expected: float
    tail: float
    stockout: float
    capital: float

    def dominated_by(self, other: Standing) -> bool:
        """True when ``other`` is no worse on every count and better on one (beyond ties)."""
        no_worse = (
            other.expected <= self.expected + MONEY_TIE
            and other.tail <= self.tail + MONEY_TIE
            and other.stockout <= self.stockout + PROBABILITY_TIE
            and other.capital <= self.capital + MONEY_TIE
        )
        better = (
            other.expected < self.expected - MONEY_TIE
            or other.tail < self.tail - MONEY_TIE
            or other.stockout < self.stockout - PROBABILITY_TIE
            or other.capital < self.capital - MONEY_TIE
        )
        return no_worse and better


def half_quantity(model: PlanModel, j: int, qty: float) -> float:
    """Half the quantity of candidate ``j`` (``qty`` units), in whole packs and at least its lane's minimum order
    quantity; 0 when no such quantity is below ``qty``."""
    c = model.candidates
    half = max(float(floor_to(np.array(qty / 2), model.grain[c.target[j]])), float(c.moq[j]))
    return half if 0 < half < qty - 1e-9 else 0.0


def other_route(model: PlanModel, st: LadderState, limits: SharedLimits, j: int) -> tuple[int, float] | None:
    """The best other candidate into the destination of ``j`` and the units it can carry in its place (up to
    ``j``'s units): the one with the lowest marginal cost now, within its own limits and what the plan leaves of
    the shared ones (with ``j``'s share given back), in whole packs and at least its minimum order quantity."""
    c = model.candidates
    row = int(c.target[j])
    others = np.flatnonzero((c.target == row) & (np.arange(c.n) != j) & (c.upper > 0))
    if others.size == 0:
        return None
    x = st.x
    room = c.upper[others] - x[others]
    tr = c.source[others] >= 0
    room[tr] = np.minimum(room[tr], model.movable[c.source[others[tr]]] - st.moved_out[c.source[others[tr]]])
    sh = c.shipment[others] >= 0
    room[sh] = np.minimum(room[sh], model.pipeline.qty[c.shipment[others[sh]]] - st.expedited[c.shipment[others[sh]]])
    snap = limits.snapshot()
    limits.consume(np.array([j]), np.array([-x[j]]))
    room = np.minimum(room, limits.headroom(others))
    limits.restore(snap)
    q = floor_to(np.minimum(room, x[j]), model.grain[row])
    new = x[others] <= 0
    q = np.where(new & (q < c.moq[others]), np.where(room >= c.moq[others], c.moq[others], 0.0), q)
    ok = q > 1e-9
    if not ok.any():
        return None
    others, q = others[ok], q[ok]
    k = int(np.argmin(st.marginal(others)))
    return int(others[k]), float(q[k])
