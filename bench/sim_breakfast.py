"""Breakfast at the Frat as a network: the simulator's baselines and references on a year of real demand.

    python -m bench.sim_breakfast [--shape network|stores] [--every-nth-item N] [--json PATH]

Network: the ``breakfast-network`` preset (``hedgerow.presets.breakfast_network``, docs/presets.md) applied to
``../shared/data/breakfast_at_the_frat``:

- items = the 55 UPCs with sales; class A/B/C by revenue (80 % / 95 % cumulative); unit cost = 70 % of the UPC's
  median base price (assumption, as in the preset); supplier = the manufacturer;
- 77 stores (region = state) behind one regional DC per state (TX, OH, KY, IN); truck lanes supplier → DC
  (planned 5 days, 0.10 USD/unit), DC → store (1 day, 0.05 USD/unit) and DC ↔ DC (unused by these policies);
  holding 20 %/year at stores and 12 % at DCs plus 8 % cost of capital; goodwill of a lost sale = 1.0 / 0.5 / 0.25 × margin for A / B / C (the default
  hedgerow.toml);
- demand = weekly units per store × UPC, zero inside a series' active span where the week is absent; planned
  price and promotion flags are drivers known 4 weeks ahead;
- lead times of the supplier → DC lanes are drawn per lane and week from the **SCMS** truck shipments: planned
  transit + max(0, delivered − scheduled) days (SCMS's early deliveries count as on time: they reflect schedules
  set far ahead, not faster trucks); DC → store lanes keep their 1 day.

``--shape stores`` replays the single-echelon ``breakfast`` preset instead: the same stores, items and demand, every
store buying from its supplier on its own lane of one week (the simulator's default lane), no DCs.

Weeks 1–104 are history (demand, and the lanes' lead times: every policy starts the replay knowing how late its
trucks were, ``hedgerow.sim.engine.warmup_lead_times``); week 105–156 (one year) is replayed. Baselines are tuned as a
competent planner would: the trailing window W ∈ {4, 8, 13, 26, 52} of the textbook and of the margin maximiser, and
whether their safety stock adds the lead-time variance, are chosen by backtesting
year 2 (with year 1 as warm-up), then frozen for year 3; the stockpyl peer gets the textbook's inputs, window
included; service levels come from the critical ratio of the same costs the simulator charges.

hedgerow's row is the planner run as a policy (``hedgerow.sim.policies.hedgerow``, docs/simulator.md): each week the
demand engine is re-fitted on the history seen so far, ``--scenarios`` joint scenarios are drawn and the hedge
planner of ``hedgerow plan`` decides (the stores on their DCs' stock, then the DCs by position, orders smoothed),
with the default hedgerow.toml; ``--max-order-change`` and ``--smoothing-periods`` override a default and the
report says so.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bench.tuning import Tuned
from bench.tuning import tune as tune_baselines
from hedgerow.config import Settings
from hedgerow.domain.enums import TableName
from hedgerow.presets import RECIPES, Preset
from hedgerow.presets.base import PresetContext
from hedgerow.scenarios.rng import Stream, stream_rng
from hedgerow.sim.backtest import BacktestResult, BacktestSettings, run_backtest
from hedgerow.sim.frames import FrameOptions, inputs_from_frames
from hedgerow.sim.inputs import SimInputs, take_item_locations
from hedgerow.sim.policies import PolicyName, StockpylSettings
from hedgerow.sim.policies.hedgerow import HedgerowSettings
from hedgerow.sim.report import backtest_figures

ROOT = Path(__file__).resolve().parent.parent


def shared_data() -> Path:
    """``$HEDGEROW_SHARED_DATA``, else ``../shared/data`` next to the repository (or next to its parent, for a
    git worktree)."""
    env = os.environ.get("HEDGEROW_SHARED_DATA")
    if env:
        return Path(env)
    candidates = [ROOT.parent / "shared" / "data", ROOT.parent.parent / "shared" / "data"]
    return next((c for c in candidates if c.is_dir()), candidates[0])


WINDOWS = (4, 8, 13, 26, 52)
SEED = 20261125


class Shape(StrEnum):
    """Which network the benchmark replays."""

    #: the ``breakfast-network`` preset: stores behind one regional DC per state, DCs fed by the manufacturers
    NETWORK = "network"
    #: the ``breakfast`` preset: every store buys from its supplier on its own lane, one week, no DCs
    STORES = "stores"


def breakfast_frames(data: Path, shape: Shape = Shape.NETWORK) -> dict[TableName, pd.DataFrame]:
    """The contract tables, mapped by the ``breakfast-network`` (or, single echelon, the ``breakfast``) preset."""
    recipe = RECIPES[Preset.BREAKFAST_NETWORK if shape is Shape.NETWORK else Preset.BREAKFAST]
    raw = recipe.dataset.load(data / recipe.dataset.folder)
    return dict(recipe.map_tables(raw, PresetContext()).tables)


def scms_truck_lateness(data: Path) -> np.ndarray:
    """Days late (delivered − scheduled, floored at 0) of every SCMS truck shipment line."""
    df = pd.read_csv(data / "scms_delivery_history" / "scms_shipments.csv.gz", dtype=str, keep_default_na=False)
    truck = df[df["shipment mode"] == "Truck"]
    scheduled = pd.to_datetime(truck["scheduled delivery date"], format="%d-%b-%y", errors="coerce")
    delivered = pd.to_datetime(truck["delivered to client date"], format="%d-%b-%y", errors="coerce")
    late = (delivered - scheduled).dt.days.dropna().to_numpy(dtype=np.float64)
    return np.maximum(late, 0.0)


def with_scms_lead_times(inputs: SimInputs, lateness: np.ndarray, seed: int) -> SimInputs:
    """Supplier → DC lanes get planned transit + an SCMS truck lateness draw per week (seeded per lane)."""
    locations = set(inputs.location_ids)
    lt = inputs.lane_lead_time_days.copy()
    for k, (lane, origin) in enumerate(zip(inputs.lane_ids, inputs.lane_origin, strict=True)):
        if origin not in locations:
            draws = stream_rng(seed, Stream.SIMULATION, lane).choice(lateness, size=inputs.n_periods)
            lt[k] = inputs.lane_nominal_days[k] + draws
    return replace(inputs, lane_lead_time_days=lt)


def build(data: Path, periods: int, last_week: int | None, shape: Shape = Shape.NETWORK) -> SimInputs:
    """Inputs replaying the ``periods`` weeks that end with ``last_week`` (default: the last one). The network's
    supplier → DC lanes are late as SCMS trucks are; a single-echelon store's lane takes one week."""
    frames = breakfast_frames(data, shape)
    if last_week is not None:
        demand = frames[TableName.DEMAND]
        cut = demand["period_start"].min() + pd.Timedelta(weeks=last_week)
        frames[TableName.DEMAND] = demand[demand["period_start"] < cut]
    inputs = inputs_from_frames(frames, Settings(), FrameOptions(periods=periods, driver_lookahead=4, seed=SEED))
    if shape is Shape.STORES:
        return inputs
    return with_scms_lead_times(inputs, scms_truck_lateness(data), SEED)


def subset(inputs: SimInputs, every: int) -> SimInputs:
    """Every ``every``-th UPC (sorted by id) with all its item-locations; the whole network when ``every`` is 1."""
    if every <= 1:
        return inputs
    items = sorted(set(inputs.item_ids))[::every]
    return take_item_locations(inputs, np.flatnonzero(np.isin(np.array(inputs.item_ids), items)))


def hedgerow_settings(
    scenarios: int,
    *,
    max_order_change: float | None = None,
    smoothing: float | None = None,
    min_value_share: float | None = None,
) -> HedgerowSettings:
    """hedgerow's settings in the benchmark: the default hedgerow.toml (what ``hedgerow plan`` uses), unless a
    setting is overridden on the command line (the report then says so)."""
    config = Settings()
    orders = config.orders
    if max_order_change is not None:
        orders = replace(orders, max_change_per_period=max_order_change)
    if smoothing is not None:
        orders = replace(orders, smoothing_periods=smoothing)
    plan = config.plan if min_value_share is None else replace(config.plan, min_value_share=min_value_share)
    return HedgerowSettings(config=replace(config, orders=orders, plan=plan), n_scenarios=scenarios, seed=SEED)


def overrides(args: argparse.Namespace) -> str:
    """The defaults a run changed, for its report ("defaults" when none)."""
    changed = []
    if args.max_order_change is not None:
        changed.append(f"[orders] max_change_per_period = {args.max_order_change}")
    if args.smoothing_periods is not None:
        changed.append(f"[orders] smoothing_periods = {args.smoothing_periods}")
    if args.min_value_share is not None:
        changed.append(f"[plan] min_value_share = {args.min_value_share}")
    return "; ".join(changed) or "hedgerow.toml defaults"


def tune(tuning: SimInputs) -> dict[str, Tuned]:
    """The window and lead-time-variance switch of each baseline that were cheapest on the tuning year."""
    chosen = tune_baselines(tuning, (PolicyName.ORDER_UP_TO, PolicyName.MARGIN_MAXIMISER), WINDOWS)
    # the stockpyl peer takes the same inputs as the textbook policy, its tuned window included (it has no
    # lead-time variance term)
    chosen[PolicyName.STOCKPYL.value] = Tuned(chosen[PolicyName.ORDER_UP_TO.value].window, False)
    return chosen


def table(result: BacktestResult) -> str:
    """The Markdown table of BENCHMARKS.md."""
    best = result.best_baseline()
    assert best is not None
    lines = [
        "| policy | total cost | × best baseline | holding | shortage | transport | fill rate | cycle service | "
        "lost revenue | capital | bullwhip store / DC | CVaR95 week | approvals |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for m in result.metrics:
        bw = " / ".join(f"{b.bullwhip:.2f}" for b in m.bullwhip)
        lines.append(
            f"| {m.policy} | {m.total_cost:,.0f} | {m.total_cost / best.total_cost:.3f} | {m.holding_cost:,.0f} | "
            f"{m.shortage_cost:,.0f} | {m.transport_cost:,.0f} | {m.fill_rate:.4f} | {m.cycle_service_level:.4f} | "
            f"{m.lost_revenue:,.0f} | {m.capital_tied_up:,.0f} | {bw} | {m.cvar_period_cost:,.0f} | {m.approvals:,} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None, help="the shared data folder")
    parser.add_argument("--json", type=Path, default=None, help="write every figure (and the tuning) here")
    parser.add_argument("--scenarios", type=int, default=200, help="hedgerow's scenarios per period")
    parser.add_argument(
        "--every-nth-item",
        type=int,
        default=1,
        help="keep every n-th UPC (all its stores and DCs) for a faster run; baselines are re-tuned on the subset",
    )
    parser.add_argument(
        "--shape",
        type=Shape,
        choices=list(Shape),
        default=Shape.NETWORK,
        help="network: stores behind DCs (breakfast-network); stores: every store buys from its supplier (breakfast)",
    )
    parser.add_argument(
        "--max-order-change", type=float, default=None, help="override [orders] max_change_per_period (default: inf)"
    )
    parser.add_argument(
        "--smoothing-periods", type=float, default=None, help="override [orders] smoothing_periods (default: 2)"
    )
    parser.add_argument(
        "--min-value-share", type=float, default=None, help="override [plan] min_value_share (default: 0.01)"
    )
    args = parser.parse_args()
    began = time.perf_counter()
    data = args.data or shared_data()
    tuning = subset(build(data, 52, last_week=104, shape=args.shape), args.every_nth_item)
    windows = tune(tuning)
    evaluation = subset(build(data, 52, last_week=None, shape=args.shape), args.every_nth_item)
    cfg = BacktestSettings(
        order_up_to=windows["order_up_to"].order_up_to(),
        margin_maximiser=windows["margin_maximiser"].margin_maximiser(),
        stockpyl=StockpylSettings(window=windows["stockpyl_base_stock"].window),
        hedgerow=hedgerow_settings(
            args.scenarios,
            max_order_change=args.max_order_change,
            smoothing=args.smoothing_periods,
            min_value_share=args.min_value_share,
        ),
    )
    result = run_backtest(
        evaluation, cfg, progress=lambda name, done, total: print(f"  [{done}/{total}] {name}", file=sys.stderr)
    )
    best = result.best_baseline()
    assert best is not None
    stationary = result.by_policy(PolicyName.BEST_STATIONARY.value)
    print(f"network: {result.summary}")
    print(f"shape: {args.shape.value}; hedgerow settings: {overrides(args)}")
    print("tuned on year 2: " + "; ".join(f"{k} {v.label()}" for k, v in windows.items()))
    print(table(result))
    print(f"clairvoyant lower bound: {result.lower_bound:,.0f} USD")
    print(f"best baseline: {best.policy} at {best.total_cost:,.0f} USD, fill rate {best.fill_rate:.4f}")
    print(
        f"hedgerow target (phase 2): total cost <= {0.8 * best.total_cost:,.0f} USD at fill rate >= {best.fill_rate:.4f}"
    )
    print(f"moonshot: total cost <= {1.15 * stationary.total_cost:,.0f} USD (1.15 x best stationary in hindsight)")
    ours = result.by_policy(PolicyName.HEDGEROW.value)
    met = ours.total_cost <= 0.8 * best.total_cost and ours.fill_rate >= best.fill_rate
    print(
        f"hedgerow: {ours.total_cost:,.0f} USD = {ours.total_cost / best.total_cost:.3f} x best baseline at fill rate "
        f"{ours.fill_rate:.4f}: target {'met' if met else 'NOT met'}; "
        f"{ours.total_cost / stationary.total_cost:.3f} x best stationary"
    )
    print(
        f"seconds per policy: { {k: round(v, 1) for k, v in result.seconds.items()} }; total {time.perf_counter() - began:.0f}"
    )
    if args.json:
        tuned = {k: v.as_dict() for k, v in windows.items()}
        payload: dict[str, Any] = {"tuned": tuned, "seconds": result.seconds, **backtest_figures(result)}
        args.json.write_text(json.dumps(payload, indent=1, allow_nan=False) + "\n")


if __name__ == "__main__":
    main()
