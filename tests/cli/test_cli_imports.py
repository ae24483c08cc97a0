"""`hedgerow import --mode/--force` and `hedgerow imports revert` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import Invoke


def _demand_rows(hedgerow: Invoke, ws: Path) -> int:
    status = json.loads(hedgerow("status", "-w", str(ws), "--json").stdout)
    return int(next(t["rows"] for t in status["tables"] if t["table"] == "demand"))


def test_correction_keeps_history_replace_needs_force_and_revert_restores(
    hedgerow: Invoke, tmp_path: Path, network_dir: Path
) -> None:
    ws = tmp_path / "ws"
    hedgerow("init", str(ws))
    assert hedgerow("import", str(network_dir), "-w", str(ws)).exit_code == 0
    fix = tmp_path / "fix" / "demand.csv"
    fix.parent.mkdir()
    fix.write_text("item_id,location_id,period_start,qty\nCHG-65,LAX,2026-11-16,999\n")

    result = hedgerow("import", str(fix), "-w", str(ws))
    assert result.exit_code == 0, result.stderr
    assert "upsert: 0 added, 1 replaced (20 → 20 rows)" in result.stdout
    assert _demand_rows(hedgerow, ws) == 20

    refused = hedgerow("import", str(fix), "-w", str(ws), "--mode", "replace")
    assert refused.exit_code == 1
    assert "replace of demand removes 19 of 20 rows" in refused.stderr
    assert "pass --force" in refused.stderr
    assert _demand_rows(hedgerow, ws) == 20

    forced = json.loads(hedgerow("import", str(fix), "-w", str(ws), "--mode", "replace", "--force", "--json").stdout)
    table = forced["tables"][0]
    assert (table["mode"], table["rows_before"], table["rows"], table["removed"]) == ("replace", 20, 1, 19)

    reverted = hedgerow("imports", "revert", str(table["import_id"]), "-w", str(ws))
    assert reverted.exit_code == 0, reverted.stderr
    assert f"reverted import {table['import_id']}: demand is the snapshot of import" in reverted.stdout
    assert "1 → 20 rows" in reverted.stdout
    assert _demand_rows(hedgerow, ws) == 20
    history = json.loads(hedgerow("imports", "-w", str(ws), "--table", "demand", "--json").stdout)
    assert [h["mode"] for h in history] == ["revert", "replace", "upsert", "upsert"]
    listing = hedgerow("imports", "-w", str(ws), "--table", "demand").stdout
    assert "revert" in listing


def test_old_append_flag_is_an_upsert(hedgerow: Invoke, tmp_path: Path, network_dir: Path) -> None:
    ws = tmp_path / "ws"
    hedgerow("init", str(ws))
    hedgerow("import", str(network_dir / "items.csv"), "-w", str(ws))
    result = hedgerow("import", str(network_dir / "items.csv"), "-w", str(ws), "--append", "--json")
    assert json.loads(result.stdout)["tables"][0]["mode"] == "upsert"
    clash = hedgerow("import", str(network_dir / "items.csv"), "-w", str(ws), "--append", "--mode", "replace")
    assert clash.exit_code == 1
    assert "--append is --mode upsert" in clash.stderr


def test_progress_is_one_line_per_step_when_stderr_is_not_a_terminal(
    hedgerow: Invoke, tmp_path: Path, network_dir: Path
) -> None:
    ws = tmp_path / "ws"
    hedgerow("init", str(ws))
    result = hedgerow("import", str(network_dir / "items.csv"), "-w", str(ws))
    steps = [line.split("] ", 1)[1] for line in result.stderr.splitlines() if line.startswith("[")]
    assert steps == [
        "reading items.csv (0/1)",
        "checking items.csv (0/1)",
        "combining with the current tables (1/1)",
        "done (1/1)",
    ]
    assert json.loads(hedgerow("import", str(network_dir / "items.csv"), "-w", str(ws), "--json").stdout)["ok"]
