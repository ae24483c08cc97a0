"""Speed of a full plan: 10,000 item-locations × 500 scenarios × 26 periods.

The instance is synthetic (:func:`hedgerow.plan.synthetic.large_instance`): 2,500 items at 4 locations, an
ocean lane (disrupted in a quarter of the scenarios: +9 days, 70 % capacity) and an air lane from one supplier into
each location, transfers between all locations, one open shipment per item-location (a quarter can still be
expedited), Poisson demand shifting up by 50 % in a share of the scenarios, default policy (service floors A 98 %
/ B 95 % / C 90 %, CVaR 95 % with weight 0.2).

Reported:

* wall time and CPU time of the plan (the machine may be shared: the load average is printed with the result);
* scenario-cells per second: item-locations × scenarios × periods of the input arrays / wall time;
* two baselines over the same arrays, run side by side: one numpy read of the demand array (``sum``: the
  memory-bound limit) and one vectorised lost-sales pass over all 26 periods (the least work any plan needs:
  evaluating a single decision once). The ratios say how many such passes the plan costs.

Run: ``python -m bench.planner_speed [--items 2500] [--scenarios 500] [--workers 2] [--explain]``
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import time

import numpy as np

from hedgerow.pipeline.planning import make_plan
from hedgerow.plan.costs import simulate
from hedgerow.plan.ladder import LadderOptions
from hedgerow.plan.planner import MethodChoice, PlannerOptions
from hedgerow.plan.synthetic import large_instance


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def baselines(demand: np.ndarray, repeat: int = 3) -> tuple[float, float]:
    """Seconds of (a numpy read of ``demand``, one lost-sales pass over all its periods), best of ``repeat``."""
    read = []
    for _ in range(repeat):
        t = time.perf_counter()
        float(demand.sum(dtype=np.float64))
        read.append(time.perf_counter() - t)
    m, n_s, tw = demand.shape
    inflow = np.zeros((m, n_s, tw + 1), dtype=demand.dtype)
    inflow[:, :, 0] = demand[:, :, :4].sum(axis=2)  # some stock to start from
    holding = np.full((m, tw), 0.01)
    passes = []
    for _ in range(repeat):
        t = time.perf_counter()
        simulate(inflow, demand, holding, np.full(m, tw - 1), np.full(m, tw))
        passes.append(time.perf_counter() - t)
    return min(read), min(passes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2500, help="items (× 4 locations = item-locations)")
    parser.add_argument("--scenarios", type=int, default=500)
    parser.add_argument("--periods", type=int, default=26)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--partition", type=int, default=2500, help="largest partition, in item-locations")
    parser.add_argument("--rel-tol", type=float, default=LadderOptions().rel_tol)
    parser.add_argument("--explain", action="store_true", help="also build every explanation")
    args = parser.parse_args()
    t0 = time.perf_counter()
    problem, scen = large_instance(1, n_items=args.items, n_scenarios=args.scenarios, horizon=args.periods)
    build = time.perf_counter() - t0
    demand = scen.demand.paths
    cells = demand.shape[0] * demand.shape[1] * demand.shape[2]
    read_s, pass_s = baselines(demand)
    options = PlannerOptions(
        method=MethodChoice.LADDER,
        explain=args.explain,
        workers=args.workers,
        max_partition_item_locations=args.partition,
        ladder=LadderOptions(rel_tol=args.rel_tol),
    )
    load_before = os.getloadavg()
    cpu0, t1 = _cpu(), time.perf_counter()
    plan = make_plan(problem, scen, options=options)
    wall, cpu = time.perf_counter() - t1, _cpu() - cpu0
    load_after = os.getloadavg()
    print(f"# planner speed, Python {platform.python_version()}, {os.cpu_count()} cores, numpy {np.__version__}")
    print(
        f"instance: {demand.shape[0]:,} item-locations x {demand.shape[1]} scenarios x {demand.shape[2]} periods "
        f"= {cells:,} scenario-cells ({demand.dtype}), built in {build:.1f} s"
    )
    print(f"options: workers={args.workers} partition={args.partition} rel_tol={args.rel_tol:g} explain={args.explain}")
    print(
        f"plan: wall {wall:.1f} s, CPU {cpu:.1f} s; {len(plan.recommendations):,} recommendations; "
        f"objective {plan.totals.objective:,.0f} vs doing nothing {plan.do_nothing.objective:,.0f}"
    )
    print(f"throughput: {cells / wall:,.0f} scenario-cells per second (wall)")
    print(
        f"baselines: numpy read {read_s:.3f} s ({cells / read_s:,.0f} cells/s), one lost-sales pass "
        f"{pass_s:.2f} s ({cells / pass_s:,.0f} cells/s)"
    )
    print(f"ratios: plan / numpy read = {wall / read_s:,.0f}; plan / one lost-sales pass = {wall / pass_s:,.1f}")
    print(
        f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (other work on the machine slows "
        "the wall time)"
    )


if __name__ == "__main__":
    main()
