"""Optimality of the hedge ladder against the HiGHS optimum of the same sample-average problem.

100 random small instances (2 items × 2 locations, 60 scenarios, 8 periods: ocean and air lanes with
disruptions, transfers, open shipments, holds, Poisson demand with upward shifts), in four families of 25:

* ``plain``   no coupling limit (the exact model is an LP);
* ``budget``  a total budget at 30 % of the capital the plan would need;
* ``moq``     minimum order quantities on ocean lanes (MIP);
* ``floors``  the default service floors A 98 % / B 95 % / C 90 % as chance constraints (MIP).

Both decisions are evaluated by the same cost model; HiGHS solves with whole units (``integer=True``) to a
relative MIP gap of 1e-6. Reported per family and overall: the gap ``(ladder - optimum) / optimum`` of the
risk-adjusted objective, and the share of the improvement over doing nothing that the ladder leaves on the table
``(ladder - optimum) / (do nothing - optimum)``.

Run: ``python -m bench.planner_optimality [--instances 100]``
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from dataclasses import replace

import numpy as np

from hedgerow.plan.evaluate import evaluate
from hedgerow.plan.exact import ExactOptions, SolverStatus, solve_sample_average
from hedgerow.plan.ladder import run_ladder
from hedgerow.plan.model import build_model
from hedgerow.plan.problem import PlannerPolicy
from hedgerow.plan.synthetic import random_instance

FAMILIES = ("plain", "budget", "moq", "floors")


def instance(family: str, seed: int):  # type: ignore[no-untyped-def]
    """The random instance of a family and seed."""
    kw: dict[str, object] = {}
    policy = None
    if family == "budget":
        kw["budget_share"] = 0.3
    elif family == "moq":
        kw["moq"] = True
    elif family == "floors":
        policy = PlannerPolicy()
    problem, scen = random_instance(seed, n_items=2, n_locations=2, n_scenarios=60, horizon=8, policy=policy, **kw)  # type: ignore[arg-type]
    if family == "floors":
        problem = replace(problem, policy=replace(problem.policy, max_change_per_period=float("inf")))
    return problem, scen


def run(n: int) -> dict[str, list[tuple[float, float, float, float]]]:
    """(gap, share of improvement missed, ladder seconds, HiGHS seconds) per family."""
    out: dict[str, list[tuple[float, float, float, float]]] = {f: [] for f in FAMILIES}
    per = max(1, n // len(FAMILIES))
    for family in FAMILIES:
        seed = 1000 * (FAMILIES.index(family) + 1)
        while len(out[family]) < per:
            seed += 1
            problem, scen = instance(family, seed)
            model = build_model(problem, scen)
            t0 = time.perf_counter()
            ladder = run_ladder(model)
            t1 = time.perf_counter()
            exact = solve_sample_average(
                model, ExactOptions(floors=family == "floors", integer=True, time_limit_s=300.0)
            )
            t2 = time.perf_counter()
            if exact.status is not SolverStatus.OPTIMAL:
                print(f"{family} seed {seed}: HiGHS {exact.status.value}, skipped", file=sys.stderr)
                continue
            opt = evaluate(model, exact.x).total_objective
            got = evaluate(model, ladder.x).total_objective
            nothing = evaluate(model).total_objective
            gap = (got - opt) / abs(opt)
            missed = (got - opt) / max(nothing - opt, 1e-9)
            out[family].append((gap, missed, t1 - t0, t2 - t1))
            print(
                f"{family:6s} seed {seed}: gap {gap:8.4%}  missed {missed:8.4%}  ladder {t1 - t0:5.2f}s  "
                f"HiGHS {t2 - t1:6.2f}s",
                flush=True,
            )
    return out


def summary(rows: list[tuple[float, float, float, float]]) -> str:
    g = np.array([r[0] for r in rows])
    m = np.array([r[1] for r in rows])
    tl = np.array([r[2] for r in rows])
    te = np.array([r[3] for r in rows])
    return (
        f"n={g.size:3d}  gap mean {g.mean():.3%}  median {np.median(g):.3%}  p90 {np.quantile(g, 0.9):.3%}  "
        f"max {g.max():.3%}  within 1 %: {(g <= 0.01).mean():.0%}  |  improvement missed median "
        f"{np.median(m):.3%} max {m.max():.3%}  |  time ladder {tl.mean():.2f}s  HiGHS {te.mean():.2f}s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=100)
    args = parser.parse_args()
    print(f"# planner optimality, {platform.python_version()}, {platform.machine()}")
    res = run(args.instances)
    print()
    for family in FAMILIES:
        print(f"{family:6s} {summary(res[family])}")
    print(f"{'all':6s} {summary([r for f in FAMILIES for r in res[f]])}")


if __name__ == "__main__":
    main()
