"""The ecb preset: ECB rates per 1 EUR become rates per unit of the workspace's base currency."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hedgerow.domain.enums import TableName
from hedgerow.presets import PresetContext, ecb
from hedgerow.services.workspace import open_workspace
from tests.presets.preset_testing import CliImport, cli_import, shared_cli_import

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory, worker_id: str, shared_data: Path) -> CliImport:
    return shared_cli_import(tmp_path_factory, worker_id, "ecb", shared_data / "ecb_fx_rates")


@pytest.fixture(scope="module")
def fx(imported: CliImport) -> pd.DataFrame:
    with open_workspace(imported.workspace) as ws:
        frame = ws.current_frame(TableName.FX_RATES)
    assert frame is not None
    return frame.set_index(["date", "currency"])["units_per_base"]


@pytest.fixture(scope="module")
def raw(shared_data: Path) -> pd.DataFrame:
    frame = pd.read_csv(shared_data / "ecb_fx_rates" / "eurofxref-hist.csv.gz", na_values=["N/A"])
    return frame.drop(columns=[c for c in frame.columns if c.startswith("Unnamed")])


def test_cli_exits_zero_and_only_warns_that_the_feed_is_old(imported: CliImport) -> None:
    assert imported.exit_code == 0, imported.payload
    (report,) = imported.payload["reports"]
    assert report["errors"] == 0
    assert {g["check"] for g in report["groups"]} <= {"stale_feed"}


def test_rates_converted_to_usd_by_hand(fx: pd.Series) -> None:
    # eurofxref-hist.csv, 2026-10-30: USD 1.1172, JPY 175.68, GBP 0.8338, CNY 7.4326
    day = pd.Timestamp("2026-10-30")
    assert fx[(day, "JPY")] == pytest.approx(175.68 / 1.1172)  # 157.250... yen per dollar
    assert fx[(day, "GBP")] == pytest.approx(0.8338 / 1.1172)
    assert fx[(day, "CNY")] == pytest.approx(7.4326 / 1.1172)
    assert fx[(day, "EUR")] == pytest.approx(1 / 1.1172)
    # 1999-01-04: USD 1.1789, GBP 0.7111
    assert fx[(pd.Timestamp("1999-01-04"), "GBP")] == pytest.approx(0.7111 / 1.1789)
    assert (day, "USD") not in fx.index  # the base itself is not written
    assert (day, "CYP") not in fx.index  # N/A: Cyprus joined the euro in 2008


def test_row_count_is_every_quoted_cell(imported: CliImport, raw: pd.DataFrame) -> None:
    others = raw.drop(columns=["Date", "USD"])
    expected = int(others.notna().sum().sum()) + int(raw["USD"].notna().sum())  # + one EUR row per USD date
    assert imported.payload["tables"][0]["rows"] == expected
    assert imported.payload["summary"]["currencies"] == len(raw.columns) - 1  # all but USD, plus EUR


def test_euro_base_keeps_the_file_rates(raw: pd.DataFrame, shared_data: Path) -> None:
    loaded = ecb.DATASET.load(shared_data / "ecb_fx_rates")
    mapped = ecb.map_tables(loaded, PresetContext(base_currency="EUR"))
    fx = mapped.tables[TableName.FX_RATES].set_index(["date", "currency"])["units_per_base"]
    assert fx[(pd.Timestamp("2026-10-30"), "USD")] == 1.1172
    assert len(fx) == int(raw.drop(columns=["Date"]).notna().sum().sum())


def test_dates_without_the_base_rate_are_dropped(shared_data: Path, raw: pd.DataFrame) -> None:
    loaded = ecb.DATASET.load(shared_data / "ecb_fx_rates")
    mapped = ecb.map_tables(loaded, PresetContext(base_currency="ISK"))  # no ISK quote 2008-12 … 2018
    assert mapped.summary["dates_without_base_rate_dropped"] == int(raw["ISK"].isna().sum()) > 2000


def test_a_base_the_ecb_does_not_quote_is_a_clear_error(tmp_path: Path, shared_data: Path) -> None:
    done = cli_import(tmp_path, "ecb", shared_data / "ecb_fx_rates", base_currency="XOF")
    assert done.exit_code == 1
    assert "base currency XOF is not quoted by the ECB" in done.payload["error"]
    with open_workspace(done.workspace) as ws:
        assert ws.current_imports() == {}
