"""Commands answer at once: `hedgerow --help` and `hedgerow status` load no heavy library, and their CPU cost
over a bare interpreter (measured side by side in this test) stays within budget.

The CPU budget is relative: a bare `python -c pass` and the libraries every command needs (SQLAlchemy, to read
the ledger, typer, and pydantic's TypeAdapter, which typer builds to coerce every parameter; a bare
``import pydantic`` loads none of that, pydantic imports it lazily) are measured in the same test on the same
machine, so a busy machine moves all of them together. hedgerow's own share may cost :data:`START_BUDGET_S`, or
as much as those libraries when contention makes everything slower.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
import typer

from hedgerow.cli import COMMANDS, load_module_commands
from hedgerow.services.importing import import_sources, sources_from_folder
from hedgerow.services.workspace import Workspace

#: Libraries no start-up may import: the data stack, the forecasters, the solver, the web framework, migrations.
HEAVY = ("pandas", "numpy", "pyarrow", "scipy", "statsforecast", "lightgbm", "highspy", "fastapi", "alembic")
#: Extra CPU seconds over a bare interpreter that `--help` may cost, and `status` beyond the ledger library.
START_BUDGET_S = 0.3
#: Runs per measurement; the least CPU of them is kept (CPU time only grows under contention).
RUNS = 5

ENTRY = "from hedgerow.cli import main; main()"
#: What every command loads before hedgerow's own code runs: the ledger's library and typer's parameter coercion.
LIBRARIES = "import sqlalchemy.orm, typer; from pydantic import Field, TypeAdapter"


def _imported(args: list[str], env: dict[str, str] | None = None) -> set[str]:
    """Top-level packages imported by ``hedgerow ARGS`` (python -X importtime)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", ENTRY, *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    )
    names = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    return {n.split(".")[0] for n in names}


def _cpu_seconds(code: list[str]) -> float:
    """User + system CPU seconds of one run of ``python ...``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, *code], capture_output=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _least_cpu(commands: dict[str, list[str]]) -> dict[str, float]:
    """The least CPU of :data:`RUNS` runs of each command, run in interleaved rounds so that a change of load
    during the measurement touches every command alike."""
    best = dict.fromkeys(commands, float("inf"))
    for _ in range(RUNS):
        for name, code in commands.items():
            best[name] = min(best[name], _cpu_seconds(code))
    return best


@pytest.fixture
def imported_workspace(workspace: Workspace, network_dir: Path, now: datetime) -> Path:
    sources, _ = sources_from_folder(network_dir)
    import_sources(workspace, sources, user="ana", now=now)
    return workspace.root


def test_help_and_status_load_no_heavy_library(imported_workspace: Path) -> None:
    assert not set(HEAVY) & _imported(["--help"])
    assert "sqlalchemy" not in _imported(["--help"])
    status = _imported(["status", "-w", str(imported_workspace)])
    assert not set(HEAVY) & status
    assert "sqlalchemy" in status  # it does read the ledger


@pytest.mark.slow
def test_help_and_status_cpu_over_a_bare_interpreter(imported_workspace: Path) -> None:
    cpu = _least_cpu(
        {
            "bare": ["-c", "pass"],
            "libraries": ["-c", LIBRARIES],
            "help": ["-c", ENTRY, "--help"],
            "status": ["-c", ENTRY, "status", "-w", str(imported_workspace)],
        }
    )
    bare = cpu["bare"]
    libraries = cpu["libraries"] - bare
    budget = max(START_BUDGET_S, libraries)
    help_extra = cpu["help"] - bare
    status_extra = cpu["status"] - bare
    assert help_extra < budget, f"--help costs {help_extra:.3f} s of CPU over a bare python ({bare:.3f} s)"
    assert status_extra - libraries < budget, (
        f"status costs {status_extra:.3f} s over a bare python ({bare:.3f} s), SQLAlchemy, typer and pydantic {libraries:.3f} s"
    )


def test_lazy_command_list_matches_the_commands() -> None:
    modules = {entry.module for entry in COMMANDS.values()}
    loaded = {}
    for module in modules:
        loaded.update(load_module_commands(module))
    assert set(loaded) == set(COMMANDS)
    for name, command in loaded.items():
        assert COMMANDS[name].help == command.get_short_help_str(limit=1000), name
        assert isinstance(command, typer.core.TyperCommand | typer.core.TyperGroup)
