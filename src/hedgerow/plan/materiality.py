"""Leave out the actions too small to be worth a manager's minute (pure).

An action is worth recommending only when its value — the risk-adjusted saving against doing nothing, the rest of
the plan unchanged, base currency — clears ``[plan] min_value`` and ``[plan] min_value_share`` of the capital it
commits (issue 14). :func:`fold_immaterial` takes every other action out of the decision ("keep as is"), smallest
value first, and evaluates again, so the value of what is left is measured without what was folded.

Guardrails are not traded for readability: an action a service floor needs (without it an item-location would
fall below its floor) or that the bounded order change forces is never folded. Each item-location decides on its
own figures: the bar does not depend on how many item-locations share an item or a partition.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hedgerow.plan.alternatives import PROBABILITY_TIE
from hedgerow.plan.candidates import CandidateKind
from hedgerow.plan.ladder_base import group_moves
from hedgerow.plan.model import PlanModel, order_change_bounds
from hedgerow.plan.state import LadderState

#: Passes over the plan (folding one action changes the value of those that share its rows).
PASSES = 6
#: Quantities closer than this (units) are equal.
UNIT_TIE = 1e-9


@dataclass(frozen=True)
class Materiality:
    """The bar an action's value must clear: ``max(min_value, min_value_share × capital)`` (base currency)."""

    min_value: float = 0.0
    min_value_share: float = 0.0

    @property
    def active(self) -> bool:
        """True when the rule can fold anything."""
        return self.min_value > 0.0 or self.min_value_share > 0.0

    def bar(self, capital: float) -> float:
        """The value an action committing ``capital`` must reach (base currency)."""
        return max(self.min_value, self.min_value_share * capital)


@dataclass(frozen=True)
class Folded:
    """What the rule left out: how many actions and their value when each was folded (base currency)."""

    actions: int = 0
    value: float = 0.0

    def __add__(self, other: Folded) -> Folded:
        return Folded(self.actions + other.actions, self.value + other.value)


def fold_immaterial(
    model: PlanModel, x: np.ndarray, rule: Materiality, *, passes: int = PASSES
) -> tuple[np.ndarray, Folded]:
    """The decision ``x`` without the actions whose value is below the rule's bar (module docstring)."""
    x = np.asarray(x, dtype=np.float64).copy()
    if not rule.active:
        return x, Folded()
    c = model.candidates
    order_min, _ = order_change_bounds(model)
    is_order = c.kind == CandidateKind.ORDER
    folded = Folded()
    for _ in range(passes):
        js = np.flatnonzero(x > 0)
        if js.size == 0:
            break
        st = LadderState(model, x)
        keep = np.zeros(js.size, dtype=bool)
        for k, j in enumerate(js.tolist()):
            row = int(c.target[j])
            ordered = float(x[is_order & (c.target == row)].sum())
            keep[k] = bool(is_order[j]) and ordered - x[j] + UNIT_TIE < order_min[row]
        ev = st.options(js, -x[js], np.arange(js.size, dtype=np.int64))
        rows = ev.pair_row
        now = st.stockout_probability(rows)
        limit = 1.0 - model.floor[rows]
        breaks_floor = (model.floor[rows] > 0) & (ev.stockout > limit + PROBABILITY_TIE)
        breaks_floor &= ev.stockout > now + PROBABILITY_TIE
        keep[np.unique(ev.pair_option[breaks_floor])] = True
        value = np.asarray(ev.d_objective, dtype=np.float64)
        bar = np.array([rule.bar(float(x[j] * c.capital[j])) for j in js.tolist()])
        small = np.flatnonzero(~keep & (value < bar))
        if small.size == 0:
            break
        used: set[int] = set()
        chosen: list[int] = []
        for k in small[np.argsort(value[small], kind="stable")].tolist():
            j = int(js[k])
            touched = {int(c.target[j])} | ({int(c.source[j])} if c.source[j] >= 0 else set())
            if touched & used:
                continue  # its value changes once a neighbour is folded: the next pass decides
            used |= touched
            chosen.append(k)
        mc = js[chosen]
        items, move_item = group_moves(model.il_item[c.target[mc]])
        trial = st.trial(items, mc, -x[mc], move_item)
        st.apply_moves(trial, np.ones(mc.size, dtype=bool))
        folded += Folded(len(chosen), float(value[chosen].sum()))
        x = st.x.copy()
    return x, folded
