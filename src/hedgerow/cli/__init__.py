"""The `hedgerow` command line (typer + rich). Thin: parse input → call a service → render."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hedgerow.cli import (
    audit_cmds,
    contract_cmds,
    decide_cmds,
    demo_cmds,
    export_cmds,
    forecast_cmds,
    holds_cmds,
    import_cmds,
    plan_cmds,
    preset_cmds,
    reconcile_cmds,
    scoreboard_cmds,
    serve_cmds,
    sim_cmds,
    supply_cmds,
    users_cmds,
    workspace_cmds,
)
from hedgerow.cli.common import set_root_workspace

app = typer.Typer(
    name="hedgerow",
    help="hedgerow — an open, self-hosted inventory hedging advisor: the cheapest way to be wrong.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root(
    workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace", "-w", help="Workspace folder for every command (default: $HEDGEROW_WORKSPACE, else .)."
        ),
    ] = None,
) -> None:
    set_root_workspace(workspace)


workspace_cmds.register(app)
import_cmds.register(app)
contract_cmds.register(app)
demo_cmds.register(app)
preset_cmds.register(app)
supply_cmds.register(app)
decide_cmds.register(app)
holds_cmds.register(app)
audit_cmds.register(app)
users_cmds.register(app)
export_cmds.register(app)
reconcile_cmds.register(app)
scoreboard_cmds.register(app)
sim_cmds.register(app)
serve_cmds.register(app)
forecast_cmds.register(app)
plan_cmds.register(app)


def main() -> None:
    """Console entry point."""
    app()
