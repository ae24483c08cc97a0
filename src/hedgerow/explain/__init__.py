"""Explanations: alternatives, cost breakdown, drivers, break-even, data freshness and a plain summary.

Modules: :mod:`~hedgerow.explain.context` (what-if evaluations on the plan's own cost model),
:mod:`~hedgerow.explain.drivers`, :mod:`~hedgerow.explain.breakeven`, :mod:`~hedgerow.explain.lineage`,
:mod:`~hedgerow.explain.narrative` (deterministic templates, at most 120 words), :mod:`~hedgerow.explain.words`
and :mod:`~hedgerow.explain.recommend` (recommendations of a partition with their explanations).
"""
