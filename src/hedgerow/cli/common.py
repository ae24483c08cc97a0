"""Shared pieces of the command line: options, output, the clock and the error boundary.

Commands are thin: parse input → call a service → render. Every error a user can cause arrives here as a
:class:`~hedgerow.errors.HedgerowError` and leaves as a clear message and a non-zero exit code, never a
traceback.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import IntEnum
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from hedgerow.errors import HedgerowError, ValidationFailed

if TYPE_CHECKING:  # the workspace (SQLAlchemy, pandas) and progress bars load when used, not at start-up
    from rich.table import Table

    from hedgerow.services.workspace import Workspace

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

ENV_NOW = "HEDGEROW_NOW"
ENV_USER = "HEDGEROW_USER"
ENV_DEBUG = "HEDGEROW_DEBUG"


class ExitCode(IntEnum):
    """Process exit codes of the hedgerow command."""

    OK = 0
    ERROR = 1  # configuration, workspace, file or ledger problem
    USAGE = 2  # wrong command-line usage (typer's own code)
    INVALID_DATA = 3  # the data broke the contract; nothing was written
    INTERNAL = 70  # a bug


WorkspaceOption = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace folder (default: $HEDGEROW_WORKSPACE, else the current directory).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")]
UserOption = Annotated[
    str | None,
    typer.Option("--user", help="Who runs the command, for the record (default: $HEDGEROW_USER or the OS user)."),
]


def now_utc() -> datetime:
    """The current time, timezone-aware; ``$HEDGEROW_NOW`` (ISO 8601) pins it for reproducible runs."""
    pinned = os.environ.get(ENV_NOW)
    if pinned:
        try:
            value = datetime.fromisoformat(pinned)
        except ValueError:
            raise HedgerowError(
                f"${ENV_NOW} must be an ISO 8601 time such as 2026-11-23T09:00:00Z, got {pinned!r}"
            ) from None
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.now(UTC)


def current_user(option: str | None) -> str:
    """The user to record: ``--user``, else ``$HEDGEROW_USER``, else the operating-system user."""
    if option:
        return option
    env = os.environ.get(ENV_USER)
    if env:
        return env
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "unknown"


#: ``hedgerow --workspace DIR <command>``: set by the root callback for the command that follows.
_root_workspace: list[Path | None] = [None]


def set_root_workspace(option: Path | None) -> None:
    """Remember the root-level ``--workspace`` for this invocation."""
    _root_workspace[0] = option


def workspace_root(option: Path | None) -> Path:
    """Locate the workspace from the command's ``--workspace``, the root one, ``$HEDGEROW_WORKSPACE`` or the cwd."""
    from hedgerow.services.workspace import find_workspace

    return find_workspace(option or _root_workspace[0])


@contextmanager
def opened_workspace(option: Path | None) -> Iterator[Workspace]:
    """Open the workspace the options point at, and close its ledger connections afterwards."""
    from hedgerow.services.workspace import open_workspace

    ws = open_workspace(workspace_root(option))
    try:
        yield ws
    finally:
        ws.close()


def add_id_column(table: Table, name: str, ids: Iterable[str]) -> None:
    """Add a column of ids that is never cut (at 80 columns or piped): ids are copied into other commands."""
    widest = max((len(i) for i in ids), default=0)
    table.add_column(name, no_wrap=True, min_width=max(widest, len(name)))


def print_json(payload: Any) -> None:
    """Write JSON to stdout (dates as ISO strings), nothing else."""
    sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[Callable[[str, int, int], None]]:
    """Progress on stderr; yields a ``progress(step, done, total)`` callback.

    A rich progress bar when stderr is a terminal; otherwise (a pipe, a log file, `make demo` under CI) one
    line per new step with its elapsed time, so a long run is never silent.
    """
    if not enabled:
        yield lambda _step, _done, _total: None
        return
    if not err_console.is_terminal:
        yield _step_lines()
        return
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task("starting", total=1)

        def update(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=max(total, 1))

        yield update


def _step_lines() -> Callable[[str, int, int], None]:
    """A progress callback that prints ``[  12.3 s] step (done/total)`` once per new step."""
    import time

    began = time.monotonic()
    last: list[str] = []

    def update(step: str, done: int, total: int) -> None:
        if last and last[0] == step:
            return
        last[:] = [step]
        err_console.print(f"[{time.monotonic() - began:7.1f} s] {step} ({done}/{total})", markup=False, highlight=False)

    return update


P = ParamSpec("P")
R = TypeVar("R")


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn hedgerow errors into a message and an exit code; unexpected errors into a short bug notice."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except ValidationFailed as exc:
            from hedgerow.cli.render import render_reports

            if kwargs.get("json_output"):
                print_json({"ok": False, "reports": [r.to_dict() for r in exc.reports]})
            else:
                render_reports(exc.reports, err_console)
            raise typer.Exit(ExitCode.INVALID_DATA) from None
        except HedgerowError as exc:
            if kwargs.get("json_output"):
                print_json({"ok": False, "error": str(exc), "kind": type(exc).__name__})
            else:
                err_console.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
            raise typer.Exit(ExitCode.ERROR) from None
        except KeyboardInterrupt:
            err_console.print("[yellow]interrupted; nothing partial was kept[/]")
            raise typer.Exit(130) from None
        except Exception as exc:
            if os.environ.get(ENV_DEBUG):
                raise
            err_console.print(
                f"[bold red]internal error:[/] {type(exc).__name__}: {escape(str(exc))}\n"
                f"This is a bug in hedgerow, not in your data. Set {ENV_DEBUG}=1 to see the traceback and "
                f"please report it."
            )
            raise typer.Exit(ExitCode.INTERNAL) from None

    return wrapper
