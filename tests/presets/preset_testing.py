"""Helpers for the preset tests: import a preset through the CLI into a fresh workspace, once per session."""

from __future__ import annotations

import fcntl
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from hedgerow.cli import app
from hedgerow.services.workspace import init_workspace


@dataclass(frozen=True)
class CliImport:
    """A workspace after ``hedgerow import-preset ... --json``: its folder, exit code and parsed output."""

    workspace: Path
    exit_code: int
    payload: dict[str, Any]


def run_import_preset(workspace: Path, *args: str) -> tuple[int, dict[str, Any]]:
    """Run ``hedgerow --workspace WS import-preset ARGS --json`` and parse its stdout."""
    result = CliRunner().invoke(app, ["--workspace", str(workspace), "import-preset", *args, "--json"])
    try:
        payload = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"import-preset did not print JSON (exit {result.exit_code}): {result.output[-2000:]}")
    return result.exit_code, payload


def cli_import(tmp: Path, preset: str, data: Path, *, base_currency: str = "USD") -> CliImport:
    """Create a fresh workspace under ``tmp`` and import ``preset`` from ``data`` through the CLI."""
    from dataclasses import replace

    from hedgerow.config import Settings

    defaults = Settings()
    settings = replace(defaults, workspace=replace(defaults.workspace, base_currency=base_currency))
    root = tmp / "ws"
    init_workspace(root, settings=settings).close()
    code, payload = run_import_preset(root, preset, str(data))
    return CliImport(workspace=root, exit_code=code, payload=payload)


def warning_checks(payload: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Warning counts per check, per table, from a --json payload."""
    out: dict[str, dict[str, int]] = {}
    for report in payload["reports"]:
        counts: dict[str, int] = {}
        for group in report["groups"]:
            if group["severity"] == "warning":
                counts[group["check"]] = counts.get(group["check"], 0) + int(group["count"])
        out[report["table"]] = counts
    return out


def shared_cli_import(
    tmp_path_factory: pytest.TempPathFactory, worker_id: str, preset: str, data: Path, *, base_currency: str = "USD"
) -> CliImport:
    """:func:`cli_import` once per test session, even when pytest-xdist runs the module on several workers.

    Under xdist the workers share the parent of their temporary folders: the first worker to get the lock
    imports, the others read its workspace (read-only) and its saved JSON output. Without xdist this is a
    plain :func:`cli_import` in a fresh temporary folder.
    """
    if worker_id == "master":
        return cli_import(tmp_path_factory.mktemp(preset), preset, data, base_currency=base_currency)
    shared = tmp_path_factory.getbasetemp().parent / f"shared-{preset}-{base_currency}"
    shared.mkdir(exist_ok=True)
    with (shared / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        saved = shared / "result.json"
        if not saved.exists():
            done = cli_import(shared, preset, data, base_currency=base_currency)
            saved.write_text(json.dumps({"exit_code": done.exit_code, "payload": done.payload}), encoding="utf-8")
        stored = json.loads(saved.read_text(encoding="utf-8"))
    return CliImport(workspace=shared / "ws", exit_code=stored["exit_code"], payload=stored["payload"])
