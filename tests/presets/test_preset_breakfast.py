"""The breakfast preset imports the real Breakfast at the Frat files cleanly and faithfully."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hedgerow.domain.enums import TableName
from hedgerow.services.workspace import open_workspace
from tests.presets.preset_testing import CliImport, shared_cli_import, warning_checks

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory, worker_id: str, shared_data: Path) -> CliImport:
    return shared_cli_import(tmp_path_factory, worker_id, "breakfast", shared_data / "breakfast_at_the_frat")


@pytest.fixture(scope="module")
def raw(shared_data: Path) -> pd.DataFrame:
    frame = pd.read_csv(shared_data / "breakfast_at_the_frat" / "transactions.csv.gz")
    frame["week_end_date"] = pd.to_datetime(frame["week_end_date"])
    return frame


@pytest.fixture(scope="module")
def tables(imported: CliImport) -> dict[TableName, pd.DataFrame]:
    with open_workspace(imported.workspace) as ws:
        return ws.current_frames()


def test_cli_exits_zero_with_json(imported: CliImport) -> None:
    assert imported.exit_code == 0, imported.payload
    assert imported.payload["ok"] is True
    assert imported.payload["preset"] == "breakfast"
    assert all(report["errors"] == 0 for report in imported.payload["reports"])


def test_row_counts_match_the_raw_files(imported: CliImport, raw: pd.DataFrame) -> None:
    weeks = (raw["week_end_date"] - raw["week_end_date"].min()).dt.days // 7
    span = weeks.groupby([raw["store_id"], raw["upc_id"]]).agg(["min", "max"])
    expected_demand = int((span["max"] - span["min"] + 1).sum())
    rows = {t["table"]: t["rows"] for t in imported.payload["tables"]}
    assert rows == {
        "items": raw["upc_id"].nunique(),
        "locations": 77,
        "item_locations": len(span),
        "demand": expected_demand,
    }
    summary = imported.payload["summary"]
    assert summary["transactions_rows"] == len(raw) == 524_950
    assert summary["zero_filled_weeks"] == expected_demand - len(raw)
    assert summary["catalogue_upcs_without_sales_left_out"] == 3


def test_no_unknown_references(imported: CliImport) -> None:
    for table, counts in warning_checks(imported.payload).items():
        assert "unknown_reference" not in counts, table


def test_observed_weeks_are_copied_exactly(tables: dict[TableName, pd.DataFrame], raw: pd.DataFrame) -> None:
    demand = tables[TableName.DEMAND].set_index(["item_id", "location_id", "period_start"])
    sample = raw.sample(200, random_state=np.random.default_rng(7))
    for row in sample.itertuples(index=False):
        key = (str(row.upc_id), str(row.store_id), row.week_end_date - pd.Timedelta(days=6))
        got = demand.loc[key]
        assert got["qty"] == row.units
        for col in ("feature", "display", "tpr_only"):
            assert got[col] == getattr(row, col)
        for col in ("price", "base_price"):
            expected = getattr(row, col)
            assert (np.isnan(got[col]) and np.isnan(expected)) or got[col] == pytest.approx(expected)


def test_first_row_of_the_file(tables: dict[TableName, pd.DataFrame]) -> None:
    # transactions.csv.gz line 2: 2009-01-14,10019,1111009477,14,13,13,16.38,1.17,1.18,0,1,0
    demand = tables[TableName.DEMAND]
    row = demand[
        (demand["item_id"] == "1111009477")
        & (demand["location_id"] == "10019")
        & (demand["period_start"] == pd.Timestamp("2009-01-08"))
    ]
    assert len(row) == 1
    assert row.iloc[0][["qty", "price", "base_price", "feature", "display", "tpr_only"]].tolist() == [
        14,
        1.17,
        1.18,
        0,
        1,
        0,
    ]


def test_absent_weeks_inside_the_span_are_zero_with_carried_prices(
    tables: dict[TableName, pd.DataFrame], raw: pd.DataFrame
) -> None:
    demand = tables[TableName.DEMAND]
    keys = raw.assign(
        item_id=raw["upc_id"].astype(str),
        location_id=raw["store_id"].astype(str),
        period_start=raw["week_end_date"] - pd.Timedelta(days=6),
        observed=True,
    )[["item_id", "location_id", "period_start", "observed"]]
    merged = demand.merge(keys, on=["item_id", "location_id", "period_start"], how="left", validate="1:1")
    is_filled = merged["observed"].isna().to_numpy()
    filled = demand[is_filled]
    assert len(filled) == len(demand) - len(raw)
    assert (filled["qty"] == 0).all()
    assert (filled[["feature", "display", "tpr_only"]] == 0).all().all()
    assert (filled["price"] == filled["base_price"]).all()
    # carried forward: the base price of a filled week equals that of the last observed week before it
    one = filled.iloc[len(filled) // 2]
    series = raw[(raw["upc_id"].astype(str) == one["item_id"]) & (raw["store_id"].astype(str) == one["location_id"])]
    before = series[series["week_end_date"] < one["period_start"]].sort_values("week_end_date")
    last_base = before["base_price"].dropna().iloc[-1]
    assert one["base_price"] == pytest.approx(last_base)


def test_periods_start_on_the_weekday_after_the_week_end(tables: dict[TableName, pd.DataFrame]) -> None:
    demand = tables[TableName.DEMAND]
    assert set(demand["period_start"].dt.day_name()) == {"Thursday"}  # weeks end on Wednesdays


def test_items_cost_and_abc_class(tables: dict[TableName, pd.DataFrame], raw: pd.DataFrame) -> None:
    items = tables[TableName.ITEMS].set_index("item_id")
    median_base = raw.groupby(raw["upc_id"].astype(str))["base_price"].median()
    assert items["unit_cost"].to_numpy() == pytest.approx(0.70 * median_base.loc[items.index].to_numpy(), abs=1e-4)
    revenue = raw.groupby(raw["upc_id"].astype(str))["spend"].sum().loc[items.index]
    share = revenue / revenue.sum()
    by_class = share.groupby(items["item_class"])
    assert set(items["item_class"]) == {"A", "B", "C"}
    # every A item earns more than every B item, every B more than every C
    assert by_class.min()["A"] >= by_class.max()["B"]
    assert by_class.min()["B"] >= by_class.max()["C"]
    a_share = by_class.sum()["A"]
    assert 0.80 <= a_share < 0.80 + by_class.max()["A"]


def test_locations_and_prices(tables: dict[TableName, pd.DataFrame], raw: pd.DataFrame) -> None:
    locations = tables[TableName.LOCATIONS].set_index("location_id")
    assert locations.loc["389", "region"] == "KY"  # stores.csv: 389,SILVERLAKE,ERLANGER,KY
    assert locations["region"].value_counts().to_dict() == {"TX": 41, "OH": 31, "KY": 4, "IN": 1}
    assert set(locations["country"]) == {"US"}
    assert set(locations["currency"]) == {"USD"}
    prices = tables[TableName.ITEM_LOCATIONS].set_index(["item_id", "location_id"])["unit_price"]
    expected = raw[(raw["upc_id"] == 1111009477) & (raw["store_id"] == 10019)]["base_price"].median()
    assert prices.loc[("1111009477", "10019")] == pytest.approx(expected)


def test_one_batch_with_lineage(imported: CliImport) -> None:
    with open_workspace(imported.workspace) as ws:
        records = ws.current_imports()
    assert {r.batch_id for r in records.values()} == {imported.payload["batch_id"]}
    assert records[TableName.DEMAND].source_name == "demand.breakfast.parquet"
    assert records[TableName.DEMAND].rows == imported.payload["summary"]["demand_rows"]
