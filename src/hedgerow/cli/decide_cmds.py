"""`hedgerow recommendations` (the queue) and `hedgerow decide REC_ID ...` (approve, reject, modify, close)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from hedgerow.cli.common import (
    ExitCode,
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
from hedgerow.decide.lifecycle import DecisionKind, ReasonCategory
from hedgerow.decide.records import DecisionRequest
from hedgerow.domain.actions import ActionKind, RecommendationStatus
from hedgerow.domain.enums import Mode
from hedgerow.errors import HedgerowError
from hedgerow.services.consignments import decide_consignment, is_consignment_id
from hedgerow.services.recommendations import RecommendationView, decide, list_recommendations

MODIFY_KEYS = {"qty": "qty", "mode": "mode", "destination": "location_id", "location": "location_id", "lane": "lane_id"}


def parse_modification(text: str) -> dict[str, str]:
    """Parse ``qty=120,mode=air,destination=TK,lane=L1`` into request fields.

    Raises
    ------
    HedgerowError
        Naming the bad part and the keys allowed.
    """
    out: dict[str, str] = {}
    for part in [p.strip() for p in text.split(",") if p.strip()]:
        key, sep, value = part.partition("=")
        key = key.strip().lower()
        if not sep or key not in MODIFY_KEYS or not value.strip():
            allowed = ", ".join(sorted(MODIFY_KEYS))
            raise HedgerowError(f"--modify takes KEY=VALUE pairs separated by commas (keys: {allowed}); got {part!r}")
        out[MODIFY_KEYS[key]] = value.strip()
    if not out:
        raise HedgerowError("--modify needs at least one change, e.g. --modify qty=120 or --modify mode=air")
    return out


def _request(
    approve: bool, reject: bool, modify: str | None, close: bool, category: ReasonCategory | None, reason: str | None
) -> DecisionRequest:
    chosen = [
        name
        for name, on in (("--approve", approve), ("--reject", reject), ("--modify", modify), ("--close", close))
        if on
    ]
    if len(chosen) != 1:
        raise HedgerowError(f"give exactly one of --approve, --reject, --modify ..., --close; got {chosen or 'none'}")
    if approve:
        return DecisionRequest(DecisionKind.APPROVE, category, reason)
    if reject:
        return DecisionRequest(DecisionKind.REJECT, category, reason)
    if close:
        return DecisionRequest(DecisionKind.CLOSE, category, reason)
    fields = parse_modification(modify or "")
    qty: float | None = None
    if "qty" in fields:
        try:
            qty = float(fields["qty"])
        except ValueError:
            raise HedgerowError(f"--modify qty must be a number of units, got {fields['qty']!r}") from None
    mode: Mode | None = None
    if "mode" in fields:
        try:
            mode = Mode(fields["mode"].lower())
        except ValueError:
            allowed = ", ".join(m.value for m in Mode)
            raise HedgerowError(f"--modify mode must be one of {allowed}, got {fields['mode']!r}") from None
    return DecisionRequest(
        DecisionKind.MODIFY,
        category,
        reason,
        qty=qty,
        mode=mode,
        location_id=fields.get("location_id"),
        lane_id=fields.get("lane_id"),
    )


def _money(value: float) -> str:
    return f"{value:,.0f}"


def describe_action(v: RecommendationView) -> str:
    """One line: what the recommendation (as decided, if changed) does."""
    qty = f"{v.qty:,.0f}"
    if v.decided_qty is not None and v.decided_qty != v.qty and v.status != "rejected":
        qty = f"{v.qty:,.0f}→{v.decided_qty:,.0f}"
    where = v.decided_location_id or v.location_id
    mode = v.decided_mode or v.mode
    src = f" from {v.origin_id}" if v.origin_id else ""
    by = f" by {mode}" if mode else ""
    if v.kind == "do_nothing":
        return f"do nothing for {v.item_id} at {where}"
    return f"{v.kind} {qty} × {v.item_id}{src} → {where}{by}"


def render_queue(views: list[RecommendationView], currency: str) -> None:
    """Print the queue as a table."""
    table = Table(header_style="bold")
    for name in (
        "id",
        "#",
        "action",
        f"capital {currency}",
        f"E\\[cost] {currency}",
        f"CVaR {currency}",
        "P(out)",
        "status",
    ):
        if name == "id":
            add_id_column(table, name, (v.id for v in views))
        else:
            table.add_column(name, justify="left" if name in ("action", "status") else "right")
    for v in views:
        status = v.status + (" (auto)" if v.auto_approved else "") + (" [yellow]⚠ trust[/]" if v.trust_note else "")
        table.add_row(
            v.id,
            str(v.rank),
            describe_action(v),
            _money(v.capital_base),
            _money(v.expected_cost_base),
            _money(v.cvar_base),
            f"{v.stockout_probability:.1%}",
            f"{status} v{v.version}",
        )
    console.print(table)
    for v in views:
        if v.trust_note:
            console.print(f"[yellow]{v.id}:[/] {v.trust_note}")


@handle_errors
def recommendations(
    status: Annotated[
        list[RecommendationStatus] | None,
        typer.Option("--status", "-s", help="Only these statuses (repeatable; default: proposed)."),
    ] = None,
    all_statuses: Annotated[bool, typer.Option("--all", help="Every status.")] = False,
    item: Annotated[str | None, typer.Option(help="Only this item_id.")] = None,
    location: Annotated[str | None, typer.Option(help="Only this location_id.")] = None,
    plan: Annotated[str | None, typer.Option(help="Only this plan id.")] = None,
    kind: Annotated[ActionKind | None, typer.Option(help="Only this kind of action.")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many rows.")] = None,
    ids_only: Annotated[
        bool,
        typer.Option(
            "--ids", help="Print only the ids, one per line, newest plan first by rank (for scripts: REC=$(...))."
        ),
    ] = False,
    workspace: WorkspaceOption = None,
    json_output: JsonOption = False,
) -> None:
    """The decision queue: recommendations with their money and risk figures (default: the proposed ones)."""
    statuses = None if all_statuses else (status or [RecommendationStatus.PROPOSED])
    with opened_workspace(workspace) as ws:
        views = list_recommendations(
            ws, statuses=statuses, item_id=item, location_id=location, plan_id=plan, kind=kind, limit=limit
        )
        currency = ws.settings.workspace.base_currency
    if json_output:
        print_json({"base_currency": currency, "recommendations": [v.to_dict() for v in views]})
        return
    if ids_only:
        sys.stdout.write("".join(f"{v.id}\n" for v in views))
        return
    if not views:
        console.print("No recommendations match.")
        return
    render_queue(views, currency)


@handle_errors
def decide_cmd(
    rec_id: Annotated[
        str,
        typer.Argument(
            help="Recommendation id (see `hedgerow recommendations`), or a consignment id (con-…, from `hedgerow "
            "plan`) to decide all its open lines."
        ),
    ],
    approve: Annotated[bool, typer.Option("--approve", help="Approve as recommended.")] = False,
    reject: Annotated[bool, typer.Option("--reject", help="Reject (needs --reason-category and --reason).")] = False,
    modify: Annotated[
        str | None,
        typer.Option(
            "--modify",
            help="Approve changed: qty=N, mode=air|ocean|rail|truck, destination=LOCATION, lane=LANE_ID "
            "(comma-separated; needs --reason-category and --reason).",
        ),
    ] = None,
    close: Annotated[bool, typer.Option("--close", help="Close an exported recommendation (done in the ERP).")] = False,
    reason_category: Annotated[ReasonCategory | None, typer.Option("--reason-category", help="Why (category).")] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why, in words.")] = None,
    expect_version: Annotated[
        int | None, typer.Option("--expect-version", help="Only decide if the recommendation is still at this version.")
    ] = None,
    workspace: WorkspaceOption = None,
    user: UserOption = None,
    json_output: JsonOption = False,
) -> None:
    """Record a decision about one recommendation (or every open line of a consignment), as a ledger user with a
    role allowed to make it."""
    request = _request(approve, reject, modify, close, reason_category, reason)
    if is_consignment_id(rec_id):
        _decide_consignment(rec_id, request, workspace, user, json_output)
        return
    with opened_workspace(workspace) as ws:
        view = decide(ws, rec_id, request, user=current_user(user), now=now_utc(), expected_version=expect_version)
    if json_output:
        print_json({"ok": True, "recommendation": view.to_dict()})
        return
    change = ""
    if view.status == "modified":
        change = f": {view.decided_qty:,.0f} units by {view.decided_mode} to {view.decided_location_id}"
    console.print(
        f"[green]{view.id} {view.status}[/] by {view.decided_by or current_user(user)} (version {view.version}){change}"
    )


def _decide_consignment(
    con_id: str, request: DecisionRequest, workspace: Path | None, user: str | None, json_output: bool
) -> None:
    with opened_workspace(workspace) as ws:
        out = decide_consignment(ws, con_id, request, user=current_user(user), now=now_utc())
    if json_output:
        print_json({"ok": not out.skipped, **out.to_dict()})
        return
    con = out.consignment
    console.print(
        f"[green]{con.id}: {len(out.decided)} of {con.lines} lines {request.kind.value}d[/]"
        if out.decided
        else f"[yellow]{con.id}: no line decided[/]"
    )
    for rec_id, why in out.skipped:
        console.print(f"[yellow]{rec_id} left as it is:[/] {escape(why)}")
    if out.skipped:
        raise typer.Exit(ExitCode.ERROR)  # some lines were left as they were


def register(app: typer.Typer) -> None:
    """Add the queue and decision commands to ``app``."""
    app.command()(recommendations)
    app.command("decide")(decide_cmd)
