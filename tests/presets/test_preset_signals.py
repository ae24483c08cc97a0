"""The port-congestion and gscpi presets: external feeds as signals, combined in one workspace with --append."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from hedgerow.domain.enums import TableName
from hedgerow.services.workspace import open_workspace
from tests.presets.preset_testing import CliImport, cli_import, run_import_preset

pytestmark = pytest.mark.realdata

#: The documented series → number of scopes (ports, or the country) each BTS row is written to.
SCOPES_PER_ROW = {"LA-LB": 2, "Savannah": 1, "East": 5, "Gulf": 3, "West": 5, "All U.S. Container Ports": 1}


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> tuple[CliImport, dict[str, Any]]:
    first = cli_import(tmp_path_factory.mktemp("signals"), "port-congestion", shared_data / "port_congestion_bts")
    code, second = run_import_preset(first.workspace, "gscpi", str(shared_data / "gscpi"), "--append")
    assert code == 0, second
    return first, second


@pytest.fixture(scope="module")
def signals(both: tuple[CliImport, dict[str, Any]]) -> pd.DataFrame:
    with open_workspace(both[0].workspace) as ws:
        frame = ws.current_frame(TableName.SIGNALS)
    assert frame is not None
    return frame


@pytest.fixture(scope="module")
def bts(shared_data: Path) -> pd.DataFrame:
    return pd.read_csv(shared_data / "port_congestion_bts" / "us_port_congestion_weekly.csv", parse_dates=["date"])


def test_both_exit_zero_without_errors(both: tuple[CliImport, dict[str, Any]]) -> None:
    first, second = both
    assert first.exit_code == 0, first.payload
    for payload in (first.payload, second):
        for report in payload["reports"]:
            assert report["errors"] == 0
            assert {g["check"] for g in report["groups"]} <= {"stale_feed"}  # 2025 data is old by now


def test_port_signal_counts(both: tuple[CliImport, dict[str, Any]], bts: pd.DataFrame) -> None:
    first, _ = both
    per_series = bts["port_or_region"].value_counts()
    expected = sum(per_series[s] * n for s, n in SCOPES_PER_ROW.items())
    assert first.payload["summary"]["signals"] == expected == 3402
    assert first.payload["summary"]["dropped_series_not_a_place"] == per_series["All Other Ports"]


def test_known_peaks(signals: pd.DataFrame) -> None:
    congestion = signals[signals["kind"] == "port_congestion"].set_index(["scope_id", "observed_at", "bts_series"])
    # README: LA-LB awaiting berth peaked at 106 vessels on 2022-01-14; all US ports 155 on 2022-02-01;
    # West coast anchored 51 on 2021-09-14
    for port in ("USLAX", "USLGB"):
        assert congestion.loc[(port, pd.Timestamp("2022-01-14"), "LA-LB"), "value"] == 106
    us = congestion.loc[("US", pd.Timestamp("2022-02-01"), "All U.S. Container Ports")]
    assert (us["value"], us["scope_type"]) == (155, "country")
    assert congestion.loc[("USOAK", pd.Timestamp("2021-09-14"), "West"), "value"] == 51
    assert set(congestion["scope_type"]) == {"port", "country"}


def test_gscpi_appended_as_global_signals(signals: pd.DataFrame, shared_data: Path) -> None:
    raw = pd.read_csv(shared_data / "gscpi" / "gscpi_monthly.csv", parse_dates=["date"])
    gscpi = signals[signals["indicator"] == "gscpi"].set_index("signal_id")
    assert len(gscpi) == len(raw) == 326
    assert len(signals) == 3402 + 326  # --append kept the port signals
    assert set(gscpi["kind"]) == {"other"}
    assert set(gscpi["scope_type"]) == {"global"}
    assert gscpi["scope_id"].isna().all()
    peak = raw.loc[raw["gscpi"].idxmax()]
    assert peak["date"] == pd.Timestamp("2021-12-31")  # README: max 4.42 in 2021-12
    assert gscpi.loc["gscpi-2021-12", "value"] == pytest.approx(peak["gscpi"])
    assert gscpi.loc["gscpi-2021-12", "observed_at"] == pd.Timestamp("2021-12-31")
