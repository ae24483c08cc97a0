"""Rich renderings of reports and summaries for the terminal. JSON output does not pass through here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from hedgerow.domain.enums import Severity
from hedgerow.services.readiness import Readiness, Verdict

if TYPE_CHECKING:  # annotations only: rendering a status must not load pandas
    from hedgerow.contract.report import ValidationReport
    from hedgerow.services.status import WorkspaceStatus

#: Failing rows listed per report in the terminal; --json lists them all.
MAX_ROWS_SHOWN = 20


def _severity(sev: Severity) -> str:
    return "[bold red]error[/]" if sev is Severity.ERROR else "[yellow]warning[/]"


def render_report(report: ValidationReport, console: Console) -> None:
    """Print a report: the plain-English summary (verdict, then one sentence per problem), then the failing rows."""
    style = "bold red" if not report.ok else ("yellow" if report.warnings else "green")
    head, *sentences = report.summary().splitlines()
    console.print(f"[{style}]{escape(head)}[/]", soft_wrap=True)
    for sentence in sentences:
        kind, _, text = sentence.strip().partition(": ")
        label = "[bold red]error[/]" if kind == "error" else "[yellow]warning[/]"
        console.print(f"  {label}: {escape(text)}", soft_wrap=True)
    rows = [f for f in report.findings if f.row is not None]
    if rows:
        detail = Table(title="failing rows (row 1 = first row under the header)", header_style="bold")
        for name in ("", "row", "column", "check", "value"):
            detail.add_column(name)
        for f in sorted(rows, key=lambda f: (f.severity is not Severity.ERROR, f.row or 0))[:MAX_ROWS_SHOWN]:
            value = escape(f.value) if f.value is not None else "(empty)"
            detail.add_row(_severity(f.severity), str(f.row), escape(f.column or ""), f.check.value, value)
        console.print(detail)
        if len(rows) > MAX_ROWS_SHOWN:
            console.print(f"… and {len(rows) - MAX_ROWS_SHOWN:,} more rows; --json lists every one.")


def render_reports(reports: Sequence[ValidationReport], console: Console) -> None:
    """Print several reports, rejected ones first."""
    for report in sorted(reports, key=lambda r: r.ok):
        render_report(report, console)
    rejected = [r for r in reports if not r.ok]
    if rejected:
        listed = any(f.row is not None for r in rejected for f in r.errors)
        fix = "Fix the errors and the rows listed above" if listed else "Fix the errors above"
        console.print(f"[bold red]Nothing was imported.[/] {fix} and import again.")


def _age(days: int | None, stale: bool | None) -> str:
    if days is None:
        return ""
    if days < 0:
        return f"[dim]+{-days}[/]"  # a table that looks ahead (drivers, holds): days covered beyond today
    return f"[red]{days} stale[/]" if stale else str(days)


def render_status(status: WorkspaceStatus, console: Console) -> None:
    """Print the workspace summary table (source files and full hashes are in --json)."""
    console.print(f"[bold]{escape(status.name)}[/] — {escape(status.root)}", soft_wrap=True)
    console.print(
        f"base currency {status.base_currency} · period {status.period} · horizon {status.horizon_periods} "
        f"periods · ledger {escape(status.ledger)}",
        soft_wrap=True,
    )
    table = Table(header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
    wide = console.width >= 100
    for name in ("table", "rows", "from", "to", "age d", "trust", "warn", *(("snapshot",) if wide else ())):
        right = name in ("rows", "age d", "trust", "warn")
        table.add_column(name, justify="right" if right else "left", no_wrap=True)
    for t in status.tables:
        if not t.imported:
            table.add_row(f"[dim]{t.table}[/]", "[dim]—[/]", "[dim]not imported[/]", "", "", "", "", "")
            continue
        trust = t.trust_score or 0.0
        trust_style = "green" if trust >= 95 else ("yellow" if trust >= 80 else "red")
        table.add_row(
            t.table,
            f"{t.rows:,}",
            t.first or "",
            t.last or "",
            _age(t.age_days, t.stale),
            f"[{trust_style}]{trust:.1f}[/]",
            f"{t.warnings or 0:,}",
            *(((t.snapshot or "")[:8],) if wide else ()),
        )
    console.print(table)
    render_readiness(status.readiness, console)


_VERDICT_STYLE = {Verdict.READY: "green", Verdict.READY_WITH_GAPS: "yellow", Verdict.NOT_READY: "bold red"}


def render_readiness(readiness: Readiness, console: Console) -> None:
    """Print the readiness verdict and every gap with what a plan assumes while it is open and the command that
    fixes it (blocking gaps first)."""
    verdict = readiness.verdict
    head = {
        Verdict.READY: "Ready to plan: every table a plan needs is present, current and consistent.",
        Verdict.READY_WITH_GAPS: "Ready with gaps: a plan can be made, but mind "
        + ("this gap:" if len(readiness.gaps) == 1 else f"these {len(readiness.gaps)} gaps:"),
        Verdict.NOT_READY: "Not ready to plan:",
    }[verdict]
    console.print(f"[{_VERDICT_STYLE[verdict]}]{head}[/]", soft_wrap=True)
    for gap in readiness.gaps:
        label = "[bold red]blocking[/]" if gap.blocking else "[yellow]gap[/]"
        console.print(f"  {label} {escape(gap.message)}", soft_wrap=True)
        if gap.assumed and not gap.blocking:
            console.print(f"      in the plan: {escape(gap.assumed)}", soft_wrap=True)
        console.print(f"      fix: [bold]{escape(gap.fix)}[/]", soft_wrap=True)
