"""The `hedgerow` command line (typer + rich). Thin: parse input → call a service → render.

Commands load lazily: `hedgerow --help` lists them from :data:`COMMANDS` without importing them, and a command's
module (with pandas, the demand engine, the solver or the web framework behind it) is imported only when that
command runs, so every command starts at once (tests/cli/test_cli_start.py pins it).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from hedgerow.cli.common import set_root_workspace

if TYPE_CHECKING:  # typer vendors click; its classes are only needed for the annotations
    from typer._click import Command, Context


@dataclass(frozen=True)
class LazyCommand:
    """Where a command lives and its one-line help (a test keeps it equal to the command's own)."""

    module: str
    help: str


#: Every command, in the order `hedgerow --help` lists them: module under hedgerow.cli and one-line help.
COMMANDS: dict[str, LazyCommand] = {
    name: LazyCommand(f"hedgerow.cli.{module}", text)
    for name, (module, text) in {
        "init": ("workspace_cmds", "Create a workspace: a documented hedgerow.toml, a ledger database and an empty snapshot store."),
        "migrate": ("workspace_cmds", "Bring the workspace's ledger database to the schema this hedgerow needs."),
        "status": ("workspace_cmds", "Summarise the workspace: tables, rows, dates, freshness, trust, and whether it is ready to plan."),
        "import": ("import_cmds", "Validate and import tables."),
        "validate": ("import_cmds", "Check a file against the data contract without importing it (no workspace needed)."),
        "imports": ("import_cmds", "List accepted imports with their lineage, newest first; `imports revert ID` undoes one."),
        "contract": ("contract_cmds", "Print the data contract: every table and column with its type, unit, checks and meaning."),
        "demo": ("demo_cmds", "Build a realistic multi-continent distributor (suppliers in CN/VN/MX, five warehouses, three years of history) as a workspace, import it like real data, summarise it, and plan on it."),
        "import-preset": ("preset_cmds", "Import a public data set through the normal import (validation, all-or-nothing, lineage)."),
        "lead-times": ("supply_cmds", "Fitted lead times per lane and per mode: median, 90th percentile, late share, shipments behind them."),
        "exposure": ("supply_cmds", "Where each location and item group depends on a lane, port, supplier or currency, and the margin at risk if that element fails for --weeks (expected and 95 % tail); single sources flagged."),
        "queue": ("queue_cmds", "The decision queue by consignment: one row per lane, shipment or buffer location of the newest plan, largest value first, with its lines, open lines and who must decide (`hedgerow decide CON_ID --approve` decides one)."),
        "capital": ("capital_cmds", "Capital a plan commits by region, currency and item class; return, GMROI, budgets and the capital ladder."),
        "recommendations": ("decide_cmds", "The decision queue: recommendations with their money and risk figures (default: the proposed ones)."),
        "decide": (
            "decide_cmds",
            "Record a decision about one recommendation (or every open line of a consignment), as a ledger user "
            "with a role allowed to make it.",
        ),
        "fx-cover": ("fx_cover_cmds", "Forward cover per currency and horizon for the newest plan's orders and the goods in transit: CVaR of landed cost with no, full and the recommended cover (hedgerow recommends; it never trades)."),
        "holds": ("holds_cmds", "Buffers kept on purpose: counted in the position, never moved."),
        "audit": ("audit_cmds", "The append-only, hash-chained audit log."),
        "users": ("users_cmds", "Ledger users, roles and API keys."),
        "export": ("export_cmds", "Write approved and modified actions to an ERP import file; the same set gives the same file, recorded once."),
        "exports": ("export_cmds", "List past exports, newest first."),
        "reconcile": ("reconcile_cmds", "Expected (previous count + receipts − sales ± transfers) vs counted; differences, value, trust per location."),
        "scoreboard": ("scoreboard_cmds", "Score decisions against what actually happened: recommended vs decided cost, per planner and reason."),
        "backtest": ("sim_cmds", "Replay the demand history period by period under each policy and compare cost, service and bullwhip."),
        "stress": ("sim_cmds", "Compare the policies with and without a named shock (port closure, strike, supplier failure, ...)."),
        "herding": ("sim_cmds", "N firms, one supplier with finite capacity and a price that rises with load: how alike reactions amplify."),
        "serve": ("serve_cmds", "Serve the REST API (/api, OpenAPI at /openapi.json) and the web dashboard (/) for a workspace, with job workers for the heavy work."),
        "worker": ("serve_cmds", "Run one job worker on the workspace's queue until stopped (SIGTERM or Ctrl-C marks its job interrupted)."),
        "forecast-eval": ("forecast_cmds", "Backtest the demand engine on rolling origins next to SeasonalNaive, AutoETS and CrostonSBA."),
        "plan": ("plan_cmds", "Forecast demand, model supply, draw the joint scenarios, plan, and record the plan in the ledger; print the ranked recommendations (`hedgerow explain REC_ID` tells why)."),
        "explain": ("plan_cmds", "Print why a recommendation: alternatives incl."),
    }.items()
}  # fmt: skip


def _literal_brackets(command: Command) -> None:
    """Escape ``[`` in a command's help texts: `[risk] seed` is a setting, not Rich markup to swallow."""
    from rich.markup import escape

    if command.help:
        command.help = escape(command.help)
    if command.short_help:
        command.short_help = escape(command.short_help)
    for param in command.params:
        text = getattr(param, "help", None)
        if text:
            param.help = escape(text)  # type: ignore[attr-defined]  # options and arguments carry help in typer
    for sub in getattr(command, "commands", {}).values():
        _literal_brackets(sub)


def load_module_commands(module: str) -> dict[str, Command]:
    """The click commands a ``*_cmds`` module registers (imports the module); help texts are taken literally."""
    sub = typer.Typer()
    importlib.import_module(module).register(sub)
    commands = dict(typer.main.get_group(sub).commands)
    for command in commands.values():
        _literal_brackets(command)
    return commands


class LazyGroup(TyperGroup):
    """The root group: lists :data:`COMMANDS` by name and help, imports a command's module when it runs."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, entry in COMMANDS.items():
            self.commands.setdefault(name, TyperCommand(name, help=entry.help, short_help=entry.help))
        self._loaded: set[str] = set()

    def list_commands(self, ctx: Context) -> list[str]:
        """Command names in :data:`COMMANDS` order."""
        return list(COMMANDS)

    def load(self, name: str) -> Command | None:
        """The real command ``name`` (its module imported on first use)."""
        entry = COMMANDS.get(name)
        if entry is not None and entry.module not in self._loaded:
            self.commands.update(load_module_commands(entry.module))
            self._loaded.add(entry.module)
        return self.commands.get(name)

    def resolve_command(self, ctx: Context, args: list[str]) -> tuple[str | None, Command | None, list[str]]:
        """Load the command about to run, then resolve it as usual."""
        if args:
            self.load(args[0])
        return super().resolve_command(ctx, args)


app = typer.Typer(
    name="hedgerow",
    help="hedgerow — an open, self-hosted inventory hedging advisor: the cheapest way to be wrong.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=LazyGroup,
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"hedgerow {version('hedgerow')}")
        raise typer.Exit()


@app.callback()
def _root(
    workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace", "-w", help="Workspace folder for every command (default: $HEDGEROW_WORKSPACE, else .)."
        ),
    ] = None,
    _show_version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print hedgerow's version and exit."),
    ] = False,
) -> None:
    set_root_workspace(workspace)


def main(args: Sequence[str] | None = None) -> None:
    """Console entry point."""
    app(args=args)
