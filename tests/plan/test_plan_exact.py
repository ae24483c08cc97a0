"""The exact sample-average model (HiGHS) agrees with the cost model, and the ladder comes close to it."""

from __future__ import annotations

import numpy as np
import pytest

from hedgerow.domain.plan import CostTerm
from hedgerow.plan.evaluate import evaluate
from hedgerow.plan.exact import ExactOptions, SolverStatus, build_exact, read_exact, solve_exact, solve_sample_average
from hedgerow.plan.ladder import run_ladder
from hedgerow.plan.model import build_model
from hedgerow.plan.problem import PlannerPolicy
from hedgerow.plan.synthetic import random_instance


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lp_objective_equals_the_cost_model(seed: int) -> None:
    problem, scen = random_instance(
        seed, n_scenarios=30, horizon=6, moq=seed == 1, budget_share=0.4 if seed == 2 else None
    )
    model = build_model(problem, scen)
    em = build_exact(model, ExactOptions(floors=False))
    sol = solve_exact(em)
    assert sol.status is SolverStatus.OPTIMAL
    res = read_exact(em, sol)
    assert evaluate(model, res.x).total_objective == pytest.approx(res.objective, rel=1e-7, abs=1e-6)


def test_mip_with_floors_equals_the_cost_model_and_meets_them() -> None:
    problem, scen = random_instance(4, n_scenarios=20, horizon=6, policy=PlannerPolicy(risk_aversion=0.3))
    model = build_model(problem, scen)
    res = solve_sample_average(model, ExactOptions(floors=True))
    assert res.status is SolverStatus.OPTIMAL
    ev = evaluate(model, res.x)
    assert ev.total_objective == pytest.approx(res.objective, rel=1e-6)
    assert (ev.stockout_probability <= 1.0 - model.floor + 1e-9).all()


def test_infeasible_floor_is_reported_by_status() -> None:
    policy = PlannerPolicy(default_service_floor=1.0, service_floors={}, budget_total=0.0)
    problem, scen = random_instance(5, n_scenarios=20, horizon=6, policy=policy)
    model = build_model(problem, scen)
    res = solve_sample_average(model, ExactOptions(floors=True))
    assert res.status is SolverStatus.INFEASIBLE
    assert not res.x.any()


@pytest.mark.parametrize(
    ("seed", "kw"),
    [(0, {}), (1, {"budget_share": 0.3}), (2, {"moq": True}), (3, {"bundles": True, "n_items": 3})],
)
def test_ladder_is_close_to_the_optimum(seed: int, kw: dict[str, object]) -> None:
    problem, scen = random_instance(seed, n_scenarios=40, horizon=8, **kw)  # type: ignore[arg-type]
    model = build_model(problem, scen)
    exact = solve_sample_average(model, ExactOptions(floors=False, integer=True))
    assert exact.status is SolverStatus.OPTIMAL
    ladder = run_ladder(model)
    best = evaluate(model, exact.x)
    opt = best.total_objective
    got = evaluate(model, ladder.x).total_objective
    # the gap is judged on the full cost of being wrong: leftover stock is credited the freight it saves the next
    # order, which lowers the objective without making a gap any smaller
    full = abs(opt) + max(0.0, -float(best.breakdown[:, list(CostTerm).index(CostTerm.LEFTOVER_WRITEDOWN)].sum()))
    assert got >= opt - 1e-6 * full  # nothing beats the optimum of the same problem
    assert got <= opt + 0.01 * full
    assert (ladder.x * model.candidates.capital).sum() <= problem.policy.budget_total + 1e-6


def test_ladder_never_moves_stock_both_ways() -> None:
    for seed in range(6):
        problem, scen = random_instance(seed, n_scenarios=30, horizon=6)
        model = build_model(problem, scen)
        x = run_ladder(model).x
        c = model.candidates
        flows = {(int(c.source[j]), int(c.target[j])): x[j] for j in np.flatnonzero(c.source >= 0)}
        for (a, b), q in flows.items():
            assert not (q > 0 and flows.get((b, a), 0.0) > 0)


def test_a_time_limit_without_any_solution_keeps_the_ladders_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    """HiGHS can stop at its time limit before it has any solution (seen on a loaded machine): that is no crash,
    and the planner keeps the ladder's decision."""
    import math

    from hedgerow.plan import exact as exact_module
    from hedgerow.plan.exact import ExactSolution
    from hedgerow.plan.planner import MethodChoice, PlannerOptions, plan_partition

    empty = ExactSolution(SolverStatus.TIME_LIMIT, math.nan, np.zeros(0), math.nan, "Time limit reached")
    monkeypatch.setattr(exact_module, "solve_exact", lambda em: empty)
    problem, scen = random_instance(4, n_scenarios=20, horizon=6, policy=PlannerPolicy(risk_aversion=0.3))
    model = build_model(problem, scen)
    result = solve_sample_average(model)
    assert result.status is SolverStatus.TIME_LIMIT
    assert result.x.size == 0
    plan = plan_partition(problem, scen, options=PlannerOptions(method=MethodChoice.EXACT))
    assert plan.method.value == "ladder"
    assert plan.exact is not None
    assert plan.exact.x.size == 0
