"""`hedgerow fx-cover`: forward cover per currency and horizon of the newest plan's payables; record it, list
what is recorded, approve or reject one (hedgerow recommends; it never trades)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
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
from hedgerow.decide.fx_cover import FxCoverStatus
from hedgerow.decide.lifecycle import DecisionKind
from hedgerow.errors import HedgerowError
from hedgerow.explain.fx_cover import horizon_words, rate_words
from hedgerow.explain.words import money, percent
from hedgerow.services.fx_cover import FxCoverReport, compute_fx_cover
from hedgerow.services.fx_cover_ledger import FxCoverView, decide_fx_cover, list_fx_cover, record_fx_cover


def parse_shock(texts: list[str]) -> dict[str, float]:
    """``["CNY=0.9"]`` → ``{"CNY": 0.9}``.

    Raises
    ------
    HedgerowError
        Naming the bad part and the form expected.
    """
    out: dict[str, float] = {}
    for text in texts:
        ccy, sep, value = text.partition("=")
        try:
            factor = float(value)
        except ValueError:
            factor = float("nan")
        if not sep or len(ccy.strip()) != 3 or not factor > 0:
            raise HedgerowError(
                f"--shock takes CURRENCY=FACTOR on the rate in units per base unit, e.g. CNY=0.9 (the yuan 11 % "
                f"dearer); got {text!r}"
            )
        out[ccy.strip().upper()] = factor
    return out


def _report_table(report: FxCoverReport) -> None:
    base = report.base_currency
    table = Table(header_style="bold")
    for col in ("currency", "due", "amount", f"at forward ({base})", "forward", "VaR", "CVaR", "cover"):
        table.add_column(col, justify="left" if col in ("currency", "due") else "right")
    for b in report.plan.buckets:
        table.add_row(
            b.currency,
            horizon_words(b.first_period, b.last_period, report.period_days),
            f"{b.amount_local:,.0f}",
            f"{b.exposure_base:,.0f}",
            rate_words(b.forward_rate),
            money(b.var_base, base),
            money(b.cvar_base, base),
            percent(b.cover_ratio),
        )
    console.print(table)
    for w in report.words:
        console.print(f"• {escape(w.headline)}")
    alts = Table(header_style="bold", title="The whole portfolio of payables")
    for col in ("cover", f"expected cost ({base})", f"CVaR {percent(report.plan.level)} ({base})"):
        alts.add_column(col, justify="left" if col == "cover" else "right")
    for name, o in (("none", report.plan.none), ("full", report.plan.full), ("recommended", report.plan.recommended)):
        alts.add_row(name, f"{o.expected_cost_base:,.0f}", f"{o.cvar_base:,.0f}")
    console.print(alts)
    console.print(escape(report.summary))
    for note in report.notes:
        console.print(f"[yellow]note:[/] {escape(note)}")


def _views_table(views: list[FxCoverView], base: str) -> None:
    table = Table(header_style="bold")
    add_id_column(table, "id", (v.id for v in views))
    for col in ("currency", "due", "cover", f"covered ({base})", "status", "decided by"):
        table.add_column(col, justify="right" if col in ("cover", f"covered ({base})") else "left")
    for v in views:
        table.add_row(
            v.id,
            v.currency,
            horizon_words(v.first_period, v.last_period, v.period_days),
            percent(v.cover_ratio),
            f"{v.covered_base:,.0f}",
            v.status,
            v.decided_by or "",
        )
    console.print(table)
    for v in views:
        console.print(f"• {v.id}: {escape(v.headline)}")


@handle_errors
def fx_cover(
    record: Annotated[
        bool, typer.Option("--record", help="Record the recommendations in the ledger for a person to decide.")
    ] = False,
    shock: Annotated[
        list[str] | None,
        typer.Option(help="Move a currency's FX paths: CURRENCY=FACTOR on units per base (CNY=0.9). Repeatable."),
    ] = None,
    recorded: Annotated[
        bool, typer.Option("--recorded", help="List the recorded recommendations instead of computing new ones.")
    ] = False,
    status: Annotated[FxCoverStatus | None, typer.Option(help="With --recorded: only this status.")] = None,
    decide: Annotated[
        str | None, typer.Option("--decide", metavar="FX_ID", help="Decide one recorded recommendation.")
    ] = None,
    approve: Annotated[bool, typer.Option("--approve", help="With --decide: approve it.")] = False,
    reject: Annotated[bool, typer.Option("--reject", help="With --decide: reject it (needs --reason).")] = False,
    reason: Annotated[str | None, typer.Option(help="Why (required to reject).")] = None,
    expected_version: Annotated[
        int | None, typer.Option(help="With --decide: refuse if the recommendation changed since this version.")
    ] = None,
    workspace: WorkspaceOption = None,
    user: UserOption = None,
    json_output: JsonOption = False,
) -> None:
    """Forward cover per currency and horizon for the newest plan's orders and the goods in transit: CVaR of landed cost with no, full and the recommended cover (hedgerow recommends; it never trades).

    `--record` writes the recommendations to the ledger; `--recorded` lists them; `--decide FX_ID --approve` (or
    `--reject --reason TEXT`) records a person's decision.
    """
    if decide is not None:
        if approve == reject:
            raise HedgerowError("with --decide give exactly one of --approve or --reject")
        kind = DecisionKind.APPROVE if approve else DecisionKind.REJECT
        acting = current_user(user)
        with opened_workspace(workspace) as ws:
            view = decide_fx_cover(
                ws, decide, kind, reason=reason, user=acting, now=now_utc(), expected_version=expected_version
            )
        if json_output:
            print_json({"ok": True, "fx_cover": view.to_dict()})
        else:
            console.print(f"[green]{view.status}[/] {view.id}: {escape(view.headline)}")
        return
    if recorded:
        with opened_workspace(workspace) as ws:
            views = list_fx_cover(ws, status=status)
            base = ws.settings.workspace.base_currency
        if json_output:
            print_json([v.to_dict() for v in views])
        else:
            _views_table(views, base)
        return
    acting = current_user(user)
    with opened_workspace(workspace) as ws:
        report = compute_fx_cover(ws, now=now_utc(), shock=parse_shock(shock or []))
        saved = record_fx_cover(ws, report, user=acting, now=now_utc()) if record else []
    if json_output:
        print_json(report.to_dict() | {"recorded": [v.id for v in saved]})
        return
    _report_table(report)
    if saved:
        console.print(
            f"[green]recorded[/] {len(saved)} FX cover recommendation(s) for a decision: "
            f"`hedgerow fx-cover --decide {saved[0].id} --approve`"
        )
    else:
        console.print("[dim]Not recorded: add --record to put them in the ledger for a person to decide.[/]")


def register(app: typer.Typer) -> None:
    """Add `hedgerow fx-cover` to ``app``."""
    app.command("fx-cover")(fx_cover)
