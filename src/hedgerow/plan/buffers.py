"""Buffers to keep: stock a transfer wanted but its own location's service floor holds back (pure).

The planner records such holds as ladder events; :func:`buffers_to_keep` sizes each one, and the explanations turn
them into "keep N units at X" recommendations (:mod:`hedgerow.explain.recommend`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from hedgerow.domain.plan import GuardrailKind
from hedgerow.plan.costs import expect, simulate
from hedgerow.plan.evaluate import inflow_for
from hedgerow.plan.ladder import LadderEvent
from hedgerow.plan.model import PlanModel


def buffers_to_keep(model: PlanModel, x: np.ndarray, events: Sequence[LadderEvent]) -> dict[int, tuple[int, float]]:
    """Rows whose stock a transfer wanted but their own floor keeps: row → (transfer candidate, units kept).

    The units kept are the free units the floor does not let go of: free stock minus the largest quantity that
    could leave at period 0 with the floor still met (bisection on the scenarios).
    """
    c = model.candidates
    out: dict[int, tuple[int, float]] = {}
    wanted: dict[int, int] = {}
    for e in events:
        if e.kind is GuardrailKind.SOURCE_PROTECTED and e.cand >= 0 and c.source[e.cand] == e.row:
            wanted.setdefault(e.row, e.cand)
    if not wanted:
        return out
    inflow = inflow_for(model, x)
    limit = 1.0 - model.floor
    for row, j in sorted(wanted.items()):
        free = float(model.movable[row] - x[c.source == row].sum())
        if free <= 0:
            continue
        base = inflow[row : row + 1]

        def ok(q: float, base: np.ndarray = base, row: int = row) -> bool:
            v = base.copy()
            v[:, :, 0] -= q
            f = simulate(
                v,
                model.demand[row : row + 1],
                model.holding[row : row + 1],
                model.floor_from[row : row + 1],
                model.window[row : row + 1],
            )
            return bool(float(expect(f.stockout[0].astype(np.float64), model.scenario_weight)) <= limit[row] + 1e-12)

        if not ok(0.0):
            continue
        lo, hi = 0.0, free
        if ok(hi):
            continue
        step = 1.0 if model.is_count[row] else max(1e-3, 0.01 * model.mean_demand[row])
        while hi - lo > step:
            mid = 0.5 * (lo + hi)
            mid = float(np.floor(mid)) if model.is_count[row] else mid
            if mid <= lo:
                break
            if ok(mid):
                lo = mid
            else:
                hi = mid
        keep = free - lo
        if keep > 1e-9:
            out[row] = (int(j), float(keep))
    return out
