"""What explanations are computed from: the final decision of a partition and cheap what-if evaluations.

Every figure of an explanation comes from the planner's own cost model: a *variant* is the plan with some
moves changed (drop this action, halve it, route it another way), simulated on the same scenarios by the
ladder's batched trial (:meth:`hedgerow.plan.state.LadderState.trial`), many recommendations at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hedgerow.plan.costs import expect, simulate
from hedgerow.plan.evaluate import Evaluation, action_terms, evaluate, flow_terms
from hedgerow.plan.model import PlanModel
from hedgerow.plan.state import LadderState


@dataclass(frozen=True)
class Variants:
    """A batch of what-ifs, one per item row of ``items``.

    Attributes
    ----------
    items:
        [B] item rows.
    item_cost:
        [B, S] cost of the item per scenario under the variant.
    expected, tail, objective:
        [B] expected cost, the sum of its item-locations' CVaR and the risk-adjusted objective.
    breakdown:
        [B, len(CostTerm)] expected cost per term.
    rows, stockout:
        Item-location rows re-simulated and their [R] stockout probability under the variant.
    stock:
        [R, S, Tw] units on hand at the end of each period of the re-simulated rows under the variant.
    """

    items: np.ndarray
    item_cost: np.ndarray
    expected: np.ndarray
    tail: np.ndarray
    objective: np.ndarray
    breakdown: np.ndarray
    rows: np.ndarray
    stockout: np.ndarray
    stock: np.ndarray

    def stock_of(self, row: int) -> np.ndarray | None:
        """[S, Tw] stock on hand of ``row`` under the variant (None when it was not re-simulated)."""
        hit = np.flatnonzero(self.rows == row)
        return self.stock[hit[0]] if hit.size else None

    def stockout_of(self, row: int, default: float) -> float:
        """Stockout probability of ``row`` under the variant (``default`` when it was not re-simulated)."""
        hit = np.flatnonzero(self.rows == row)
        return float(self.stockout[hit[0]]) if hit.size else default


class ExplainContext:
    """The final decision of a partition, evaluated, with a what-if engine.

    Parameters
    ----------
    model:
        The partition's arrays.
    x:
        [J] the plan's units per candidate.
    """

    def __init__(self, model: PlanModel, x: np.ndarray) -> None:
        self.model = model
        self.x = np.asarray(x, dtype=np.float64).copy()
        self.state = LadderState(model, self.x)
        self.base: Evaluation = evaluate(model, self.x)
        # expected flow terms of every row under the plan (the actions' own terms are added per item)
        self.flow_terms = expect(_flow_terms_from_state(model, self.state), model.scenario_weight)  # [T, n]

    def item_of(self, j: int) -> int:
        """Item row of candidate ``j``'s target."""
        return int(self.model.il_item[self.model.candidates.target[j]])

    def variants(self, items: np.ndarray, cands: np.ndarray, qty: np.ndarray, move_item: np.ndarray) -> Variants:
        """Evaluate the plan with moves ``qty`` (signed units) of ``cands`` applied, per item.

        ``items`` must be distinct; ``move_item`` maps each move to its item's index in ``items``.
        """
        model, st = self.model, self.state
        p = model.scenario_weight
        trial = st.trial(items, cands, qty, move_item)
        # breakdown: the item's plan breakdown, with the re-simulated rows and the changed actions replaced
        breakdown = self.base.breakdown[items].copy()
        tw = model.tw
        hold = (trial.stock * model.holding[trial.rows][:, None, :]).sum(axis=2)
        end = trial.stock[:, :, tw - 1] + trial.inflow[:, :, tw]
        new_terms = expect(flow_terms(model, trial.rows, trial.lost.sum(axis=2), hold, end), p)  # [T, R]
        old_terms = self.flow_terms[:, trial.rows]
        pos = np.full(len(model.item_ids), -1, dtype=np.int64)
        pos[items] = np.arange(items.size)
        row_item = pos[model.il_item[trial.rows]]
        np.add.at(breakdown, row_item, (new_terms - old_terms).T)
        moved = expect(action_terms(model, cands, qty), p)  # [T, M]
        np.add.at(breakdown, move_item, moved.T)
        stockout = np.clip(expect(trial.stockout.astype(np.float64), p), 0.0, 1.0)
        return Variants(
            items=items,
            item_cost=trial.item_cost,
            expected=trial.expected,
            tail=trial.tail,
            objective=trial.objective,
            breakdown=breakdown,
            rows=trial.rows,
            stockout=stockout,
            stock=trial.stock,
        )


def _flow_terms_from_state(model: PlanModel, st: LadderState) -> np.ndarray:
    """[T, n, S] flow terms of the state's decision (recomputed from its inflow)."""
    flow = simulate(st.inflow, model.demand, model.holding, model.floor_from, model.window)
    return flow_terms(model, np.arange(model.n_il), flow.lost_units, flow.holding_cost, flow.end_stock)
