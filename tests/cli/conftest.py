"""Run the real typer app in-process, with a wide terminal so messages are not wrapped."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from typer.testing import CliRunner, Result

from hedgerow.cli import app
from hedgerow.cli.common import console, err_console
from tests.conftest import NOW

Invoke = Callable[..., Result]


@pytest.fixture
def hedgerow() -> Invoke:
    """``hedgerow(*args)`` runs the CLI with the fixture network's clock and returns the result."""
    runner = CliRunner()
    # rich reads the terminal width when its consoles are created (at import): pin it for stable assertions
    console.width = err_console.width = 220

    def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
        full_env = {"COLUMNS": "220", "HEDGEROW_NOW": NOW.isoformat(), "HEDGEROW_USER": "tester"}
        full_env.update(env or {})
        return runner.invoke(app, list(args), env=full_env)

    return invoke
