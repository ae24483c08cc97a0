"""The hedge ladder: lots of action ranked by marginal expected value per unit of capital.

For one partition of items, :func:`run_ladder` builds each item's sequence of *rungs* (a lot of one candidate
action, with its exact change of expected cost, CVaR and objective, its capital and its value per unit of
capital), greedily and for all items at once:

1. **Guardrail rungs** come first and are never traded for margin:

   * the bounded order change: when the last period's order is known, orders may not fall below
     ``last - max_change × mean demand`` (nor rise above ``last + max_change × mean demand``);
   * service floors: while an item-location's probability of a lost sale in its floor window exceeds
     ``1 - floor``, the cheapest (in objective) candidate that restores the floor on its own is sized by
     bisection on the scenarios; if none can, the one that lowers the risk most is taken at its limit and the
     floor is reported infeasible with the setting or limit that blocks it.

2. **Value rungs**, in stages of a falling *price of capital* λ: in a stage, every item repeatedly picks the
   candidate with the best gain per unit ``-(∂objective/∂qty) - λ · capital`` (one backward pass prices every
   candidate at once, :func:`hedgerow.plan.costs.marginal_costs`), tries a lot of it and keeps it when the
   exact objective falls by more than λ × its capital; otherwise the lot is halved, down to one unit. λ halves
   from stage to stage down to 0, so capital goes first to the lots with the highest value per unit of capital
   — the hedge ladder — and a budget stops the ladder where its money runs out. Without capital limits there is
   a single stage at λ = 0 (steepest descent).

3. **Polish**: the objective is convex but not smooth, and a greedy that only adds can overshoot (stock moved to a
   location that a later order would have served). The polish phase also takes lots back (both directions are
   priced by the same backward pass) until no single move gains.

Every limit is checked live for every rung: item-local ones (free stock after holds, shipment units, minimum
order quantity, order change) and those shared by items (budgets, lane and warehouse capacity,
:class:`~hedgerow.plan.limits.SharedLimits`). Stock is never moved both ways between two locations.
"""

from __future__ import annotations

import numpy as np

from hedgerow.plan.ladder_floors import FloorPhase
from hedgerow.plan.ladder_search import Search
from hedgerow.plan.limits import SharedLimits
from hedgerow.plan.model import PlanModel
from hedgerow.plan.rungs import LadderEvent, LadderOptions, LadderResult, Rung, RungPhase

__all__ = ["LadderEvent", "LadderOptions", "LadderResult", "Rung", "RungPhase", "run_ladder"]


class _Ladder(FloorPhase, Search):
    """One run of the ladder over a partition (internal)."""


def run_ladder(
    model: PlanModel,
    *,
    start: np.ndarray | None = None,
    items: np.ndarray | None = None,
    upper: np.ndarray | None = None,
    limits: SharedLimits | None = None,
    options: LadderOptions | None = None,
) -> LadderResult:
    """Build the hedge ladder of a partition.

    Parameters
    ----------
    model:
        The partition's arrays.
    start:
        [J] decision to start from (default: nothing); rungs are added on top.
    items:
        Item rows to work on (default: all).
    upper:
        [J] extra upper bounds on each candidate's total quantity (units).
    limits:
        Headroom under the shared limits (default: the policy's budgets and the network's capacities for this
        partition alone). A coordinator running several partitions passes each its share; it is consumed in
        place.
    options:
        Ladder tuning.

    Returns
    -------
    LadderResult
        The decision, the rungs in the order they were found, the guardrail events and the price of capital
        (gain per unit of capital) of the last stage.
    """
    lad = _Ladder(model, start, items, upper, limits, options or LadderOptions())
    lad.order_minimum()
    if lad._capital_limited():
        # scarce capital goes to the guardrails first, then by value per unit of capital
        lad.floors()
        lad.value()
        lad.polish()
    else:
        # capital is not scarce: find the economic plan, then top it up to the floors at the least cost
        lad.value()
        lad.floors()
    lad.moq_drops()
    lad.floor_swaps()
    lad.polish()
    return LadderResult(x=lad.st.x.copy(), rungs=tuple(lad.rungs), events=tuple(lad.events), price_of_capital=lad.price)
