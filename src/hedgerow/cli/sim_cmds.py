"""`hedgerow backtest`, `hedgerow stress NAME`, `hedgerow herding`: the policy simulator on the command line."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from hedgerow.cli.common import (
    JsonOption,
    WorkspaceOption,
    console,
    err_console,
    handle_errors,
    opened_workspace,
    print_json,
    progress_bar,
)
from hedgerow.config import Settings
from hedgerow.errors import SimulationInputError
from hedgerow.services.simulation import apply_named_shock, backtest_settings, simulation_inputs
from hedgerow.sim.backtest import run_backtest
from hedgerow.sim.herding import HerdingSettings, run_herding
from hedgerow.sim.inputs import SimInputs, UnmetDemand
from hedgerow.sim.policies.base import PolicyName
from hedgerow.sim.report import backtest_figures, herding_figures, render_html, stress_figures
from hedgerow.sim.stress import StressName

PeriodsOption = Annotated[
    int, typer.Option("--periods", min=1, help="Simulated periods: the last ones of the demand history.")
]
UnmetOption = Annotated[
    UnmetDemand, typer.Option("--unmet", help="What happens to demand stock cannot meet: lost or backorder.")
]
PolicyOption = Annotated[
    list[PolicyName] | None,
    typer.Option("--policy", "-p", help="Policy to run (repeat the option); default: every built-in policy."),
]
LookaheadOption = Annotated[
    int, typer.Option("--lookahead", min=0, help="Periods ahead that planned prices and promotions are known.")
]
SeedOption = Annotated[
    int | None, typer.Option("--seed", min=0, help="Seed of the lead-time draws (default: [risk] seed).")
]
ReportOption = Annotated[Path | None, typer.Option("--report", help="Write a self-contained HTML report to this file.")]
FiguresOption = Annotated[Path | None, typer.Option("--figures", help="Write the JSON of every figure to this file.")]


def _silence_solver_banner() -> None:
    """HiGHS prints a banner on stdout the first time a solver is created in a process; create one while stdout
    points at the null device, so that ``--json`` output stays pure JSON and text output stays quiet."""
    import highspy

    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no real stdout (embedded use)
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)


def _inputs(workspace: Path | None, periods: int, lookahead: int, seed: int | None) -> tuple[SimInputs, Settings]:
    with opened_workspace(workspace) as ws:
        return simulation_inputs(ws, periods=periods, lookahead=lookahead, seed=seed), ws.settings


def _write(figures: dict[str, Any], title: str, report: Path | None, figures_path: Path | None) -> None:
    try:
        if report is not None:
            report.write_text(render_html(figures, title), encoding="utf-8")
        if figures_path is not None:
            figures_path.write_text(json.dumps(figures, indent=1, allow_nan=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise SimulationInputError(f"cannot write the report: {exc}") from None


def _fmt(value: Any, pct: bool = False) -> str:
    if value is None:
        return "–"
    return f"{value * 100:.2f} %" if pct else f"{value:,.0f}"


def _policy_table(fig: dict[str, Any], title: str) -> Table:
    table = Table(title=title)
    for col in ("policy", "total cost", "fill rate", "lost revenue", "capital", "bullwhip (echelons)", "approvals"):
        table.add_column(col, justify="left" if col == "policy" else "right")
    for name, p in fig["policies"].items():
        bullwhip = " / ".join(
            f"{b['bullwhip']:.2f}" if b["bullwhip"] is not None else "–" for b in p["bullwhip"].values()
        )
        table.add_row(
            name,
            _fmt(p["total_cost"]),
            _fmt(p["fill_rate"], pct=True),
            _fmt(p["lost_revenue"]),
            _fmt(p["capital_tied_up"]),
            bullwhip,
            str(p["approvals"]),
        )
    return table


def _notes(fig: dict[str, Any]) -> None:
    if fig.get("lower_bound") is not None:
        console.print(f"clairvoyant lower bound: {fig['lower_bound']:,.0f} {fig['summary']['base_currency']}")
    for name, reason in fig.get("skipped", {}).items():
        err_console.print(f"[yellow]not run:[/] {name}: {reason}")


@handle_errors
def backtest(
    workspace: WorkspaceOption = None,
    periods: PeriodsOption = 52,
    unmet: UnmetOption = UnmetDemand.LOST,
    policy: PolicyOption = None,
    lookahead: LookaheadOption = 4,
    seed: SeedOption = None,
    report: ReportOption = None,
    figures: FiguresOption = None,
    json_output: JsonOption = False,
) -> None:
    """Replay the demand history period by period under each policy and compare cost, service and bullwhip."""
    inputs, settings = _inputs(workspace, periods, lookahead, seed)
    _silence_solver_banner()
    with progress_bar(not json_output) as progress:
        result = run_backtest(inputs, backtest_settings(settings, unmet, policy), progress=progress)
    fig = backtest_figures(result)
    _write(fig, f"hedgerow backtest — {settings.workspace.name}", report, figures)
    if json_output:
        print_json(fig)
        return
    console.print(_policy_table(fig, f"Backtest of {fig['summary']['periods']} periods ({unmet.value} sales)"))
    _notes(fig)


@handle_errors
def stress(
    name: Annotated[StressName, typer.Argument(help="The shock: " + ", ".join(s.value for s in StressName))],
    workspace: WorkspaceOption = None,
    weeks: Annotated[int | None, typer.Option("--weeks", min=1, help="How many periods the shock lasts.")] = None,
    start: Annotated[
        int | None, typer.Option("--start", min=0, help="Simulated period the shock starts in (default: 1/3 in).")
    ] = None,
    target: Annotated[
        str | None,
        typer.Option(
            "--target",
            help="What it hits: port (port_closure, field_story), country (strike), supplier (supplier_failure), "
            "region (demand_shift), currency (fx_shock); default: the busiest.",
        ),
    ] = None,
    size: Annotated[
        float | None,
        typer.Option(
            "--size",
            help="Strength: extra days (strike), demand factor (demand_shift), currency gain (fx_shock), demand "
            "surge factor (field_story).",
        ),
    ] = None,
    periods: PeriodsOption = 52,
    unmet: UnmetOption = UnmetDemand.LOST,
    policy: PolicyOption = None,
    lookahead: LookaheadOption = 4,
    seed: SeedOption = None,
    report: ReportOption = None,
    figures: FiguresOption = None,
    json_output: JsonOption = False,
) -> None:
    """Compare the policies with and without a named shock (port closure, strike, supplier failure, ...)."""
    inputs, settings = _inputs(workspace, periods, lookahead, seed)
    shock = apply_named_shock(inputs, name, weeks=weeks, start=start, target=target, size=size)
    cfg = backtest_settings(settings, unmet, policy)
    _silence_solver_banner()
    with progress_bar(not json_output) as progress:
        base = run_backtest(inputs, cfg, progress=progress)
        stressed = run_backtest(shock.inputs, cfg, progress=progress)
    fig = stress_figures(shock, base, stressed)
    _write(fig, f"hedgerow stress {name.value} — {settings.workspace.name}", report, figures)
    if json_output:
        print_json(fig)
        return
    console.print(f"shock: {json.dumps(fig['shock'])}")
    console.print(_policy_table(fig["stressed"], f"Under {name.value}"))
    table = Table(title="What the shock did")
    for col in ("policy", "extra cost", "extra lost revenue", "lost revenue under stress", "fill-rate change"):
        table.add_column(col, justify="left" if col == "policy" else "right")
    for pname, d in fig["deltas"].items():
        table.add_row(
            pname,
            _fmt(d["extra_cost"]),
            _fmt(d["extra_lost_revenue"]),
            _fmt(d["lost_revenue_under_stress"]),
            _fmt(d["fill_rate_change"], pct=True),
        )
    console.print(table)
    _notes(fig["stressed"])


@handle_errors
def herding(
    firms: Annotated[int, typer.Option("--firms", min=1, help="Number of firms sharing the supplier.")] = 20,
    periods: Annotated[
        int, typer.Option("--periods", min=30, help="Periods simulated (a third, at most 26, of warm-up).")
    ] = 104,
    shock_size: Annotated[float, typer.Option("--shock-size", help="Common demand spike, as a share.")] = 0.5,
    shock_periods: Annotated[int, typer.Option("--shock-periods", min=1, help="Length of the spike.")] = 6,
    capacity_headroom: Annotated[
        float, typer.Option("--capacity-headroom", min=0.01, help="Lane capacity / mean total demand.")
    ] = 1.15,
    price_slope: Annotated[
        float, typer.Option("--price-slope", min=0.0, help="Price rise per period of excess backlog.")
    ] = 0.25,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the demand draws.")] = 7,
    report: ReportOption = None,
    figures: FiguresOption = None,
    json_output: JsonOption = False,
) -> None:
    """N firms, one supplier with finite capacity and a price that rises with load: how alike reactions amplify."""
    warmup = min(26, periods // 3)
    cfg = HerdingSettings(
        firms=firms,
        periods=periods,
        warmup=warmup,
        shock_start=52 if periods > 60 else max(warmup, periods // 2),
        shock_periods=shock_periods,
        shock_size=shock_size,
        capacity_headroom=capacity_headroom,
        price_slope=price_slope,
        seed=seed,
    )
    fig = herding_figures(run_herding(cfg))
    _write(fig, "hedgerow herding", report, figures)
    if json_output:
        print_json(fig)
        return
    table = Table(title=f"Herding: {firms} firms, capacity {fig['capacity']:,.0f} units/period")
    cols = (
        "order_amplification",
        "peak_order_ratio",
        "peak_price_ratio",
        "peak_lead_time",
        "fill_rate",
        "cost_per_firm",
    )
    table.add_column("strategy")
    for col in cols:
        table.add_column(col.replace("_", " "), justify="right")
    for strategy, o in fig["outcomes"].items():
        table.add_row(
            strategy,
            *[
                _fmt(o[c], pct=True) if c == "fill_rate" else f"{o[c]:,.2f}" if c != "cost_per_firm" else _fmt(o[c])
                for c in cols
            ],
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add the simulator's commands to ``app``."""
    app.command()(backtest)
    app.command()(stress)
    app.command()(herding)
