"""The field story on the demo network: every baseline under the correlated cascade, with and without it.

    python -m bench.sim_field_story [--seed 42] [--as-of 2026-11-23] [--json PATH]

Network: the standard demo (``hedgerow.demo``: 300 items, five warehouses on three continents, suppliers in China,
Vietnam and Mexico, 156 weeks), seed 42, history ending before ``--as-of``. The replayed demand is the demo's
*true* demand (before stock-outs censored it), so a policy that would have stocked more sells more. The last 52
weeks are replayed, the 104 before are warm-up.

Shock: ``field_story`` with its defaults — the busiest port closes for 4 weeks a third into the year; at every
warehouse fed through it, bundles and the low-margin components they cannot be sold without surge × 1.5 for the
closure and 4 weeks after; the foreign currency with the most purchase value gains 10 %.

Target (issue 7): under the shock hedgerow loses less than one third of the revenue the margin maximiser loses,
with a bullwhip ratio no higher than the textbook policy's. hedgerow's row is the planner run as a policy
(docs/simulator.md) with the default hedgerow.toml, as in ``bench.sim_breakfast`` (``--max-order-change`` and
``--smoothing-periods`` override a default, and the report says so).
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np

from bench.sim_breakfast import hedgerow_settings, overrides
from hedgerow.config import Settings
from hedgerow.demo import DemoSpec, build_demo_network
from hedgerow.sim.backtest import BacktestResult, BacktestSettings, run_backtest
from hedgerow.sim.frames import FrameOptions, inputs_from_frames
from hedgerow.sim.inputs import SimInputs
from hedgerow.sim.report import stress_figures
from hedgerow.sim.stress import apply_shock, describe


def demo_inputs(seed: int, as_of: date) -> SimInputs:
    """The demo network as simulator inputs, replaying its true (uncensored) demand."""
    net = build_demo_network(DemoSpec(as_of=as_of), np.random.default_rng(seed))
    inputs = inputs_from_frames(net.tables, Settings(), FrameOptions(periods=52, seed=seed))
    index = {k: i for i, k in enumerate(zip(inputs.item_ids, inputs.location_ids, strict=True))}
    true = net.true_demand
    first = np.datetime64(inputs.period_starts[0])
    col = ((true["period_start"].to_numpy(dtype="datetime64[D]") - first).astype(int) // 7).astype(int)
    row = np.array([index[(str(i), str(loc))] for i, loc in zip(true["item_id"], true["location_id"], strict=True)])
    demand = np.zeros_like(inputs.demand)
    keep = (col >= 0) & (col < inputs.n_periods)
    demand[row[keep], col[keep]] = true["true_qty"].to_numpy(dtype=np.float64)[keep]
    return replace(inputs, demand=demand)


def rows(base: BacktestResult, hit: BacktestResult) -> list[str]:
    out = [
        "| policy | lost revenue (no shock) | lost revenue under the field story | extra lost revenue | total cost under it "
        "| fill rate under it | bundle fill under it | bullwhip under it |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for m in hit.metrics:
        b = base.by_policy(m.policy)
        bundle = f"{m.bundle_fill_rate:.4f}" if m.bundle_fill_rate is not None else "–"
        bw = " / ".join(f"{e.bullwhip:.2f}" for e in m.bullwhip)
        out.append(
            f"| {m.policy} | {b.lost_revenue:,.0f} | {m.lost_revenue:,.0f} | {m.lost_revenue - b.lost_revenue:,.0f} | "
            f"{m.total_cost:,.0f} | {m.fill_rate:.4f} | {bundle} | {bw} |"
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 23))
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--scenarios", type=int, default=200, help="hedgerow's scenarios per period")
    parser.add_argument(
        "--max-order-change", type=float, default=None, help="override [orders] max_change_per_period (default: inf)"
    )
    parser.add_argument(
        "--smoothing-periods", type=float, default=None, help="override [orders] smoothing_periods (default: 2)"
    )
    args = parser.parse_args()
    began = time.perf_counter()
    inputs = demo_inputs(args.seed, args.as_of)
    shock = apply_shock(inputs, "field_story")
    hedgerow = replace(
        hedgerow_settings(args.scenarios, max_order_change=args.max_order_change, smoothing=args.smoothing_periods),
        seed=args.seed,
    )
    print(f"hedgerow settings: {overrides(args)}")
    cfg = BacktestSettings(hedgerow=hedgerow)
    base = run_backtest(inputs, cfg)
    hit = run_backtest(shock.inputs, cfg)
    print(f"network: {hit.summary}")
    print(f"shock: {describe(shock)}")
    print("\n".join(rows(base, hit)))
    margin = hit.by_policy("margin_maximiser")
    textbook = hit.by_policy("order_up_to")
    ours = hit.by_policy("hedgerow")
    lost_ok = ours.lost_revenue < margin.lost_revenue / 3
    bw_ok = all(o.bullwhip <= t.bullwhip for o, t in zip(ours.bullwhip, textbook.bullwhip, strict=True))
    print(
        f"hedgerow under the field story: lost revenue {ours.lost_revenue:,.0f} "
        f"({ours.lost_revenue / margin.lost_revenue:.3f} x the margin maximiser's): {'met' if lost_ok else 'NOT met'}; "
        f"bullwhip {' / '.join(f'{e.bullwhip:.2f}' for e in ours.bullwhip)}: {'met' if bw_ok else 'NOT met'}"
    )
    print(
        f"target: hedgerow's lost revenue under the field story < {margin.lost_revenue / 3:,.0f} "
        f"(one third of the margin maximiser's {margin.lost_revenue:,.0f}); its bullwhip <= the textbook's "
        f"{' / '.join(f'{e.bullwhip:.2f}' for e in textbook.bullwhip)}"
    )
    print(f"seconds per policy (under the shock): { {k: round(v, 1) for k, v in hit.seconds.items()} }")
    print(f"total {time.perf_counter() - began:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(stress_figures(shock, base, hit), indent=1, allow_nan=False) + "\n")


if __name__ == "__main__":
    main()
