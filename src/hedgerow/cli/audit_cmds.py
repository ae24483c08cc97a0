"""`hedgerow audit verify | trace REC_ID | log`: check the hash chain, follow a decision, list events."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from hedgerow.cli.common import (
    JsonOption,
    WorkspaceOption,
    add_id_column,
    console,
    handle_errors,
    opened_workspace,
    print_json,
)
from hedgerow.services.audit import verify_audit
from hedgerow.services.trace import trace_recommendation
from hedgerow.store.decide_models import AuditEvent

audit_app = typer.Typer(name="audit", help="The append-only, hash-chained audit log.", no_args_is_help=True)

#: Exit code of `audit verify` when the chain was tampered with.
EXIT_TAMPERED = 4


@audit_app.command("verify")
@handle_errors
def verify(workspace: WorkspaceOption = None, json_output: JsonOption = False) -> None:
    """Walk the chain and recompute every row it binds; name each event and row edited, inserted, deleted or
    reordered (exit code 4 if any)."""
    with opened_workspace(workspace) as ws:
        report = verify_audit(ws)
    if json_output:
        print_json(report.to_dict())
    elif report.ok:
        console.print(
            f"[green]audit chain intact[/]: {report.events} events, head #{report.head_seq} {report.head_hash}; "
            f"{report.rows_checked} ledger rows match the events that wrote them"
        )
        console.print("Keep the head hash somewhere else (a ticket, an e-mail) to anchor the chain.")
    else:
        first = report.first
        if first is not None:
            console.print(f"[bold red]audit chain broken[/] at event #{first.seq}: {first.kind.value} — {first.detail}")
            for p in report.problems[1:]:
                console.print(f"  also #{p.seq}: {p.kind.value} — {p.detail}")
        if report.row_problems:
            console.print(
                f"[bold red]{len(report.row_problems)} of {report.rows_checked} ledger rows do not match the "
                "events that wrote them[/]:"
            )
            for r in report.row_problems:
                console.print(f"  {r.kind.value}: {r.detail}")
    if not report.ok:
        raise typer.Exit(EXIT_TAMPERED)


@audit_app.command("trace")
@handle_errors
def trace(
    rec_id: Annotated[str, typer.Argument(help="Recommendation id.")],
    workspace: WorkspaceOption = None,
    json_output: JsonOption = False,
) -> None:
    """A decision's whole path: data snapshots → scenario seed → plan → recommendation → explanation → decision → export."""
    with opened_workspace(workspace) as ws:
        t = trace_recommendation(ws, rec_id)
    if json_output:
        print_json(t)
        return
    console.print(f"[bold]Trace of {rec_id}[/]")
    console.print("[bold]1. data[/]")
    for d in t["data"]:
        imp = d["import"]
        src = f"{imp['source']} imported {imp['imported_at']} by {imp['imported_by']}" if imp else "no import record"
        console.print(f"   {d['table']}: snapshot {d['snapshot_sha256'][:12]} ← {src}")
    s = t["scenarios"]
    console.print(
        f"[bold]2. scenarios[/] seed {s['seed']}, {s['scenario_count']} scenarios, {s['horizon_periods']} periods"
    )
    p = t["plan"]
    console.print(
        f"[bold]3. plan[/] {p['plan_id']} made {p['created_at']}, recorded by {p['recorded_by']} ({p['status']})"
    )
    r = t["recommendation"]
    console.print(
        f"[bold]4. recommendation[/] #{r['rank']}: {r['kind']} {r['qty']:,.0f} × {r['item_id']} → {r['location_id']}"
        f" (capital {r['capital_base']:,.0f} {p['base_currency']}, P(stockout) {r['stockout_probability']:.1%}); now {r['status']}"
    )
    expl = t["explanation"]
    summary = expl.get("summary") if isinstance(expl, dict) else None
    shown = summary if summary else json.dumps(expl, ensure_ascii=False)[:300]
    console.print(f"[bold]5. explanation[/] {shown} (`hedgerow explain {t['recommendation_id']}` for the whole of it)")
    console.print("[bold]6. decisions[/]")
    for d in t["decisions"]:
        why = f" — {d['reason_category']}: {d['reason']}" if d["reason_category"] else ""
        console.print(
            f"   {d['at']} {d['user']} ({d['role']}{', auto' if d['auto'] else ''}): {d['kind']} → {d['to']}{why}"
        )
    e = t["export"]
    console.print(
        f"[bold]7. export[/] {e['export_id']} ({e['format']}) {e['file_name']} sha256 {e['content_sha256'][:12]}"
        if e
        else "[bold]7. export[/] not exported"
    )
    console.print("[bold]audit events[/] " + ", ".join(f"#{ev['seq']} {ev['kind']}" for ev in t["events"]))


@audit_app.command("log")
@handle_errors
def log(
    limit: Annotated[int, typer.Option(help="Newest events to show.")] = 50,
    kind: Annotated[
        str | None, typer.Option(help="Only this kind (import, config, plan, decision, hold, export, ...).")
    ] = None,
    workspace: WorkspaceOption = None,
    json_output: JsonOption = False,
) -> None:
    """The newest audit events."""
    query = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit)
    if kind:
        query = query.where(AuditEvent.kind == kind)
    with opened_workspace(workspace) as ws, ws.session() as s:
        events = list(s.execute(query).scalars())
    rows = [
        {
            "seq": e.seq,
            "at": e.at,
            "actor": e.actor,
            "kind": e.kind,
            "subject": e.subject,
            "payload": json.loads(e.payload),
            "hash": e.hash,
        }
        for e in reversed(events)
    ]
    if json_output:
        print_json(rows)
        return
    table = Table(header_style="bold")
    for col in ("#", "at", "actor", "kind", "subject", "hash"):
        if col == "subject":
            add_id_column(table, col, (str(r["subject"]) for r in rows))
        else:
            table.add_column(col)
    for r in rows:
        table.add_row(
            str(r["seq"]), str(r["at"]), str(r["actor"]), str(r["kind"]), str(r["subject"]), str(r["hash"])[:12]
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add `hedgerow audit` to ``app``."""
    app.add_typer(audit_app)
