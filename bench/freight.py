"""Freight as an uncertain cost on the demo: plans made with constant vs uncertain freight, with and without an
air-rate spike, all judged on the uncertain-freight scenarios.

Demand is fitted once; the supply model and the joint scenarios are drawn twice per case — freight at today's rate
in every scenario (``[risk] uncertain_freight = false``) and freight uncertain (the default: per-mode volatility,
higher while a lane is disrupted). Each plan is then evaluated on the uncertain scenarios (same seed, same demand,
lead times and FX), so the two columns differ only in what the planner knew about freight. The spike multiplies
the ``cost_per_unit`` of every air lane by ``--air-spike`` (a rate rise known today).

Reported per plan: the planner's objective ((1 − w) E + w CVaR), the plan's expected cost and the sum of its
item-locations' CVaR, the expected and CVaR-95 network landed cost of its actions (purchase at book cost + freight + FX + capital
in transit, summed over every action, per scenario), the expected freight, and the share of ordered units sent by air.

Run: ``python -m bench.freight --workspace /work/scratch/freight-demo`` (a workspace made by ``hedgerow demo``);
without ``--workspace`` a demo of ``--items`` items and ``--weeks`` weeks is built in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from hedgerow.config import Settings
from hedgerow.demo import DemoSpec
from hedgerow.domain.enums import Mode, TableName
from hedgerow.pipeline.chain import fit_plan_demand
from hedgerow.plan.adapter import problem_from_frames
from hedgerow.plan.candidates import CandidateKind
from hedgerow.plan.costs import cvar
from hedgerow.plan.evaluate import evaluate
from hedgerow.plan.planner import plan_partition
from hedgerow.scenarios.builder import BuildSettings, iter_scenario_sets
from hedgerow.services.demo import build_demo_workspace
from hedgerow.services.workspace import open_workspace
from hedgerow.supply.model import fit_supply


@dataclass(frozen=True)
class Row:
    """Figures of one plan judged on the uncertain-freight scenarios (base currency)."""

    case: str
    planned_with: str
    objective: float
    expected_cost: float
    cvar_cost: float
    landed_expected: float
    landed_cvar: float
    freight_expected: float
    air_share: float
    seconds: float


def _frames(args: argparse.Namespace, tmp: str) -> tuple[dict[TableName, pd.DataFrame], Settings, datetime]:
    if args.workspace:
        with open_workspace(Path(args.workspace)) as ws:
            frames, settings = ws.current_frames(), ws.settings
    else:
        built = build_demo_workspace(
            Path(tmp) / "demo",
            DemoSpec(n_items=args.items, weeks=args.weeks),
            seed=42,
            now=datetime.now(UTC),
            user="bench",
        )
        with built.workspace as ws:
            frames, settings = ws.current_frames(), ws.settings
    latest = pd.Timestamp(frames[TableName.DEMAND]["period_start"].max()) + pd.Timedelta(days=7)
    return dict(frames), settings, latest.to_pydatetime()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", default="")
    parser.add_argument("--items", type=int, default=120)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--air-spike", type=float, default=1.5)
    parser.add_argument("--scenarios", type=int, default=0, help="0 = the workspace's [risk] scenarios")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        frames, settings, as_of = _frames(args, tmp)
    if args.scenarios:
        settings = replace(settings, risk=replace(settings.risk, scenarios=args.scenarios))
    pol_level = settings.risk.cvar_level
    t0 = time.perf_counter()
    problem0 = problem_from_frames(frames, settings, as_of=as_of.date())
    pairs = [(il.item_id, il.location_id) for il in problem0.item_locations]
    demand = fit_plan_demand(frames, settings, as_of=as_of, item_locations=pairs)
    demand_s = time.perf_counter() - t0
    rows: list[Row] = []
    for case, spike in (("no spike", 1.0), (f"air x{args.air_spike:g}", args.air_spike)):
        lanes = frames[TableName.LANES].copy()
        air = lanes["mode"] == Mode.AIR.value
        lanes.loc[air, "cost_per_unit"] = lanes.loc[air, "cost_per_unit"] * spike
        case_frames = {**frames, TableName.LANES: lanes}
        problem = problem_from_frames(case_frames, settings, as_of=as_of.date())
        supply = fit_supply(
            case_frames,
            as_of=as_of,
            base_currency=settings.workspace.base_currency,
            period_days=settings.workspace.period.days,
        )
        models = {}
        for name, uncertain in (("constant", False), ("uncertain", True)):
            build = BuildSettings(
                n_scenarios=settings.risk.scenarios,
                horizon=settings.workspace.horizon_periods,
                seed=settings.risk.seed,
                period_days=settings.workspace.period.days,
                chunk_size=len(pairs),
                uncertain_freight=uncertain,
            )
            scen = next(iter_scenario_sets(supply, pairs, demand, build))
            t1 = time.perf_counter()
            models[name] = (plan_partition(problem, scen), time.perf_counter() - t1)
        truth = models["uncertain"][0].model
        c = truth.candidates
        order = c.kind == CandidateKind.ORDER
        book = np.where(order, truth.book_cost[c.target], 0.0)
        per_unit = c.cost_parts.sum(axis=0) + book[:, None]  # [J, S] landed cost per unit
        is_air = np.array([truth.lanes.lanes[li].mode is Mode.AIR for li in c.lane])
        for name, (pp, secs) in models.items():
            x = pp.x
            ev = evaluate(truth, x)
            landed = (x[:, None] * per_unit).sum(axis=0)
            freight = (x[:, None] * c.cost_parts[0]).sum(axis=0)
            units = float(x[order].sum())
            rows.append(
                Row(
                    case,
                    name,
                    ev.total_objective,
                    float(ev.expected.sum()),
                    float(ev.tail.sum()),
                    float(landed.mean()),
                    float(cvar(landed[None, :], truth.scenario_weight, pol_level)[0]),
                    float(freight.mean()),
                    float(x[order & is_air].sum() / units) if units > 0 else 0.0,
                    secs,
                )
            )
    cur = problem0.base_currency
    print(
        f"demo: {len(problem0.items)} items, {len(pairs)} item-locations, {settings.risk.scenarios} scenarios; "
        f"demand fitted once in {demand_s:.0f} s; judged on uncertain-freight scenarios ({cur})"
    )
    head = (
        f"{'case':<10}{'planned with':<14}{'objective':>11}{'E cost':>11}{'CVaR cost':>12}{'E landed':>11}{'CVaR95 landed':>15}"
        f"{'E freight':>11}{'air share':>11}{'plan s':>8}"
    )
    print(head)
    for r in rows:
        print(
            f"{r.case:<10}{r.planned_with:<14}{r.objective:>11,.0f}{r.expected_cost:>11,.0f}{r.cvar_cost:>12,.0f}{r.landed_expected:>11,.0f}"
            f"{r.landed_cvar:>15,.0f}{r.freight_expected:>11,.0f}{r.air_share:>11.1%}{r.seconds:>8.1f}"
        )
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cpus, {platform.python_version()}; {datetime.now(UTC):%Y-%m-%d}"
    )


if __name__ == "__main__":
    main()
