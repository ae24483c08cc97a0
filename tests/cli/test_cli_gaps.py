"""Missing data is loud on the command line (issue 14): `status` without counts, `plan` and `explain` with gaps."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from hedgerow.domain.enums import TableName
from tests.cli.conftest import Invoke
from tests.services.test_plan_gaps import network_workspace

AS_OF = date(2026, 11, 23)


def test_plan_and_explain_print_the_gaps(hedgerow: Invoke, tmp_path: Path, network_dir: Path) -> None:
    drop = (TableName.SHIPMENTS, TableName.SIGNALS)
    network_workspace(tmp_path, network_dir, drop=drop, no_tokyo_count=True).close()
    root = str(tmp_path / "ws")
    as_json = json.loads(hedgerow("plan", "-w", root, "--as-of", AS_OF.isoformat(), "--json").stdout)
    assert [g["kind"] for g in as_json["gaps"]] == ["no_inventory", "no_shipments", "no_signals"]
    out = hedgerow("plan", "-w", root, "--as-of", AS_OF.isoformat()).stdout
    assert out.strip().splitlines()[0] == "Planned with 3 data gaps: the figures below rest on these assumptions."
    assert "gap Inventory: no count on record — assumed 0 units on hand (1 item-location)" in out
    assert out.index("Planned with 3 data gaps") < out.index(as_json["plan"]["id"])
    tokyo = next(r for r in as_json["plan"]["recommendations"] if r["action"]["location_id"] == "TYO")
    shown = hedgerow("explain", tokyo["id"], "-w", root).stdout
    assert "Inventory: no count on record — assumed 0 units on hand. Fix: hedgerow import inventory.csv" in shown


def test_cli_plan_without_counts_fails_and_names_the_fix(hedgerow: Invoke, tmp_path: Path, network_dir: Path) -> None:
    network_workspace(tmp_path, network_dir, drop=(TableName.INVENTORY,)).close()
    result = hedgerow("plan", "-w", str(tmp_path / "ws"), "--as-of", AS_OF.isoformat())
    assert result.exit_code != 0
    assert "inventory is not imported" in result.stderr
    assert "hedgerow plan --assume-zero-stock" in result.stderr


def test_status_is_not_ready_without_counts(hedgerow: Invoke, tmp_path: Path, network_dir: Path) -> None:
    network_workspace(tmp_path, network_dir, drop=(TableName.INVENTORY, TableName.SHIPMENTS)).close()
    out = hedgerow("status", "-w", str(tmp_path / "ws")).stdout
    assert "Not ready to plan:" in out
    assert "blocking no inventory counts: a plan would assume 0 units on hand at every item-location" in out
    assert "or, to plan on zero stock on purpose: hedgerow plan --assume-zero-stock" in out
    assert "gap no shipments: nothing is counted in transit" in out
    assert "in the plan: no shipments on record — assumed nothing in transit" in out
    status = json.loads(hedgerow("status", "-w", str(tmp_path / "ws"), "--json").stdout)
    assert status["ready_to_plan"] is False
    assert status["missing_for_planning"] == ["inventory"]  # what the overview and Data pages name
    gaps = {g["kind"]: g for g in status["readiness"]["gaps"]}
    assert gaps["no_inventory"]["blocking"] is True
    assert gaps["no_shipments"]["assumed"].startswith("no shipments on record")
