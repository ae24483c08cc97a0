"""`hedgerow lead-times` and `hedgerow exposure`: the supply side of a workspace, in figures."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from hedgerow.cli.common import (
    JsonOption,
    WorkspaceOption,
    console,
    handle_errors,
    now_utc,
    opened_workspace,
    print_json,
)
from hedgerow.services.exposure import compute_exposure, fit_workspace_supply
from hedgerow.supply.reports import lead_time_report


def _print_notes(notes: list[str]) -> None:
    for note in notes:
        console.print(f"[yellow]note:[/] {note}")


@handle_errors
def lead_times(workspace: WorkspaceOption = None, json_output: JsonOption = False) -> None:
    """Fitted lead times per lane and per mode: median, 90th percentile, late share, shipments behind them."""
    with opened_workspace(workspace) as ws:
        model, _ = fit_workspace_supply(ws, now_utc())
    report = lead_time_report(model)
    if json_output:
        print_json({"ok": True, **report})
        return
    lanes = Table(title="Lead time per lane (days, normal state)", header_style="bold")
    for name in ("lane", "mode", "median", "p90", "late share", "shipments", "from"):
        lanes.add_column(name, justify="right" if name in ("median", "p90", "late share", "shipments") else "left")
    for r in report["lanes"]:
        lanes.add_row(
            r["lane_id"], r["mode"], f"{r['median_days']:.0f}", f"{r['p90_days']:.0f}", f"{r['late_share']:.1%}",
            f"{r['n_shipments']:,}", r["source"].replace("_", " "),
        )  # fmt: skip
    console.print(lanes)
    modes = Table(title="Per mode (pooled history)", header_style="bold")
    for name in ("mode", "median", "p90", "late share", "p90 lateness", "shipments"):
        modes.add_column(name, justify="left" if name == "mode" else "right")
    for m in report["modes"]:
        modes.add_row(
            m["mode"], f"{m['median_days']:.0f}", f"{m['p90_days']:.0f}", f"{m['late_share']:.1%}",
            f"{m['p90_lateness_days']:+.0f}", f"{m['n_shipments']:,}",
        )  # fmt: skip
    console.print(modes)
    _print_notes(report["notes"])


WeeksOption = Annotated[float, typer.Option("--weeks", min=0.1, max=104, help="Length of the outage in weeks.")]


@handle_errors
def exposure(weeks: WeeksOption = 4.0, workspace: WorkspaceOption = None, json_output: JsonOption = False) -> None:
    """Where each location and item group depends on a lane, port, supplier or currency, and the margin at risk
    if that element fails for --weeks (expected and 95 % tail); single sources flagged."""
    with opened_workspace(workspace) as ws:
        result = compute_exposure(ws, weeks=weeks, now=now_utc())
    if json_output:
        print_json({"ok": True, **{k: v for k, v in result.items() if k != "summary"}})
        return
    base = result["base_currency"]
    table = Table(title=f"Exposure to a {weeks:g}-week outage (lost margin, {base})", header_style="bold")
    for name in (
        "location",
        "group",
        "element",
        "dependence",
        "expected",
        "95% tail (CVaR)",
        "single source",
        "buffer units",
    ):
        table.add_column(
            name, justify="right" if name in ("dependence", "expected", "95% tail (CVaR)", "buffer units") else "left"
        )
    for r in sorted(result["rows"], key=lambda r: -r["cvar95_lost_margin"]):
        table.add_row(
            r["location_id"], r["item_group"], f"{r['element_type']} {r['element_id']}", f"{r['dependence_share']:.0%}",
            f"{r['expected_lost_margin']:,.0f}", f"{r['cvar95_lost_margin']:,.0f}",
            ", ".join(r["single_source_items"]) or "", f"{r['buffer_units']:,.0f}" if r["single_source"] else "",
        )  # fmt: skip
    console.print(table)
    console.print(
        "Demand over the outage is resampled from each item-location's last 52 periods of sales; a second source "
        "would avoid the single-source part, a buffer of the units shown covers the outage in 95 % of scenarios."
    )
    _print_notes(result["notes"])


def register(app: typer.Typer) -> None:
    """Add the supply commands to ``app``."""
    app.command("lead-times")(lead_times)
    app.command()(exposure)
