"""`hedgerow export FORMAT` (accepted actions → ERP file, idempotent) and `hedgerow exports` (what went out)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from hedgerow.cli.common import (
    JsonOption,
    UserOption,
    WorkspaceOption,
    add_id_column,
    console,
    current_user,
    handle_errors,
    now_utc,
    opened_workspace,
    print_json,
)
from hedgerow.decide.export_formats import ExportFormat
from hedgerow.services.exporting import export_actions, list_exports
from hedgerow.store.decide_models import as_utc

#: Folder of export files inside the workspace, unless --out names another.
EXPORT_DIR = "exports"


@handle_errors
def export(
    fmt: Annotated[
        ExportFormat, typer.Argument(metavar="FORMAT", help="csv, json, parquet, odoo-purchase or odoo-transfer.")
    ],
    out: Annotated[Path | None, typer.Option("--out", help="Folder for the file (default: WORKSPACE/exports).")] = None,
    rec: Annotated[
        list[str] | None,
        typer.Option("--rec", help="Only these recommendation ids (repeatable); re-exports a past set."),
    ] = None,
    workspace: WorkspaceOption = None,
    user: UserOption = None,
    json_output: JsonOption = False,
) -> None:
    """Write approved and modified actions to an ERP import file; the same set gives the same file, recorded once."""
    with opened_workspace(workspace) as ws:
        outcome = export_actions(
            ws, fmt, out_dir=out or ws.root / EXPORT_DIR, user=current_user(user), now=now_utc(), rec_ids=rec
        )
    if json_output:
        print_json(outcome.to_dict())
        return
    verb = "exported" if outcome.created else "already exported (nothing changed)"
    console.print(f"[green]{verb}[/] {outcome.rows} actions as {fmt.value} → {outcome.path}")
    console.print(f"export {outcome.export_id}, sha256 {outcome.content_sha256}")


@handle_errors
def exports(workspace: WorkspaceOption = None, json_output: JsonOption = False) -> None:
    """List past exports, newest first."""
    with opened_workspace(workspace) as ws:
        rows = list_exports(ws)
    data = [
        {
            "export_id": r.id,
            "format": r.format,
            "file": r.file_name,
            "rows": r.rows,
            "content_sha256": r.content_sha256,
            "at": as_utc(r.at).isoformat(),
            "by": r.by,
            "recommendation_ids": json.loads(r.recommendation_ids_json),
        }
        for r in rows
    ]
    if json_output:
        print_json(data)
        return
    table = Table(header_style="bold")
    add_id_column(table, "export", (str(d["export_id"]) for d in data))
    for col in ("format", "rows", "file", "at", "by"):
        table.add_column(col)
    for d in data:
        table.add_row(str(d["export_id"]), str(d["format"]), str(d["rows"]), str(d["file"]), str(d["at"]), str(d["by"]))
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add the export commands to ``app``."""
    app.command()(export)
    app.command()(exports)
