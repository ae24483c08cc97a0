"""Data gaps on a plan: the plan lists what it was made without, and each explanation that relies on it says so.

The service finds the gaps in the frames it loads (:func:`hedgerow.services.readiness.plan_gaps`) and the chain
hands them here once the plan is made: the plan carries them all (the top of `hedgerow plan`, its JSON), and
the explanation of every recommendation whose item-location relies on an assumption carries the gaps it relies
on (a line of its data section: "Inventory: no count on record — assumed 0 units on hand").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from hedgerow.domain.gaps import DataGap
from hedgerow.domain.plan import Plan, Recommendation


def _marked(rec: Recommendation, gaps: Sequence[DataGap]) -> Recommendation:
    mine = tuple(g for g in gaps if g.touches(rec.action))
    if not mine:
        return rec
    return replace(rec, explanation=replace(rec.explanation, gaps=mine))


def with_gaps(plan: Plan, gaps: Sequence[DataGap]) -> Plan:
    """``plan`` with its data gaps, and each recommendation relying on one marked in its explanation."""
    if not gaps:
        return plan
    return replace(plan, gaps=tuple(gaps), recommendations=tuple(_marked(r, gaps) for r in plan.recommendations))
