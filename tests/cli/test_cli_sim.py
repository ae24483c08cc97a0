"""`hedgerow backtest`, `hedgerow stress NAME`, `hedgerow herding` end to end on an imported workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import Invoke
from tests.sim.helpers import write_network_csvs


@pytest.fixture
def ws(hedgerow: Invoke, tmp_path: Path) -> Path:
    folder = write_network_csvs(tmp_path / "csv")
    root = tmp_path / "ws"
    assert hedgerow("init", str(root)).exit_code == 0
    result = hedgerow("import", str(folder), "-w", str(root), "--json")
    assert result.exit_code == 0, result.stdout + result.stderr
    return root


def test_backtest_json_report_and_figures(hedgerow: Invoke, ws: Path, tmp_path: Path) -> None:
    report, figures = tmp_path / "bt.html", tmp_path / "bt.json"
    result = hedgerow(
        "backtest", "-w", str(ws), "--periods", "30", "--json", "--report", str(report), "--figures", str(figures)
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    payload = json.loads(result.stdout)
    assert payload["kind"] == "backtest"
    assert payload["summary"]["periods"] == 30
    assert set(payload["policies"]) == {
        "order_up_to",
        "margin_maximiser",
        "stockpyl_base_stock",
        "hedgerow",
        "best_stationary",
        "clairvoyant",
    }
    assert json.loads(figures.read_text()) == payload
    html = report.read_text()
    assert html.startswith("<!DOCTYPE html>")
    assert "<svg" in html


def test_backtest_text_with_chosen_policies_and_backorders(hedgerow: Invoke, ws: Path) -> None:
    result = hedgerow(
        "backtest", "-w", str(ws), "--periods", "20", "--unmet", "backorder", "-p", "order_up_to", "-p", "hedgerow"
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "order_up_to" in result.stdout
    assert "hedgerow" in result.stdout
    assert "margin_maximiser" not in result.stdout
    assert "not run" not in result.stderr


def test_stress_compares_the_policies_under_the_shock(hedgerow: Invoke, ws: Path) -> None:
    result = hedgerow(
        "stress", "port_closure", "-w", str(ws), "--periods", "30", "--weeks", "6", "-p", "order_up_to", "--json"
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    payload = json.loads(result.stdout)
    assert payload["shock"]["name"] == "port_closure"
    assert payload["shock"]["end"] - payload["shock"]["start"] == 6
    assert set(payload["deltas"]) == {"order_up_to"}


def test_stress_refuses_what_the_network_lacks(hedgerow: Invoke, ws: Path) -> None:
    result = hedgerow("stress", "supplier_failure", "-w", str(ws), "--periods", "30", "--target", "ACME")
    assert result.exit_code == 1
    assert "no lane leaves supplier 'ACME'" in result.stderr
    unknown = hedgerow("stress", "meteor", "-w", str(ws))
    assert unknown.exit_code == 2


def test_backtest_needs_enough_history(hedgerow: Invoke, ws: Path) -> None:
    result = hedgerow("backtest", "-w", str(ws), "--periods", "100", "--json")
    assert result.exit_code == 1
    assert "needs at least 108 periods" in json.loads(result.stdout)["error"]


def test_herding_json_and_text(hedgerow: Invoke, tmp_path: Path) -> None:
    result = hedgerow("herding", "--firms", "6", "--json", "--report", str(tmp_path / "h.html"))
    assert result.exit_code == 0, result.stdout + result.stderr
    payload = json.loads(result.stdout)
    assert set(payload["outcomes"]) == {"same", "smoothed", "diverse"}
    assert (tmp_path / "h.html").read_text().count("<svg") == 3
    text = hedgerow("herding", "--firms", "6")
    assert "order amplification" in text.stdout


def test_herding_with_a_short_run_keeps_its_spike_after_the_warm_up(hedgerow: Invoke) -> None:
    result = hedgerow("herding", "--periods", "30", "--firms", "3", "--json")
    assert result.exit_code == 0, result.stdout + result.stderr
    payload = json.loads(result.stdout)
    assert payload["settings"]["warmup"] == 10
    assert payload["settings"]["shock_start"] == 15
