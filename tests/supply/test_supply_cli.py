"""`hedgerow lead-times` and `hedgerow exposure` end to end on an imported hand-made workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from hedgerow.cli import app
from hedgerow.domain.enums import TableName
from tests.supply.supply_fixtures import frame
from tests.supply.supply_network import workspace_frames

NOW = "2025-06-02T12:00:00Z"


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HEDGEROW_NOW", NOW)
    monkeypatch.setenv("HEDGEROW_USER", "tester")
    monkeypatch.delenv("HEDGEROW_LEDGER_URL", raising=False)
    ws = tmp_path / "ws"
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(ws)]).exit_code == 0
    data = tmp_path / "data"
    data.mkdir()
    frames = workspace_frames()
    weeks = pd.date_range(end="2025-05-26", periods=30, freq="7D")
    frames[TableName.DEMAND] = frame(
        [{"item_id": i, "location_id": loc, "period_start": w, "qty": 10.0}
         for i, loc in (("A", "LA"), ("A", "TYO"), ("B", "TYO")) for w in weeks],
        dates=("period_start",),
    )  # fmt: skip
    frames[TableName.INVENTORY] = frame(
        [{"item_id": "A", "location_id": "LA", "on_hand": 15.0, "counted_at": "2025-06-01T00:00:00"}],
        dates=("counted_at",),
    )
    for table, df in frames.items():
        df.to_csv(data / f"{table.value}.csv", index=False, date_format="%Y-%m-%dT%H:%M:%S")
    result = runner.invoke(app, ["--workspace", str(ws), "import", str(data)])
    assert result.exit_code == 0, result.output
    return ws


def test_lead_times_json(workspace: Path) -> None:
    result = CliRunner().invoke(app, ["lead-times", "--workspace", str(workspace), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    lanes = {r["lane_id"]: r for r in payload["lanes"]}
    assert lanes["CN-LA-OC"]["n_shipments"] == 20
    assert lanes["CN-LA-OC"]["median_days"] == 30.0
    assert lanes["CN-LA-AIR"]["source"] == "lane_history"
    assert lanes["DE-TYO-OC"]["source"] == "transit_days"
    modes = {m["mode"]: m for m in payload["modes"]}
    assert modes["ocean"]["late_share"] == pytest.approx(4 / 20)
    assert payload["open_shipments"] == 1


def test_lead_times_table(workspace: Path) -> None:
    result = CliRunner().invoke(app, ["lead-times", "--workspace", str(workspace)])
    assert result.exit_code == 0, result.output
    assert "CN-LA-OC" in result.output
    assert "late share" in result.output


def test_exposure_json_flags_single_sources(workspace: Path) -> None:
    result = CliRunner().invoke(app, ["exposure", "--workspace", str(workspace), "--weeks", "6", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    rows = {(r["location_id"], r["item_group"], r["element_type"], r["element_id"]): r for r in payload["rows"]}
    # B reaches Tokyo only from S-DE on one ocean lane: single-sourced on the lane, its ports and its supplier
    for key in (("TYO", "B", "lane", "DE-TYO-OC"), ("TYO", "B", "port", "DEHAM"), ("TYO", "B", "supplier", "S-DE")):
        assert rows[key]["single_source"], key
        assert rows[key]["dependence_share"] == pytest.approx(1.0)
        # no stock in Tokyo: 6 weeks × 10 units a week are lost on average; the buffer covers the forecast's
        # spread on top (the demand engine's predictive distribution, not a replay of the flat history)
        assert 60.0 <= rows[key]["buffer_units"] <= 90.0
    assert ("TYO", "B", "currency", "JPY") in rows
    assert payload["base_currency"] == "USD"
    landed = {(r["item_id"], r["location_id"], r["lane_id"]): r for r in payload["landed_costs"]}
    # A at LA via ocean: 10 CNY at the last CNY rate + 1 USD freight; price 5 USD
    ocean = landed[("A", "LA", "CN-LA-OC")]
    assert ocean["price_base"] == 5.0
    assert ocean["margin_base"] == pytest.approx(5.0 - ocean["landed_cost_base"])
    assert ocean["margin_p05_base"] <= ocean["margin_p50_base"] <= ocean["margin_p95_base"]
    assert set(landed) == {
        ("A", "LA", "CN-LA-OC"), ("A", "LA", "CN-LA-AIR"), ("A", "TYO", "LA-TYO-AIR"), ("B", "TYO", "DE-TYO-OC"),
    }  # fmt: skip
    table = CliRunner().invoke(app, ["exposure", "--workspace", str(workspace)])
    assert table.exit_code == 0, table.output
    assert "Exposure to a 4-week outage" in table.output
    assert "TYO" in table.output
    assert "single-source part" in table.output


def test_exposure_without_items_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEDGEROW_NOW", NOW)
    ws = tmp_path / "empty"
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(ws)]).exit_code == 0
    result = runner.invoke(app, ["exposure", "--workspace", str(ws)])
    assert result.exit_code == 1
    assert "lanes" in result.output
