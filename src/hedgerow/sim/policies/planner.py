"""The adapter through which hedgerow's own planner will run as a simulator policy (phase 2).

The planner (issue 5) turns a scenario set into recommended actions. To backtest it, each period the simulator
will hand it the :class:`~hedgerow.sim.history.HistoryView` — the past only, plus planned drivers — and the planner
will build its demand and supply scenarios from that view, plan, and answer with a :class:`Decision` that says
which orders a person must approve (its guardrails decide that). Nothing here plans: until a
:class:`PlannerBackend` built on the planner exists, hedgerow's row is absent from every backtest rather than
imitated by a stand-in.
"""

from __future__ import annotations

from typing import Protocol

from hedgerow.sim.history import Decision, HistoryView
from hedgerow.sim.policies.base import PolicyName


class PlannerBackend(Protocol):
    """What the planner must offer the simulator (to be implemented on top of ``hedgerow.plan`` in phase 2)."""

    def settings(self) -> dict[str, object]:
        """Settings stated in reports (risk aversion, CVaR level, scenario count, guardrails...)."""
        ...

    def reset(self) -> None:
        """Forget state from a previous run (e.g. fitted demand models)."""
        ...

    def recommend(self, view: HistoryView) -> Decision:
        """Plan from the past only and return the period's orders, with ``needs_approval`` filled in."""
        ...


class PlannerPolicy:
    """hedgerow's planner as a :class:`~hedgerow.sim.policies.base.Policy`: a thin pass-through to a backend."""

    def __init__(self, backend: PlannerBackend) -> None:
        self.backend = backend

    @property
    def name(self) -> str:
        """Name shown in reports."""
        return PolicyName.HEDGEROW.value

    def settings(self) -> dict[str, object]:
        """The backend's stated settings."""
        return self.backend.settings()

    def reset(self) -> None:
        """Reset the backend."""
        self.backend.reset()

    def decide(self, view: HistoryView) -> Decision:
        """The planner's orders for this period."""
        return self.backend.recommend(view)
