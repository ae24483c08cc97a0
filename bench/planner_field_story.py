"""The field story on the demo network: revenue lost under hedgerow's plan and under a margin-maximising plan.

A demo workspace is built (seeded), the cascade of :mod:`hedgerow.demo.field_story` is injected into its tables
(Los Angeles port outage, US truck-driver shortage, a viral demand shift in Tokyo, the accessory the US bundles
need), and the whole chain runs (demand engine, supply model, joint scenarios). Over the same scenarios, two
decisions are compared:

* **hedgerow**: the workspace's policy (service floors A 98 % / B 95 % / C 90 %, goodwill, CVaR 95 % weight 0.2);
* **margin-maximiser** (baseline): the same planner and scenarios with no floors, no goodwill and risk-neutral —
  what an optimiser that only maximises expected margin recommends.

Reported: expected revenue lost to stockouts over each item-location's protection window (base currency, list
prices at today's rates), over the whole network and for the viral item in Tokyo, the accessory in the US, and
each plan's capital.

Run: ``python -m bench.planner_field_story [--items 120] [--weeks 156] [--seed 42]``
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

from hedgerow.demo import DemoSpec
from hedgerow.demo.field_story import TYO, US, bundle_accessory, inject_cascade, viral_item
from hedgerow.domain.enums import TableName
from hedgerow.pipeline.chain import run_chain
from hedgerow.plan.evaluate import evaluate, expected_lost_revenue, lost_revenue_by_item_location
from hedgerow.plan.planner import PartitionPlan, plan_partition
from hedgerow.services.demo import build_demo_workspace

AS_OF = date(2026, 11, 23)


def _lost_where(pp: PartitionPlan, items: set[str], locations: set[str]) -> float:
    """Expected lost revenue of some item-locations (base currency)."""
    m = pp.model
    keep = [i in items and loc in locations for i, loc in zip(m.il_items, m.il_locations, strict=True)]
    return float(lost_revenue_by_item_location(m, pp.x)[np.asarray(keep, dtype=bool)].sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=120)
    parser.add_argument("--weeks", type=int, default=156)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        built = build_demo_workspace(
            Path(tmp) / "demo",
            DemoSpec(n_items=args.items, weeks=args.weeks, as_of=AS_OF),
            seed=args.seed,
            now=datetime(2026, 11, 23, 6, tzinfo=UTC),
            user="bench",
        )
        with built.workspace as ws:
            frames = ws.current_frames()
            settings = ws.settings
    viral = viral_item(frames[TableName.DEMAND], frames[TableName.ITEM_LOCATIONS])
    accessory = bundle_accessory(frames)
    inject_cascade(frames, viral, AS_OF)
    t0 = time.perf_counter()
    run = run_chain(frames, settings, as_of=datetime(AS_OF.year, AS_OF.month, AS_OF.day))
    chain_s = time.perf_counter() - t0
    margin_only = run.problem.policy.margin_only()
    hedged = plan_partition(run.problem, run.scenarios)
    greedy = plan_partition(replace(run.problem, policy=margin_only), run.scenarios)
    cur = run.problem.base_currency
    print(f"demo network: {args.items} items, {len(run.problem.item_locations)} item-locations, seed {args.seed}")
    print(f"viral item {viral} in Tokyo; accessory {accessory}; chain {chain_s:.0f} s")
    print(f"{'plan':<18}{'lost revenue':>16}{'viral @ Tokyo':>16}{'accessory @ US':>16}{'capital':>14}")
    for name, pp in (("hedgerow", hedged), ("margin-maximiser", greedy)):
        lost = expected_lost_revenue(pp.model, pp.x)
        capital = float(evaluate(pp.model, pp.x).capital.sum())
        print(
            f"{name:<18}{lost:>16,.0f}{_lost_where(pp, {viral}, {TYO}):>16,.0f}"
            f"{_lost_where(pp, {accessory}, set(US)):>16,.0f}{capital:>14,.0f}  {cur}"
        )
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")


if __name__ == "__main__":
    main()
