"""FX cover on a demo workspace: landed cost of the payables and its CVaR with no, full and the recommended cover,
on the plan's FX scenarios and after a 10 % CNY move.

    python -m bench.fx_cover --workspace /work/scratch/fx-demo            # a demo built with `hedgerow demo`
    python -m bench.fx_cover --workspace DIR --move 0.10 --currency CNY --cover-cost-fraction 0.01

The payables are those `hedgerow fx-cover` reads (the newest plan's open order lines and the shipments in
transit); the cover is decided on the plan's FX scenarios (the workspace seed's bootstrap) and the forwards of
that day. The *moved* rows apply the same cover to the same scenarios with the currency ``--move`` dearer against
the base from period 0 on (its rate in units per base divided by 1 + move), the forwards staying as they were
locked: what the cover is for. Figures in the base currency; CVaR at the workspace's [risk] cvar_level.
"""

from __future__ import annotations

import argparse
import platform
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from hedgerow.plan.fx_cover import CoverChoice
from hedgerow.services.fx_cover import evaluate_ratios, fx_cover_inputs, ratios_of, recommend_for
from hedgerow.services.workspace import open_workspace


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path, required=True, help="A workspace with a recorded plan.")
    parser.add_argument("--currency", default="CNY", help="Currency moved (default CNY).")
    parser.add_argument("--move", type=float, default=0.10, help="How much dearer the currency gets (0.10 = 10 %%).")
    parser.add_argument(
        "--cover-cost-fraction", type=float, default=None, help="Override [fx] cover_cost_fraction for this run."
    )
    args = parser.parse_args(argv)
    now = datetime.now(UTC)
    t0 = time.perf_counter()
    with open_workspace(args.workspace) as ws:
        if args.cover_cost_fraction is not None:
            fx = replace(ws.settings.fx, cover_cost_fraction=args.cover_cost_fraction)
            ws.settings = replace(ws.settings, fx=fx)
        inputs = fx_cover_inputs(ws, now=now)
        report = recommend_for(inputs)
        moved = fx_cover_inputs(ws, now=now, shock={args.currency: 1.0 / (1.0 + args.move)})
    elapsed = time.perf_counter() - t0
    base = report.base_currency
    plan = report.plan
    print(
        f"plan {report.plan_id}, {len(report.payables)} payables, {len(plan.buckets)} currency × horizon buckets, "
        f"{plan.scenarios} FX scenarios, CVaR level {plan.level}, cover cost "
        f"{ws.settings.fx.cover_cost_fraction:.2%} of the amount; {elapsed:.1f} s on {platform.node()} "
        f"({platform.processor() or platform.machine()}), {now:%Y-%m-%d %H:%M} UTC"
    )
    for b, w in zip(plan.buckets, report.words, strict=True):
        print(f"- {b.currency} periods {b.first_period}-{b.last_period}: cover {b.cover_ratio:.3f} — {w.headline}")
    print()
    print(f"| FX scenarios | cover | expected landed cost ({base}) | CVaR ({base}) |")
    print("|---|---|---:|---:|")
    for label, data in (("plan's", inputs), (f"{args.currency} {args.move:.0%} dearer", moved)):
        for choice in (CoverChoice.NONE, CoverChoice.FULL, CoverChoice.RECOMMENDED):
            o = evaluate_ratios(data, ratios_of(plan, choice))
            print(f"| {label} | {choice.value} | {o.expected_cost_base:,.0f} | {o.cvar_base:,.0f} |")


if __name__ == "__main__":
    main()
