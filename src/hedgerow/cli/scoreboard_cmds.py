"""`hedgerow scoreboard`: value added by overrides, per planner and per reason category, in hindsight."""

from __future__ import annotations

import pandas as pd
import typer
from rich.table import Table

from hedgerow.cli.common import JsonOption, WorkspaceOption, console, handle_errors, opened_workspace, print_json
from hedgerow.services.scoreboard import Scoreboard, build_scoreboard


def _table(frame: pd.DataFrame, title: str, currency: str) -> Table:
    table = Table(title=title, header_style="bold")
    table.add_column(str(frame.index.name))
    for col in ("decisions", "overrides", f"value added {currency}", f"mean {currency}", "better", "worse"):
        table.add_column(col, justify="right")
    for key, row in frame.iterrows():
        value = float(row["value_added_base"])
        style = "green" if value > 0 else ("red" if value < 0 else "")
        table.add_row(
            str(key),
            str(int(row["decisions"])),
            str(int(row["overrides"])),
            f"[{style}]{value:,.0f}[/]" if style else f"{value:,.0f}",
            f"{float(row['mean_value_added_base']):,.0f}",
            str(int(row["overrides_better"])),
            str(int(row["overrides_worse"])),
        )
    return table


@handle_errors
def scoreboard(workspace: WorkspaceOption = None, json_output: JsonOption = False) -> None:
    """Score decisions against what actually happened: recommended vs decided cost, per planner and reason."""
    with opened_workspace(workspace) as ws:
        board = build_scoreboard(ws)
    if json_output:
        print_json(board.to_dict())
        return
    cur = board.base_currency
    console.print(
        f"{len(board.scores)} decisions scored over {board.window_periods} periods of actual demand; "
        f"{len(board.pending)} waiting for data. Value added = recommended cost − decided cost ({cur})."
    )
    if board.scores:
        console.print(_table(board.per_planner, "per planner", cur))
        console.print(_table(board.per_reason, "per reason category", cur))
    _holds(board)


def _holds(board: Scoreboard) -> None:
    """The holds' hindsight: one line with their sum, and a row per scored hold."""
    cur = board.base_currency
    total = board.holds_value_base
    verdict = "saved" if total >= 0 else "cost"
    console.print(
        f"Holds: {len(board.holds)} scored, {len(board.holds_pending)} waiting for data"
        + (
            f"; kept buffers {verdict} {abs(total):,.0f} {cur} in hindsight (lost sales avoided − carrying cost)."
            if board.holds
            else "."
        )
    )
    if not board.holds:
        return
    table = Table(title="holds in hindsight", header_style="bold")
    for col in ("hold", "item", "location", "owner", "units", "periods"):
        table.add_column(col, justify="right" if col in ("units", "periods") else "left")
    for col in (f"carrying {cur}", f"lost sales avoided {cur}", f"value {cur}"):
        table.add_column(col, justify="right")
    for h in board.holds:
        table.add_row(
            h.hold_id,
            h.item_id,
            h.location_id,
            h.owner,
            f"{h.held_units:,.0f}",
            str(h.periods),
            f"{h.carrying_base:,.0f}",
            f"{h.lost_sales_avoided_base:,.0f}",
            f"{h.value_base:,.0f}",
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add `hedgerow scoreboard` to ``app``."""
    app.command()(scoreboard)
