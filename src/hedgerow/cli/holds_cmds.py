"""`hedgerow holds ...`: list, add, extend, release buffers people keep on purpose."""

from __future__ import annotations

from datetime import date
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
from hedgerow.decide.holds import Hold
from hedgerow.errors import HedgerowError
from hedgerow.services import holds as svc

holds_app = typer.Typer(
    name="holds", help="Buffers kept on purpose: counted in the position, never moved.", no_args_is_help=True
)


def _date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise HedgerowError(f"{option} must be a date like 2026-12-31, got {text!r}") from None


@holds_app.command("list")
@handle_errors
def list_(
    include_released: Annotated[bool, typer.Option("--all", help="Include released holds.")] = False,
    workspace: WorkspaceOption = None,
    json_output: JsonOption = False,
) -> None:
    """List holds; those expiring within approval.hold_expiry_warning_days are flagged."""
    today = now_utc().date()
    with opened_workspace(workspace) as ws:
        holds = svc.list_holds(ws, include_released=include_released)
        warn_days = ws.settings.approval.hold_expiry_warning_days
        money = svc.holds_money(ws, holds, today)
        currency = ws.settings.workspace.base_currency
    soon = {h.hold_id for h in holds if h.in_force(today) and h.days_left(today) <= warn_days}
    if json_output:
        print_json(
            [h.to_dict(today) | {"expiring": h.hold_id in soon, "value_base": money.values[h.hold_id]} for h in holds]
        )
        return
    value_col = f"value ({currency})"
    table = Table(header_style="bold")
    for col in ("id", "item", "location", "qty", value_col, "owner", "reason", "expires", "days left", "status"):
        if col == "id":
            add_id_column(table, col, (h.hold_id for h in holds))
        else:
            table.add_column(col, justify="right" if col in ("qty", value_col, "days left") else "left")
    for h in holds:
        left = h.days_left(today)
        left_text = (
            f"[yellow]{left} expiring[/]" if h.hold_id in soon else ("[dim]expired[/]" if left < 0 else str(left))
        )
        table.add_row(
            h.hold_id,
            h.item_id,
            h.location_id,
            f"{h.qty:,.0f}",
            "n/a" if (value := money.values[h.hold_id]) is None else f"{value:,.0f}",
            h.owner,
            h.reason,
            h.expires_on.isoformat(),
            left_text,
            f"{h.status.value} ({h.source.value})",
        )
    console.print(table)
    console.print(money.sentence(currency))


def _print(h: Hold, what: str, json_output: bool) -> None:
    if json_output:
        print_json({"ok": True, "hold": h.to_dict(now_utc().date())})
    else:
        console.print(
            f"[green]{what}[/] hold {h.hold_id}: {h.qty:,.0f} × {h.item_id} at {h.location_id} until {h.expires_on}"
        )


@holds_app.command("add")
@handle_errors
def add(
    item: Annotated[str, typer.Option(help="item_id held.")],
    location: Annotated[str, typer.Option(help="location_id where the units are held.")],
    qty: Annotated[float, typer.Option(help="Units held.")],
    reason: Annotated[str, typer.Option(help="Why the buffer is kept.")],
    expires: Annotated[str, typer.Option(help="Last day the hold applies (YYYY-MM-DD).")],
    owner: Annotated[str | None, typer.Option(help="Person responsible (default: the acting user).")] = None,
    hold_id: Annotated[str | None, typer.Option("--id", help="Hold id (default: generated).")] = None,
    workspace: WorkspaceOption = None,
    user: UserOption = None,
    json_output: JsonOption = False,
) -> None:
    """Create a hold."""
    acting = current_user(user)
    with opened_workspace(workspace) as ws:
        h = svc.create_hold(
            ws,
            item_id=item,
            location_id=location,
            qty=qty,
            owner=owner or acting,
            reason=reason,
            expires_on=_date(expires, "--expires"),
            user=acting,
            now=now_utc(),
            hold_id=hold_id,
        )
    _print(h, "created", json_output)


@holds_app.command("extend")
@handle_errors
def extend(
    hold_id: Annotated[str, typer.Argument(help="Hold id.")],
    until: Annotated[str, typer.Option("--until", help="New last day (YYYY-MM-DD).")],
    workspace: WorkspaceOption = None,
    user: UserOption = None,
    json_output: JsonOption = False,
) -> None:
    """Extend a hold to a later day."""
    with opened_workspace(workspace) as ws:
        h = svc.extend_hold(ws, hold_id, _date(until, "--until"), user=current_user(user), now=now_utc())
    _print(h, "extended", json_output)


@holds_app.command("release")
@handle_errors
def release(
    hold_id: Annotated[str, typer.Argument(help="Hold id.")],
    workspace: WorkspaceOption = None,
    user: UserOption = None,
    json_output: JsonOption = False,
) -> None:
    """Release a hold: its units become free stock for the planner again."""
    with opened_workspace(workspace) as ws:
        h = svc.release_hold(ws, hold_id, user=current_user(user), now=now_utc())
    _print(h, "released", json_output)


def register(app: typer.Typer) -> None:
    """Add `hedgerow holds` to ``app``."""
    app.add_typer(holds_app)
