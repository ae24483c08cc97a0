"""The breakfast-network preset: stores behind one DC per state, suppliers, and a lane for every hop."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hedgerow.domain.enums import TableName
from hedgerow.services.workspace import open_workspace
from tests.presets.preset_testing import CliImport, shared_cli_import, warning_checks

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory, worker_id: str, shared_data: Path) -> CliImport:
    return shared_cli_import(tmp_path_factory, worker_id, "breakfast-network", shared_data / "breakfast_at_the_frat")


@pytest.fixture(scope="module")
def tables(imported: CliImport) -> dict[TableName, pd.DataFrame]:
    with open_workspace(imported.workspace) as ws:
        return ws.current_frames()


@pytest.fixture(scope="module")
def sold_manufacturers(shared_data: Path) -> set[str]:
    folder = shared_data / "breakfast_at_the_frat"
    sold = pd.read_csv(folder / "transactions.csv.gz", usecols=["upc_id"])["upc_id"].unique()
    products = pd.read_csv(folder / "products.csv")
    return set(products.loc[products["upc_id"].isin(sold), "manufacturer"])


def test_cli_exits_zero_without_errors_or_unknown_references(imported: CliImport) -> None:
    assert imported.exit_code == 0, imported.payload
    assert all(report["errors"] == 0 for report in imported.payload["reports"])
    for table, counts in warning_checks(imported.payload).items():
        assert "unknown_reference" not in counts, table
    tables = {t["table"] for t in imported.payload["tables"]}
    assert tables == {"items", "locations", "item_locations", "suppliers", "lanes", "demand"}


def test_suppliers_are_the_manufacturers(tables: dict[TableName, pd.DataFrame], sold_manufacturers: set[str]) -> None:
    suppliers = tables[TableName.SUPPLIERS]
    assert set(suppliers["name"]) == sold_manufacturers
    items = tables[TableName.ITEMS].merge(suppliers, on="supplier_id", suffixes=("", "_supplier"))
    assert len(items) == len(tables[TableName.ITEMS])
    assert (items["manufacturer"] == items["name_supplier"]).all()


def test_one_dc_per_state_and_the_lanes(tables: dict[TableName, pd.DataFrame], sold_manufacturers: set[str]) -> None:
    locations = tables[TableName.LOCATIONS].set_index("location_id")
    dcs = locations[locations["location_type"] == "dc"]
    stores = locations[locations["location_type"] == "store"]
    assert sorted(dcs.index) == ["DC-IN", "DC-KY", "DC-OH", "DC-TX"]
    assert len(stores) == 77
    lanes = tables[TableName.LANES]
    assert set(lanes["mode"]) == {"truck"}
    n_suppliers = len(sold_manufacturers)
    assert lanes["lane_type"].value_counts().to_dict() == {
        "replenishment": 77,
        "inbound": 4 * n_suppliers,
        "transfer": 12,
    }
    # every store is served by exactly one lane, from the DC of its own state
    replenishment = lanes[lanes["lane_type"] == "replenishment"].set_index("destination_id")
    assert replenishment.index.is_unique
    assert (replenishment["origin_id"] == "DC-" + stores.loc[replenishment.index, "region"]).all()
    transfers = lanes[lanes["lane_type"] == "transfer"].set_index(["origin_id", "destination_id"])
    assert transfers.loc[("DC-OH", "DC-KY"), "transit_days"] == 1.0
    assert transfers.loc[("DC-TX", "DC-OH"), "transit_days"] == 3.0


def test_demand_and_prices_are_those_of_breakfast(imported: CliImport, tables: dict[TableName, pd.DataFrame]) -> None:
    summary = imported.payload["summary"]
    assert len(tables[TableName.DEMAND]) == summary["demand_rows"] == 575_173
    assert len(tables[TableName.ITEM_LOCATIONS]) == summary["series"] == 3_909
    assert set(tables[TableName.ITEM_LOCATIONS]["location_id"]) <= set(
        tables[TableName.LOCATIONS].query("location_type == 'store'")["location_id"]
    )
