"""`hedgerow users ...`: add, list, set-role, disable, passwd, api-key, api-keys, revoke-key. Secrets are read
hidden, never echoed."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from hedgerow.cli.common import (
    ENV_USER,
    JsonOption,
    WorkspaceOption,
    console,
    current_user,
    handle_errors,
    now_utc,
    opened_workspace,
    print_json,
)
from hedgerow.domain.actions import Role
from hedgerow.errors import HedgerowError
from hedgerow.services import users as svc

users_app = typer.Typer(name="users", help="Ledger users, roles and API keys.", no_args_is_help=True)

ActorOption = Annotated[
    str | None,
    typer.Option("--user", help=f"Acting admin (default: ${ENV_USER} or the OS user; not needed for the first user)."),
]
PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")
]
PromptPassword = Annotated[bool, typer.Option("--password", help="Ask for a password (hidden, asked twice).")]


def _read_password(stdin: bool, prompt: bool) -> str | None:
    if stdin and prompt:
        raise HedgerowError("give --password or --password-stdin, not both")
    if stdin:
        line = sys.stdin.readline().rstrip("\n")
        if not line:
            raise HedgerowError("--password-stdin: stdin held no password")
        return line
    if prompt:
        value: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        return value
    return None


@users_app.command("add")
@handle_errors
def add(
    name: Annotated[str, typer.Argument(help="User name.")],
    role: Annotated[Role, typer.Option("--role", help="viewer, planner, approver or admin.")] = Role.VIEWER,
    password: PromptPassword = False,
    password_stdin: PasswordStdin = False,
    user: ActorOption = None,
    workspace: WorkspaceOption = None,
    json_output: JsonOption = False,
) -> None:
    """Add a user. The first user of a workspace must be an admin; after that an admin adds users."""
    secret = _read_password(password_stdin, password)
    with opened_workspace(workspace) as ws:
        with ws.session() as s:
            first = svc.user_count(s) == 0
        actor = None if first else current_user(user)
        view = svc.add_user(ws, name, role, password=secret, actor=actor, now=now_utc())
    if json_output:
        print_json({"ok": True, "user": view.to_dict()})
    else:
        console.print(f"[green]Added[/] {view.name} as {view.role.value}.")


@users_app.command("list")
@handle_errors
def list_(workspace: WorkspaceOption = None, json_output: JsonOption = False) -> None:
    """List users with their roles (never their secrets)."""
    with opened_workspace(workspace) as ws:
        views = svc.list_users(ws)
    if json_output:
        print_json([v.to_dict() for v in views])
        return
    table = Table(header_style="bold")
    for col in ("name", "role", "status", "password", "api keys", "created", "by"):
        table.add_column(col)
    for v in views:
        table.add_row(
            v.name,
            v.role.value,
            "disabled" if v.disabled else "active",
            "set" if v.has_password else "—",
            str(v.api_keys),
            v.created_at.date().isoformat(),
            v.created_by,
        )
    console.print(table)


@users_app.command("set-role")
@handle_errors
def set_role(
    name: Annotated[str, typer.Argument(help="User name.")],
    role: Annotated[Role, typer.Argument(help="New role.")],
    user: ActorOption = None,
    workspace: WorkspaceOption = None,
    json_output: JsonOption = False,
) -> None:
    """Change a user's role (admin only)."""
    with opened_workspace(workspace) as ws:
        view = svc.set_role(ws, name, role, actor=current_user(user), now=now_utc())
    if json_output:
        print_json({"ok": True, "user": view.to_dict()})
    else:
        console.print(f"{view.name} is now {view.role.value}.")


@users_app.command("disable")
@handle_errors
def disable(
    name: Annotated[str, typer.Argument(help="User name.")],
    user: ActorOption = None,
    workspace: WorkspaceOption = None,
    json_output: JsonOption = False,
) -> None:
    """Disable a user (admin only); their past decisions stay on the record."""
    with opened_workspace(workspace) as ws:
        view = svc.disable_user(ws, name, actor=current_user(user), now=now_utc())
    if json_output:
        print_json({"ok": True, "user": view.to_dict()})
    else:
        console.print(f"{view.name} is disabled.")


@users_app.command("passwd")
@handle_errors
def passwd(
    name: Annotated[str, typer.Argument(help="User name.")],
    password_stdin: PasswordStdin = False,
    user: ActorOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Set a password (your own, or anyone's as admin). Asked hidden unless --password-stdin."""
    secret = _read_password(password_stdin, not password_stdin)
    assert secret is not None
    with opened_workspace(workspace) as ws:
        svc.set_password(ws, name, secret, actor=current_user(user), now=now_utc())
    console.print(f"Password of {name} set.")


@users_app.command("api-key")
@handle_errors
def api_key(
    name: Annotated[str, typer.Argument(help="User the key acts as.")],
    label: Annotated[str, typer.Option(help="What the key is for.")] = "api",
    user: ActorOption = None,
    workspace: WorkspaceOption = None,
    json_output: JsonOption = False,
) -> None:
    """Issue an API key. It is printed once, here, and stored only as a hash."""
    with opened_workspace(workspace) as ws:
        key_id, key = svc.create_api_key(ws, name, label=label, actor=current_user(user), now=now_utc())
    if json_output:
        print_json({"ok": True, "key_id": key_id, "api_key": key})
    else:
        console.print(f"API key {key_id} for {name} (shown once; store it safely):")
        typer.echo(key)


@users_app.command("api-keys")
@handle_errors
def api_keys(
    name: Annotated[str, typer.Argument(help="User whose keys to list.")],
    user: ActorOption = None,
    workspace: WorkspaceOption = None,
    json_output: JsonOption = False,
) -> None:
    """List a user's API keys, revoked ones too (your own, or anyone's as admin): ids and labels, never keys."""
    with opened_workspace(workspace) as ws:
        views = svc.list_api_keys(ws, name, actor=current_user(user))
    if json_output:
        print_json([v.to_dict() for v in views])
        return
    table = Table(header_style="bold")
    for col in ("key id", "label", "created", "status"):
        table.add_column(col)
    for v in views:
        status = f"revoked {v.revoked_at.isoformat(timespec='seconds')}" if v.revoked_at else "in use"
        table.add_row(v.key_id, v.label, v.created_at.isoformat(timespec="seconds"), status)
    console.print(table)


@users_app.command("revoke-key")
@handle_errors
def revoke_key(
    key_id: Annotated[str, typer.Argument(help="Id of the key (from `hedgerow users api-keys NAME`).")],
    user: ActorOption = None,
    workspace: WorkspaceOption = None,
    json_output: JsonOption = False,
) -> None:
    """Revoke an API key (your own, or anyone's as admin): every server refuses it from its next request."""
    with opened_workspace(workspace) as ws:
        view = svc.revoke_api_key(ws, key_id, actor=current_user(user), now=now_utc())
    if json_output:
        print_json({"ok": True, "api_key": view.to_dict()})
    else:
        console.print(f"API key {view.key_id} of {view.user} revoked.")


def register(app: typer.Typer) -> None:
    """Add `hedgerow users` to ``app``."""
    app.add_typer(users_app)
