"""No action of a plan is dominated by one of its own options (pure).

The explanation of every action lists doing nothing, half of it and the same units another way
(:mod:`hedgerow.plan.alternatives`), each evaluated with the rest of the plan unchanged. A manager must never see
one of them be at least as good on expected cost, bad-case cost, chance of running out and capital, and better on
one (issue 14): such an action is a planning slip — a guardrail lot larger than its risk cut needs, a lane chosen
early that a later swap would have beaten. :func:`undominate` evaluates every action's options the way the
explanation will and takes a dominating one where there is one, a few passes until none is left.
"""

from __future__ import annotations

import numpy as np

from hedgerow.plan.alternatives import Standing, half_quantity, other_route
from hedgerow.plan.candidates import CandidateKind
from hedgerow.plan.ladder_base import group_moves
from hedgerow.plan.limits import SharedLimits
from hedgerow.plan.model import PlanModel, order_change_bounds
from hedgerow.plan.state import LadderState

#: Passes over the plan (each can change an action that a change in the previous pass made dominated).
PASSES = 4


def undominate(model: PlanModel, x: np.ndarray, *, passes: int = PASSES) -> tuple[np.ndarray, int]:
    """The decision ``x`` with every dominated action replaced by its best dominating option, and how many were."""
    c = model.candidates
    x = np.asarray(x, dtype=np.float64).copy()
    replaced = 0
    order_min, _ = order_change_bounds(model)
    is_order = c.kind == CandidateKind.ORDER
    for _ in range(passes):
        js = np.flatnonzero(x > 0)
        if js.size == 0:
            break
        st = LadderState(model, x)
        limits = SharedLimits.from_model(model)
        limits.consume(js, x[js])
        cands: list[int] = []
        qty: list[float] = []
        option: list[int] = []
        owner: list[int] = []
        new_capital: list[float] = []
        for j in js.tolist():
            choices: list[list[tuple[int, float]]] = [[(j, -x[j])]]  # do nothing
            half = half_quantity(model, j, float(x[j]))
            if half > 0:
                choices.append([(j, half - x[j])])
            route = other_route(model, st, limits, j)
            if route is not None:
                choices.append([(j, -x[j]), route])
            row = int(c.target[j])
            ordered = float(x[is_order & (c.target == row)].sum())
            for moves in choices:
                after = ordered + sum(q for jj, q in moves if is_order[jj] and c.target[jj] == row)
                if after + 1e-9 < order_min[row]:
                    continue  # the bounded order change's minimum is a guardrail
                k = len(owner)
                owner.append(j)
                new_capital.append(
                    sum((x[jj] + q) * c.capital[jj] for jj, q in moves if jj == j)
                    + sum(q * c.capital[jj] for jj, q in moves if jj != j)
                )
                for jj, q in moves:
                    cands.append(jj)
                    qty.append(q)
                    option.append(k)
        ev = st.options(np.array(cands, dtype=np.int64), np.array(qty), np.array(option, dtype=np.int64))
        best: dict[int, tuple[float, int]] = {}
        for k, j in enumerate(owner):
            row = int(c.target[j])
            here = Standing(0.0, 0.0, float(st.stockout_probability(np.array([row]))[0]), float(x[j] * c.capital[j]))
            hit = np.flatnonzero((ev.pair_option == k) & (ev.pair_row == row))
            p_opt = float(ev.stockout[hit[0]]) if hit.size else here.stockout
            other = Standing(float(ev.d_expected[k]), float(ev.d_tail[k]), p_opt, new_capital[k])
            if here.dominated_by(other) and (j not in best or ev.d_objective[k] < best[j][0]):
                best[j] = (float(ev.d_objective[k]), k)
        if not best:
            break
        # options of one pass change different rows: the best first
        moves_c: list[int] = []
        moves_q: list[float] = []
        used: set[int] = set()
        option_arr = np.array(option)
        for _gain, k in sorted(best.values()):
            ms = np.flatnonzero(option_arr == k).tolist()
            rows = {int(c.target[cands[m]]) for m in ms} | {
                int(c.source[cands[m]]) for m in ms if c.source[cands[m]] >= 0
            }
            if rows & used:
                continue
            used |= rows
            for m in ms:
                moves_c.append(cands[m])
                moves_q.append(qty[m])
            replaced += 1
        mc = np.array(moves_c, dtype=np.int64)
        items, move_item = group_moves(model.il_item[c.target[mc]])
        trial = st.trial(items, mc, np.array(moves_q), move_item)
        st.apply_moves(trial, np.ones(mc.size, dtype=bool))
        x = st.x.copy()
    return x, replaced
