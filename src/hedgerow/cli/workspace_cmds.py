"""`hedgerow init`, `hedgerow migrate`, `hedgerow status`: create, upgrade and summarise a workspace."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from hedgerow.cli.common import (
    JsonOption,
    WorkspaceOption,
    console,
    handle_errors,
    now_utc,
    opened_workspace,
    print_json,
    workspace_root,
)
from hedgerow.cli.render import render_status
from hedgerow.config import Settings
from hedgerow.domain.enums import Period
from hedgerow.errors import ConfigError
from hedgerow.services.status import workspace_status
from hedgerow.services.workspace import init_workspace, migrate_workspace


@handle_errors
def init(
    directory: Annotated[Path, typer.Argument(help="Folder of the new workspace.")] = Path("."),
    base_currency: Annotated[str, typer.Option(help="Base currency (ISO 4217).")] = "USD",
    period: Annotated[Period, typer.Option(help="Planning period.")] = Period.WEEK,
    name: Annotated[str | None, typer.Option(help="Workspace name (default: the folder name).")] = None,
    ledger_url: Annotated[
        str | None, typer.Option(help="Ledger database URL (default: ledger.sqlite in the workspace).")
    ] = None,
    force: Annotated[bool, typer.Option(help="Use a folder that is not empty.")] = False,
    json_output: JsonOption = False,
) -> None:
    """Create a workspace: a documented hedgerow.toml, a ledger database and an empty snapshot store."""
    if len(base_currency) != 3 or not base_currency.isalpha() or not base_currency.isupper():
        raise ConfigError(f"--base-currency must be a 3-letter ISO 4217 code such as USD, got {base_currency!r}")
    defaults = Settings()
    settings = replace(
        defaults,
        workspace=replace(
            defaults.workspace,
            name=name or directory.resolve().name,
            base_currency=base_currency,
            period=period,
        ),
    )
    with init_workspace(directory, settings=settings, ledger_url=ledger_url, force=force) as ws:
        if json_output:
            print_json({"ok": True, "workspace": str(ws.root), "ledger": ws.ledger_url.split("@")[-1]})
        else:
            console.print(f"[green]Created workspace[/] {ws.root}")
            console.print("Next: edit hedgerow.toml, then `hedgerow import FOLDER` with your tables.")


@handle_errors
def migrate(workspace: WorkspaceOption = None, json_output: JsonOption = False) -> None:
    """Bring the workspace's ledger database to the schema this hedgerow needs."""
    before, after = migrate_workspace(workspace_root(workspace))
    if json_output:
        print_json({"ok": True, "from": before, "to": after})
    elif before == after:
        console.print(f"Ledger already at revision {after}.")
    else:
        console.print(f"[green]Ledger migrated[/] from {before or 'empty'} to {after}.")


@handle_errors
def status(workspace: WorkspaceOption = None, json_output: JsonOption = False) -> None:
    """Summarise the workspace: tables, rows, dates, freshness, trust, and whether it is ready to plan."""
    with opened_workspace(workspace) as ws:
        summary = workspace_status(ws, now_utc())
    if json_output:
        print_json(summary.to_dict())
    else:
        render_status(summary, console)


def register(app: typer.Typer) -> None:
    """Add the workspace commands to ``app``."""
    app.command()(init)
    app.command()(migrate)
    app.command()(status)
