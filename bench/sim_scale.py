"""Scale of the simulator: a 52-week backtest of 10,000 item-locations with every baseline and reference.

    python -m bench.sim_scale [--items 250] [--stores 40] [--dcs 4]

The network is :func:`hedgerow.sim.synthetic.store_network`: ``items × stores`` customer-facing store-items
(10,000 by default) behind ``dcs`` regional DCs (another ``items × dcs`` item-locations), negative-binomial weekly
demand with seasonality and promotions, log-normal supplier transit times; 26 weeks of warm-up and 52 simulated.
Every built-in policy runs through :func:`hedgerow.sim.backtest.run_backtest` (metrics included), one after the
other in one process; HiGHS may use both cores for the clairvoyant LP. The target is a total under 10 minutes on 2
cores; the figure is the ratio of the measured total to that budget, and each policy's time relative to the
textbook policy's replay.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from hedgerow.sim.backtest import run_backtest
from hedgerow.sim.synthetic import store_network

BUDGET_SECONDS = 600.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=250)
    parser.add_argument("--stores", type=int, default=40)
    parser.add_argument("--dcs", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    began = time.perf_counter()
    inputs = store_network(
        np.random.default_rng(args.seed),
        n_items=args.items,
        n_stores=args.stores,
        n_dcs=args.dcs,
        n_periods=78,
        start=26,
    )
    built = time.perf_counter() - began
    result = run_backtest(inputs, progress=lambda name, done, total: print(f"  [{done}/{total}] {name}", flush=True))
    total = time.perf_counter() - began
    base = result.seconds["order_up_to"]
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}")
    print(
        f"item-locations: {inputs.n_il:,} ({int((inputs.echelon == 0).sum()):,} customer-facing), "
        f"{inputs.n_simulated} simulated weeks"
    )
    print(f"build: {built:.1f} s")
    print("| policy | seconds | × textbook replay | total cost | fill rate |")
    print("|---|---|---|---|---|")
    for m in result.metrics:
        s = result.seconds[m.policy]
        print(f"| {m.policy} | {s:.1f} | {s / base:.1f} | {m.total_cost:,.0f} | {m.fill_rate:.4f} |")
    print(f"total: {total:.0f} s = {total / BUDGET_SECONDS:.2f} × the 10-minute budget")


if __name__ == "__main__":
    main()
