"""The adapter hedgerow's planner runs through: it passes views and decisions straight through."""

from __future__ import annotations

import numpy as np

from hedgerow.sim.backtest import BacktestSettings, run_backtest
from hedgerow.sim.engine import simulate
from hedgerow.sim.history import Decision, HistoryView
from hedgerow.sim.inputs import SimInputs
from hedgerow.sim.policies import PlannerPolicy, PolicyName


class EchoBackend:
    """An in-memory double of the planner backend: orders 3 units everywhere and flags every other order."""

    def __init__(self) -> None:
        self.seen: list[int] = []
        self.resets = 0

    def settings(self) -> dict[str, object]:
        return {"double": True}

    def reset(self) -> None:
        self.resets += 1
        self.seen = []

    def recommend(self, view: HistoryView) -> Decision:
        self.seen.append(view.t)
        qty = np.zeros((view.n_il, view.nominal_lead.shape[1]))
        qty[:, 0] = 3.0
        needs = np.zeros_like(qty, dtype=bool)
        needs[::2, 0] = True
        return Decision(qty=qty, needs_approval=needs)


def test_planner_policy_passes_views_and_its_approval_flags_through(small_network: SimInputs) -> None:
    backend = EchoBackend()
    policy = PlannerPolicy(backend)
    assert policy.name == PolicyName.HEDGEROW.value
    run = simulate(small_network, policy)
    assert backend.resets == 1
    assert backend.seen == list(range(small_network.start, small_network.n_periods))
    np.testing.assert_array_equal(run.orders, 3.0)
    per_period = (np.arange(small_network.n_il) % 2 == 0).sum()
    assert int(run.approvals.sum()) == per_period * small_network.n_simulated


def test_a_given_planner_policy_runs_like_any_other(small_network: SimInputs) -> None:
    with_backend = run_backtest(small_network, BacktestSettings(policies=()), extra=[PlannerPolicy(EchoBackend())])
    assert [m.policy for m in with_backend.metrics] == ["hedgerow"]
    assert with_backend.best_baseline() is None


def test_the_public_api_is_complete_and_importable() -> None:
    import hedgerow.sim as sim

    assert sorted(sim.__all__) == sim.__all__
    for name in sim.__all__:
        assert getattr(sim, name) is not None
