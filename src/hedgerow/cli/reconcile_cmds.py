"""`hedgerow reconcile`: compare the newest inventory counts with what the ledger expected, per location."""

from __future__ import annotations

import typer
from rich.table import Table

from hedgerow.cli.common import (
    JsonOption,
    UserOption,
    WorkspaceOption,
    console,
    current_user,
    handle_errors,
    now_utc,
    opened_workspace,
    print_json,
)
from hedgerow.services.reconciliation import reconcile_inventory


@handle_errors
def reconcile(workspace: WorkspaceOption = None, user: UserOption = None, json_output: JsonOption = False) -> None:
    """Expected (previous count + receipts − sales ± transfers) vs counted; differences, value, trust per location."""
    with opened_workspace(workspace) as ws:
        out = reconcile_inventory(ws, user=current_user(user), now=now_utc())
        floor = ws.settings.quality.min_location_trust
    if json_output:
        print_json(out.to_dict())
        return
    cur = out.base_currency
    if not out.created:
        console.print(f"This inventory snapshot was reconciled before (reconciliation {out.reconciliation_id}).")
    table = Table(title="per location", header_style="bold")
    for col in ("location", "items", "off", "expected units", "|diff| units", f"diff {cur}", f"|diff| {cur}", "trust"):
        table.add_column(col, justify="left" if col == "location" else "right")
    for r in out.locations.to_dict("records"):
        trust = float(r["trust_score"])
        style = "green" if trust >= floor else "red"
        table.add_row(
            str(r["location_id"]),
            str(r["items"]),
            str(r["items_off"]),
            f"{r['expected_units']:,.0f}",
            f"{r['abs_diff_units']:,.0f}",
            f"{r['diff_value_base']:,.0f}",
            f"{r['abs_diff_value_base']:,.0f}",
            f"[{style}]{trust:.1f}[/]",
        )
    console.print(table)
    off = out.lines[out.lines["diff_units"].abs() >= 0.5]
    if off.empty:
        console.print("[green]Every count matches the ledger.[/]")
        return
    detail = Table(title="differences", header_style="bold")
    for col in (
        "item",
        "location",
        "previous",
        "+receipts",
        "+in",
        "−out",
        "−sales",
        "expected",
        "counted",
        "diff",
        f"value {cur}",
    ):
        detail.add_column(col, justify="left" if col in ("item", "location") else "right")
    for r in off.to_dict("records"):
        detail.add_row(
            str(r["item_id"]),
            str(r["location_id"]),
            *(
                f"{r[c]:,.0f}"
                for c in (
                    "previous_on_hand",
                    "receipts",
                    "transfers_in",
                    "transfers_out",
                    "sales",
                    "expected",
                    "counted",
                    "diff_units",
                    "diff_value_base",
                )
            ),
        )
    console.print(detail)


def register(app: typer.Typer) -> None:
    """Add `hedgerow reconcile` to ``app``."""
    app.command()(reconcile)
