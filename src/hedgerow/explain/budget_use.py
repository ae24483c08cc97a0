"""The next best use a budget left out: what the next dollars would have bought had the budget been larger.

When a budget binds (``[finance] budget_total`` or ``budget_per_region``), the plan stops funding actions that still
pay. :func:`next_best_use` names the best of them at the final decision: among the order and transfer candidates the
budget covers, the one with the highest gain of the risk-adjusted objective per unit of capital (one backward pass
prices them all, :meth:`~hedgerow.plan.state.LadderState.marginal`), sized by trying lots of 1, 2, 4 and 8 periods of
its destination's mean demand (whole packs, at least its minimum order quantity; a transfer at most the free stock
left at its source, and never one that pushes its source past its service floor) with the budget lifted and every
other action unchanged, keeping the lot worth the most. Lane and warehouse capacity are not checked for this
what-if: it answers "what would the money buy", not "what would the next plan do".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hedgerow.domain.actions import Action
from hedgerow.explain.recommend import candidate_action
from hedgerow.plan.candidates import CandidateKind
from hedgerow.plan.evaluate import evaluate
from hedgerow.plan.model import PlanModel, ceil_to
from hedgerow.plan.state import LadderState

#: Lot sizes tried for the next best use, in periods of its destination's mean demand.
LOT_PERIODS: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0)

#: Smallest gain (base currency) for a lot to count as a use of money at all.
MIN_GAIN = 0.5
#: Units below a lot's least size that still count as reaching it (rounding of pack arithmetic).
UNIT_TIE = 1e-9
#: Stockout probability a what-if may exceed the floor by (rounding of scenario averages).
PROBABILITY_TIE = 1e-12


@dataclass(frozen=True)
class NextUse:
    """The best use of capital a budget left out.

    Attributes
    ----------
    action:
        The action (its quantity is the lot tried, units).
    capital:
        Capital the lot would commit (base currency).
    value:
        Gain of the plan's risk-adjusted objective had the lot been added (base currency).
    """

    action: Action
    capital: float
    value: float

    @property
    def value_per_capital(self) -> float:
        """Gain per unit of capital (base currency per base currency)."""
        return self.value / self.capital if self.capital > 0 else 0.0


def _lots(model: PlanModel, j: int, x: np.ndarray) -> list[float]:
    c = model.candidates
    row = int(c.target[j])
    grain = float(model.grain[row])
    least = max(grain, float(c.moq[j]) if x[j] <= 0 else grain)
    limit = np.inf
    if int(c.kind[j]) == CandidateKind.TRANSFER and c.source[j] >= 0:
        src = int(c.source[j])
        limit = float(model.movable[src] - x[c.source == src].sum())
    lots = sorted(
        {
            min(max(float(ceil_to(np.array(model.mean_demand[row] * p), np.array(grain))), least), limit)
            for p in LOT_PERIODS
        }
    )
    return [q for q in lots if q >= least - UNIT_TIE and q > 0]


def next_best_use(model: PlanModel, x: np.ndarray, covered: np.ndarray, *, shortlist: int = 5) -> NextUse | None:
    """The best use of capital left out among the candidates ``covered`` marks (module docstring).

    Parameters
    ----------
    model:
        The partition's arrays.
    x:
        [J] the final decision (units per candidate).
    covered:
        [J] bool, the candidates the binding budget covers (all of them for the total budget; those whose
        destination is in the region for a regional one).
    shortlist:
        Candidates sized, best gain per unit of capital first.

    Returns
    -------
    NextUse or None
        None when no covered order or transfer would still gain at least :data:`MIN_GAIN`.
    """
    c = model.candidates
    usable = covered & (c.capital > 0) & (c.kind != CandidateKind.EXPEDITE)
    js = np.flatnonzero(usable)
    if js.size == 0:
        return None
    state = LadderState(model, x)
    ratio = -state.marginal(js) / c.capital[js]
    order = np.argsort(-ratio, kind="stable")
    now = evaluate(model, x)
    base = now.total_objective
    # a use may not push any item-location past its service floor (nor further past it than the plan leaves it)
    allowed = np.maximum(1.0 - model.floor, now.stockout_probability) + PROBABILITY_TIE
    best: NextUse | None = None
    for k in order[:shortlist].tolist():
        if ratio[k] <= 0:
            break
        j = int(js[k])
        for q in _lots(model, j, x):
            trial = x.copy()
            trial[j] += q
            ev = evaluate(model, trial)
            gain = base - ev.total_objective
            if not (ev.stockout_probability <= allowed).all():
                continue
            if gain >= MIN_GAIN and (best is None or gain > best.value):
                best = NextUse(candidate_action(model, j, q), float(q * c.capital[j]), float(gain))
    return best
