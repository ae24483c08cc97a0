"""`hedgerow queue`: the plan as a manager decides it, one row per consignment (issue 14).

A plan's recommendation lines are grouped into consignments (one per supplier or transfer lane, expedited
shipment and buffer location: :mod:`hedgerow.domain.consignment`); each is one decision, taken with
`hedgerow decide CON_ID --approve`. `hedgerow recommendations` lists the lines themselves.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from rich.table import Table

from hedgerow.cli.common import (
    JsonOption,
    WorkspaceOption,
    add_id_column,
    console,
    handle_errors,
    opened_workspace,
    print_json,
)
from hedgerow.services.consignment_view import ConsignmentRow, consignment_queue


def describe_row(row: ConsignmentRow) -> str:
    """One line: what a consignment does, where from and to, how, in names ("order Shenzhen → Los Angeles DC by
    air")."""
    con = row.consignment
    origin = f"{row.origin_name} → " if row.origin_name else ""
    by = f" by {con.mode}" if con.mode else ""
    return f"{con.kind.value.replace('_', ' ')} {origin}{row.location_name or con.key}{by}"


def _status(row: ConsignmentRow) -> str:
    return ", ".join(f"{n} {status}" for status, n in row.statuses)


def _record(row: ConsignmentRow) -> dict[str, Any]:
    return {
        **row.consignment.to_dict(),
        "origin_name": row.origin_name,
        "location_name": row.location_name,
        "open_lines": len(row.open_lines),
        "open_for_approver": row.for_approver,
        "statuses": dict(row.statuses),
    }


@handle_errors
def queue_cmd(
    plan: Annotated[str | None, typer.Option(help="This plan id (default: the newest plan).")] = None,
    open_only: Annotated[
        bool, typer.Option("--open", help="Only consignments with a line still waiting for a decision.")
    ] = False,
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many consignments.")] = None,
    ids_only: Annotated[
        bool,
        typer.Option("--ids", help="Print only the ids, one per line, largest value first (for scripts: CON=$(...))."),
    ] = False,
    workspace: WorkspaceOption = None,
    json_output: JsonOption = False,
) -> None:
    """The decision queue by consignment: one row per lane, shipment or buffer location of the newest plan, largest
    value first, with its lines, open lines and who must decide (`hedgerow decide CON_ID --approve` decides one)."""
    with opened_workspace(workspace) as ws:
        queue = consignment_queue(ws, plan)
        currency = ws.settings.workspace.base_currency
    rows = [r for r in queue.rows if r.open_lines or not open_only][:limit]
    if json_output:
        print_json(
            {
                "plan_id": queue.plan_id,
                "base_currency": currency,
                "lines": queue.lines,
                "consignments": [_record(r) for r in rows],
            }
        )
        return
    if ids_only:
        sys.stdout.write("".join(f"{r.consignment.id}\n" for r in rows))
        return
    if queue.plan_id is None:
        console.print("No plan has been recorded yet: `hedgerow plan` makes one.")
        return
    console.print(
        f"Plan {queue.plan_id}: {len(queue.rows):,} consignments for {queue.lines:,} recommendation lines"
        + (f", {sum(1 for r in queue.rows if r.open_lines):,} with open lines" if queue.rows else "")
        + "."
    )
    if not rows:
        console.print("No consignment matches.")
        return
    table = Table(header_style="bold")
    for name in ("#", "id", "consignment", "lines", "open", f"value {currency}", f"capital {currency}", "status"):
        if name == "id":
            add_id_column(table, name, (r.consignment.id for r in rows))
            continue
        table.add_column(name, justify="left" if name in ("consignment", "status") else "right")
    for r in rows:
        con = r.consignment
        who = f" ({r.for_approver} for an approver)" if r.for_approver else ""
        table.add_row(
            str(con.rank),
            con.id,
            describe_row(r),
            f"{con.lines:,}",
            f"{len(r.open_lines):,}{who}",
            f"{con.value:,.0f}",
            f"{con.capital:,.0f}",
            _status(r),
        )
    console.print(table)
    console.print(
        "value = what the consignment's lines save against doing nothing, expected cost and bad-case risk together; "
        "`hedgerow decide CON_ID --approve` decides its open lines, `hedgerow recommendations --plan ID` lists them."
    )


def register(app: typer.Typer) -> None:
    """Add `hedgerow queue` to ``app``."""
    app.command("queue")(queue_cmd)
