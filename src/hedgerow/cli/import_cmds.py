"""`hedgerow import`, `hedgerow validate`, `hedgerow imports`: bring tables in, atomically, with lineage."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
    progress_bar,
)
from hedgerow.cli.render import render_report
from hedgerow.contract.readers import read_table_file
from hedgerow.contract.report import ValidationReport
from hedgerow.contract.spec import table_spec
from hedgerow.contract.validate import validate_frame
from hedgerow.domain.enums import TableName
from hedgerow.errors import InputFileError
from hedgerow.services.importing import ImportMode, ImportSource, import_sources, sources_from_folder

TableOption = Annotated[
    TableName | None,
    typer.Option("--table", "-t", help="Contract table the file holds (default: from the file name)."),
]
EncodingOption = Annotated[str | None, typer.Option(help="Text encoding of CSV files (default: UTF-8).")]
SheetOption = Annotated[str | None, typer.Option(help="Sheet of an .xlsx workbook (default: the first).")]
DateFormatOption = Annotated[
    str | None, typer.Option(help="strptime format of dates that are not ISO 8601, e.g. %d/%m/%Y.")
]


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
    append: Annotated[
        bool, typer.Option(help="Add rows to the current table (same key: the new row wins) instead of replacing.")
    ] = False,
    encoding: EncodingOption = None,
    sheet: SheetOption = None,
    date_format: DateFormatOption = None,
    workspace: WorkspaceOption = None,
    user: UserOption = None,
    json_output: JsonOption = False,
) -> None:
    """Validate and import tables. All or nothing: on any error nothing is written and the exit code is 3."""
    sources, skipped = _sources(path, table, encoding, sheet, date_format)
    with opened_workspace(workspace) as ws, progress_bar(not json_output) as progress:
        outcome = import_sources(
            ws,
            sources,
            user=current_user(user),
            now=now_utc(),
            mode=ImportMode.APPEND if append else ImportMode.REPLACE,
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
                        "rows": t.rows,
                        "snapshot": t.snapshot_sha256,
                        "trust_score": t.trust_score,
                    }
                    for t in outcome.tables
                ],
                "reports": [r.to_dict() for r in outcome.reports],
            }
        )
        return
    for report in outcome.reports:
        render_report(report, console)
    for t in outcome.tables:
        console.print(
            f"[green]imported[/] {t.table.value}: {t.rows:,} rows → snapshot {t.snapshot_sha256[:12]} "
            f"(trust {t.trust_score:.1f})"
        )
    if skipped:
        console.print(f"[yellow]skipped[/] files not named after a table: {', '.join(skipped)}")


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
    raw = read_table_file(source.path, encoding=source.encoding, sheet=source.sheet)
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


@handle_errors
def imports(
    table: TableOption = None,
    workspace: WorkspaceOption = None,
    json_output: JsonOption = False,
) -> None:
    """List accepted imports with their lineage, newest first."""
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
    out = Table(header_style="bold")
    for name in ("id", "table", "rows", "source", "sha256", "by", "at", "trust", "snapshot"):
        out.add_column(name)
    for r in rows:
        out.add_row(
            str(r["id"]),
            str(r["table"]),
            f"{r['rows']:,}",
            str(r["source"]),
            str(r["source_sha256"])[:12],
            str(r["imported_by"]),
            str(r["imported_at"]),
            f"{r['trust_score']:.1f}",
            str(r["snapshot"])[:12],
        )
    console.print(out)


def register(app: typer.Typer) -> None:
    """Add the import commands to ``app``."""
    app.command("import")(import_)
    app.command()(validate)
    app.command()(imports)
