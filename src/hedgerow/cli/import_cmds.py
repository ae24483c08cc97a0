"""`hedgerow import`, `hedgerow validate`, `hedgerow imports [revert]`: bring tables in atomically, with lineage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
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
    progress_bar,
)
from hedgerow.cli.render import render_report
from hedgerow.contract.readers import read_table_file
from hedgerow.contract.report import ValidationReport
from hedgerow.contract.spec import table_spec
from hedgerow.contract.validate import validate_frame
from hedgerow.domain.enums import ImportMode, TableName
from hedgerow.errors import InputFileError
from hedgerow.services.importing import ImportSource, import_sources, sources_from_folder
from hedgerow.services.reverting import revert_import
from hedgerow.services.sweeping import ORPHAN_GRACE, sweep_orphans

#: Terminal width from which `hedgerow imports` also shows the source file's and the snapshot's hashes.
WIDE_COLUMNS = 120

TableOption = Annotated[
    TableName | None,
    typer.Option("--table", "-t", help="Contract table the file holds (default: from the file name)."),
]
EncodingOption = Annotated[str | None, typer.Option(help="Text encoding of CSV files (default: UTF-8).")]
SheetOption = Annotated[
    str | None,
    typer.Option(help="Sheet of an .xlsx workbook (default: the sheet named like the table, else the first)."),
]
DateFormatOption = Annotated[
    str | None, typer.Option(help="strptime format of dates that are not ISO 8601, e.g. %d/%m/%Y.")
]
ModeOption = Annotated[
    ImportMode | None,
    typer.Option(
        "--mode",
        help="How the file combines with the current table: upsert (add rows, a row with the same key replaces "
        "the old one), append (add rows, a key already in the table is an error) or replace (the file becomes the "
        "table). Default: each table's default, upsert (docs/imports.md).",
        show_default=False,
    ),
]
ForceOption = Annotated[
    bool,
    typer.Option(
        "--force", help="Allow a replace that removes more than half a table or dates of its history (revertible)."
    ),
]
AcceptFxJumpsOption = Annotated[
    bool,
    typer.Option(
        "--accept-fx-jumps",
        help="Keep exchange rates that jump more than 10 times (or under a tenth) from their currency's history, "
        "as warnings; without it they reject the import (docs/imports.md, implausible exchange rates).",
    ),
]
AppendOption = Annotated[
    bool, typer.Option("--append", hidden=True, help="Same as --mode upsert (kept for old scripts).")
]


def chosen_mode(mode: ImportMode | None, append: bool) -> ImportMode | None:
    """The import mode of ``--mode`` and the old ``--append`` flag (an upsert); None: each table's default."""
    if append and mode not in (None, ImportMode.UPSERT):
        raise InputFileError(f"--append is --mode upsert; it cannot be combined with --mode {mode}")
    return ImportMode.UPSERT if append else mode


def _sources(
    path: Path, table: TableName | None, encoding: str | None, sheet: str | None, date_format: str | None
) -> tuple[list[ImportSource], list[str]]:
    if path.is_dir():
        if table is not None:
            raise InputFileError(f"{path} is a folder; --table applies to one file (folder files are named by table)")
        sources, skipped = sources_from_folder(path)
        return [
            ImportSource(s.path, s.table, encoding=encoding, sheet=sheet, date_format=date_format) for s in sources
        ], skipped
    if table is None:
        stem = path.name.split(".", 1)[0].lower()
        try:
            table = TableName(stem)
        except ValueError:
            names = ", ".join(t.value for t in TableName)
            raise InputFileError(
                f"{path.name}: cannot tell which table it holds; pass --table NAME (one of: {names})"
            ) from None
    return [ImportSource(path, table, encoding=encoding, sheet=sheet, date_format=date_format)], []


@handle_errors
def import_(
    path: Annotated[Path, typer.Argument(help="A CSV, XLSX or Parquet file, or a folder of files named by table.")],
    table: TableOption = None,
    mode: ModeOption = None,
    force: ForceOption = False,
    accept_fx_jumps: AcceptFxJumpsOption = False,
    append: AppendOption = False,
    encoding: EncodingOption = None,
    sheet: SheetOption = None,
    date_format: DateFormatOption = None,
    workspace: WorkspaceOption = None,
    user: UserOption = None,
    json_output: JsonOption = False,
) -> None:
    """Validate and import tables. All or nothing: on any error nothing is written and the exit code is 3.

    By default each file is upserted into its table (new keys added, existing keys corrected); nothing already
    imported is lost, and `hedgerow imports revert ID` restores the table as it was before any import.
    """
    sources, skipped = _sources(path, table, encoding, sheet, date_format)
    with opened_workspace(workspace) as ws, progress_bar(not json_output) as progress:
        outcome = import_sources(
            ws,
            sources,
            user=current_user(user),
            now=now_utc(),
            mode=chosen_mode(mode, append),
            force=force,
            accept_fx_jumps=accept_fx_jumps,
            progress=progress,
        )
    if json_output:
        print_json(
            {
                "ok": True,
                "batch_id": outcome.batch_id,
                "skipped": list(outcome.skipped) + skipped,
                "tables": [
                    {
                        "table": t.table.value,
                        "import_id": t.import_id,
                        "mode": t.mode.value,
                        "rows_before": t.before_rows,
                        "rows": t.rows,
                        "added": t.added,
                        "replaced": t.replaced,
                        "removed": t.removed,
                        "snapshot": t.snapshot_sha256,
                        "trust_score": t.trust_score,
                    }
                    for t in outcome.tables
                ],
                "reports": [r.to_dict() for r in outcome.reports],
                "swept": [str(p) for p in outcome.swept],
            }
        )
        return
    for report in outcome.reports:
        render_report(report, console)
    for t in outcome.tables:
        console.print(
            f"[green]imported[/] {t.table.value} as import {t.import_id}: {t.change_text()}, snapshot "
            f"{t.snapshot_sha256[:12]} (trust {t.trust_score:.1f})",
            soft_wrap=True,
        )
    if skipped:
        console.print(f"[yellow]skipped[/] files not named after a table: {', '.join(skipped)}")
    if outcome.swept:
        console.print(f"removed {len(outcome.swept)} snapshot files no import recorded (left by an interrupted import)")


@handle_errors
def validate(
    path: Annotated[Path, typer.Argument(help="A CSV, XLSX or Parquet file.")],
    table: TableOption = None,
    encoding: EncodingOption = None,
    sheet: SheetOption = None,
    date_format: DateFormatOption = None,
    json_output: JsonOption = False,
) -> None:
    """Check a file against the data contract without importing it (no workspace needed)."""
    sources, _ = _sources(path, table, encoding, sheet, date_format)
    source = sources[0]
    raw = read_table_file(source.path, encoding=source.encoding, sheet=source.sheet, table=source.table)
    now = now_utc()
    import pandas as pd

    typed = validate_frame(
        table_spec(source.table),
        raw.frame,
        now=pd.Timestamp(now).tz_convert("UTC").tz_localize(None),
        date_format=date_format,
    )
    report = ValidationReport(table=source.table, source=raw.source.name, rows=len(raw.frame), findings=typed.errors)
    if json_output:
        print_json(report.to_dict())
    else:
        render_report(report, console)
    if not report.ok:
        raise typer.Exit(3)


imports_app = typer.Typer(
    name="imports",
    help="List accepted imports with their lineage, newest first; `imports revert ID` undoes one.",
    invoke_without_command=True,
)


@imports_app.callback()
@handle_errors
def imports(
    ctx: typer.Context,
    table: TableOption = None,
    workspace: WorkspaceOption = None,
    json_output: JsonOption = False,
) -> None:
    """List accepted imports with their lineage, newest first; `imports revert ID` undoes one."""
    if ctx.invoked_subcommand is not None:
        return
    with opened_workspace(workspace) as ws:
        history = ws.import_history(table)
    rows = [
        {
            "id": r.id,
            "table": r.table_name,
            "mode": r.mode,
            "rows": r.rows,
            "snapshot": r.snapshot_sha256,
            "source": r.source_name,
            "source_format": r.source_format,
            "source_size_bytes": r.source_size_bytes,
            "source_sha256": r.source_sha256,
            "imported_by": r.imported_by,
            "imported_at": r.imported_at.isoformat(timespec="seconds"),
            "contract_version": r.contract_version,
            "trust_score": r.trust_score,
        }
        for r in history
    ]
    if json_output:
        print_json(rows)
        return
    wide = console.width >= WIDE_COLUMNS  # hashes are in --json; a narrow terminal shows what to revert by
    out = Table(header_style="bold")
    add_id_column(out, "id", (str(r["id"]) for r in rows))
    for name in ("table", "mode", "rows", "source", "by", "at", "trust", *(("sha256", "snapshot") if wide else ())):
        out.add_column(name, justify="right" if name in ("rows", "trust") else "left")
    for r in rows:
        out.add_row(
            str(r["id"]),
            str(r["table"]),
            str(r["mode"]),
            f"{r['rows']:,}",
            str(r["source"]),
            str(r["imported_by"]),
            str(r["imported_at"])[:16].replace("T", " "),
            f"{r['trust_score']:.1f}",
            *((str(r["source_sha256"])[:12], str(r["snapshot"])[:12]) if wide else ()),
        )
    console.print(out)


@imports_app.command("revert")
@handle_errors
def revert(
    import_id: Annotated[int, typer.Argument(help="Id of the import to undo (`hedgerow imports` lists them).")],
    force: Annotated[
        bool, typer.Option("--force", help="Also undo later imports of the same table that came after it.")
    ] = False,
    workspace: WorkspaceOption = None,
    user: UserOption = None,
    json_output: JsonOption = False,
) -> None:
    """Make the table's snapshot from before an import current again (recorded in lineage and the audit chain)."""
    with opened_workspace(workspace) as ws:
        done = revert_import(ws, import_id, user=current_user(user), now=now_utc(), force=force)
    if json_output:
        print_json(
            {
                "ok": True,
                "table": done.table.value,
                "import_id": done.import_id,
                "reverted_import_id": done.reverted_import_id,
                "restored_import_id": done.restored_import_id,
                "undone_later_import_ids": list(done.undone_later),
                "snapshot": done.snapshot_sha256,
                "rows_before": done.rows_before,
                "rows": done.rows,
            }
        )
        return
    undone = f" (also undoing {', '.join(map(str, done.undone_later))})" if done.undone_later else ""
    console.print(
        f"[green]reverted[/] import {done.reverted_import_id}{undone}: {done.table.value} is the snapshot of import "
        f"{done.restored_import_id} again, {done.rows_before:,} → {done.rows:,} rows (recorded as import "
        f"{done.import_id}; `hedgerow imports revert {done.import_id}` undoes this)",
        soft_wrap=True,
    )


@imports_app.command("sweep")
@handle_errors
def sweep(
    older_than: Annotated[
        float,
        typer.Option(
            "--older-than",
            min=0.0,
            help="Minutes an unrecorded file must be old to be removed; younger ones may belong to an import "
            "still running.",
        ),
    ] = ORPHAN_GRACE.total_seconds() / 60,
    workspace: WorkspaceOption = None,
    json_output: JsonOption = False,
) -> None:
    """Remove snapshot files no ledger row names (left by an import killed before it recorded them)."""
    with opened_workspace(workspace) as ws:
        done = sweep_orphans(ws, now=datetime.now(UTC), grace=timedelta(minutes=older_than))
    if json_output:
        print_json({"ok": True, **done.to_dict()})
        return
    console.print(
        f"removed {len(done.removed)} unrecorded snapshot files ({done.bytes_freed:,} bytes); kept "
        f"{done.referenced_files} recorded ones and {len(done.recent)} unrecorded younger than {older_than:g} minutes"
    )


def register(app: typer.Typer) -> None:
    """Add the import commands to ``app``."""
    app.command("import")(import_)
    app.command()(validate)
    app.add_typer(imports_app)
