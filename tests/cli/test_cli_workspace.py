"""The CLI end to end on the fixture network: init, import, status, imports, validate — text and JSON."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import Invoke


def test_init_import_status_json(hedgerow: Invoke, tmp_path: Path, network_dir: Path) -> None:
    ws = tmp_path / "ws"
    assert hedgerow("init", str(ws), "--base-currency", "EUR").exit_code == 0
    assert 'base_currency = "EUR"' in (ws / "hedgerow.toml").read_text()
    result = hedgerow("import", str(network_dir), "--workspace", str(ws), "--json")
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["ok"] is True
    assert {t["table"] for t in payload["tables"]} >= {"items", "demand", "signals"}
    status = json.loads(hedgerow("--workspace", str(ws), "status", "--json").stdout)
    # the fixture network prices in USD and quotes JPY and CNY against USD: an EUR workspace cannot convert USD
    assert status["ready_to_plan"] is False
    assert status["readiness"]["verdict"] == "not ready"
    blocking = [g for g in status["readiness"]["gaps"] if g["blocking"]]
    assert [(g["kind"], g["table"]) for g in blocking] == [("missing_fx", "fx_rates")]
    assert "no exchange rate against EUR on or before 2026-11-23 for USD" in blocking[0]["message"]
    assert "hedgerow import-preset ecb" in blocking[0]["fix"]
    demand = next(t for t in status["tables"] if t["table"] == "demand")
    assert (demand["rows"], demand["first"], demand["last"], demand["age_days"]) == (20, "2026-10-26", "2026-11-16", 9)
    assert demand["stale"] is False
    assert demand["trust_score"] == 100.0
    history = json.loads(hedgerow("imports", "-w", str(ws), "--table", "items", "--json").stdout)
    assert [h["imported_by"] for h in history] == ["tester"]


def test_status_text_shows_tables_and_readiness(hedgerow: Invoke, tmp_path: Path, network_dir: Path) -> None:
    ws = tmp_path / "ws"
    hedgerow("init", str(ws))
    hedgerow("import", str(network_dir / "items.csv"), "-w", str(ws))
    out = hedgerow("status", "-w", str(ws)).stdout
    assert "items " in out
    assert "not imported" in out
    assert "Not ready to plan:" in out
    for table in ("locations", "item_locations", "lanes", "demand"):
        assert f"blocking {table} is not imported; every plan needs it" in out
        assert f"fix: hedgerow import {table}.csv" in out


def test_workspace_from_environment(hedgerow: Invoke, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    hedgerow("init", str(ws))
    result = hedgerow("status", "--json", env={"HEDGEROW_WORKSPACE": str(ws)})
    assert result.exit_code == 0
    assert json.loads(result.stdout)["root"] == str(ws.resolve())


def test_validate_without_a_workspace(hedgerow: Invoke, network_dir: Path, tmp_path: Path) -> None:
    assert hedgerow("validate", str(network_dir / "lanes.csv")).exit_code == 0
    bad = tmp_path / "lanes.csv"
    bad.write_text((network_dir / "lanes.csv").read_text().replace(",air,", ",plane,"))
    result = hedgerow("validate", str(bad), "--json")
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    assert report["errors"] == 2
    assert report["groups"][0]["sentence"].startswith("2 rows have a mode that is not one of: ocean, air, rail, truck")


def test_file_name_that_is_no_table_needs_table_option(hedgerow: Invoke, tmp_path: Path, network_dir: Path) -> None:
    ws = tmp_path / "ws"
    hedgerow("init", str(ws))
    export = tmp_path / "erp_export_2026.csv"
    export.write_text((network_dir / "items.csv").read_text())
    result = hedgerow("import", str(export), "-w", str(ws))
    assert result.exit_code == 1
    assert "cannot tell which table it holds; pass --table NAME" in result.stderr
    assert hedgerow("import", str(export), "-w", str(ws), "--table", "items").exit_code == 0


def test_contract_command_json_lists_every_table(hedgerow: Invoke) -> None:
    from hedgerow.domain.enums import TableName

    result = hedgerow("contract", "--json")
    assert result.exit_code == 0
    contract = json.loads(result.stdout)
    assert [t["name"] for t in contract["tables"]] == [t.value for t in TableName]
    demand = next(t for t in contract["tables"] if t["name"] == "demand")
    qty = next(c for c in demand["columns"] if c["name"] == "qty")
    assert (qty["type"], qty["unit"], qty["min_value"]) == ("number", "units", 0.0)
    assert hedgerow("contract").stdout.startswith("# hedgerow data contract")
