"""`hedgerow capital`: the capital a plan commits by region, currency and item class, what it buys, and the ladder.

Figures from :mod:`hedgerow.services.capital` (the same as ``GET /api/capital`` and the web page ``/capital``).
"""

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
from hedgerow.explain.capital import CapitalGroup, CapitalView
from hedgerow.explain.words import money
from hedgerow.services.capital import CapitalReport, plan_capital


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _share(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f} %"


def _regions(view: CapitalView) -> Table:
    cur = view.base_currency
    table = Table(title="by region (capital charged to the destination)", header_style="bold")
    for col in ("region", "capital", "share", "actions", "expected saving", "return", "value / $", "stock tied up",
                "budget", "GMROI (history)"):  # fmt: skip
        table.add_column(col, justify="left" if col == "region" else "right")
    for r in view.regions:
        g = r.plan
        budget = "–"
        if r.budget is not None:
            budget = money(r.budget.budget, cur) + (" [yellow]binds[/]" if r.budget.binds else "")
        table.add_row(
            r.region,
            money(g.capital, cur),
            _share(g.share),
            str(g.actions),
            money(g.expected_saving, cur),
            _share(g.return_on_capital),
            _ratio(g.value_per_capital),
            money(r.stock_value, cur) if r.stock_value is not None else "–",
            budget,
            _ratio(r.history.gmroi if r.history else None),
        )
    return table


def _groups(title: str, groups: tuple[CapitalGroup, ...], cur: str) -> Table:
    table = Table(title=title, header_style="bold")
    for col in ("", "capital", "share", "actions", "value / $"):
        table.add_column(col, justify="left" if not col else "right")
    for g in groups:
        table.add_row(g.key, money(g.capital, cur), _share(g.share), str(g.actions), _ratio(g.value_per_capital))
    return table


def _ladder(report: CapitalReport, limit: int) -> Table:
    view = report.view
    cur = view.base_currency
    table = Table(title="the ladder: where the next dollar goes and what it buys", header_style="bold")
    for col in ("#", "action", "region", "capital", "value", "value / $", "cumulative capital", "cumulative value"):
        table.add_column(col, justify="left" if col in ("action", "region") else "right")
    for rung in view.ladder[:limit]:
        u = rung.use
        table.add_row(
            str(rung.position),
            report.label(u.rec_id),
            rung.region,
            money(u.capital, cur),
            money(u.value, cur),
            _ratio(u.value_per_capital),
            money(rung.cumulative_capital, cur),
            money(rung.cumulative_value, cur),
        )
    return table


def render(report: CapitalReport, limit: int) -> None:
    """Print a capital report as tables."""
    view = report.view
    cur = view.base_currency
    if report.plan_id is None:
        console.print("No plan recorded yet: run `hedgerow plan`.")
        return
    stock = f"; stock already tied up {money(view.stock_value, cur)}" if view.stock_value is not None else ""
    console.print(
        f"Plan {report.plan_id} commits {money(view.capital, cur)} in {len(view.ladder)} actions, expected to save "
        f"{money(view.expected_saving, cur)} against doing nothing (worth {money(view.value, cur)} with the bad case "
        f"counted){stock}."
    )
    console.print(_regions(view))
    console.print(_groups("by currency paid", view.currencies, cur))
    console.print(_groups("by item class", view.item_classes, cur))
    console.print(_ladder(report, limit))
    if len(view.ladder) > limit:
        console.print(f"… {len(view.ladder) - limit} more actions (`--limit` or `--json` lists them).")
    for b in view.budgets:
        if b.binds:
            console.print(f"[yellow]{b.sentence}.[/]")
        else:
            console.print(f"The {b.scope} budget of {money(b.budget, cur)} leaves {money(b.left, cur)} uncommitted.")
    for note in report.notes:
        console.print(f"[dim]Note: {note}.[/]")


@handle_errors
def capital(
    plan: Annotated[str | None, typer.Option(help="This plan id (default: the newest plan).")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Rungs of the ladder to print.")] = 15,
    workspace: WorkspaceOption = None,
    json_output: JsonOption = False,
) -> None:
    """Capital a plan commits by region, currency and item class; return, GMROI, budgets and the capital ladder."""
    with opened_workspace(workspace) as ws:
        report = plan_capital(ws, plan, now=now_utc())
    if json_output:
        print_json(report.to_dict())
        return
    render(report, limit)


def register(app: typer.Typer) -> None:
    """Add `hedgerow capital` to ``app``."""
    app.command("capital")(capital)
