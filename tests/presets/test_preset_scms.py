"""The scms preset: vendors → countries by mode, shipments with PO/assumed ship dates, unmappable rows counted."""

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
    return shared_cli_import(tmp_path_factory, worker_id, "scms", shared_data / "scms_delivery_history")


@pytest.fixture(scope="module")
def raw(shared_data: Path) -> pd.DataFrame:
    path = shared_data / "scms_delivery_history" / "scms_shipments.csv.gz"
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def tables(imported: CliImport) -> dict[TableName, pd.DataFrame]:
    with open_workspace(imported.workspace) as ws:
        return ws.current_frames()


def _kept(raw: pd.DataFrame) -> pd.DataFrame:
    has_mode = raw["shipment mode"] != ""
    direct_without_po = (raw["fulfill via"] == "Direct Drop") & ~raw["po sent to vendor date"].str.match(r"^\d")
    return raw[has_mode & ~direct_without_po]


def test_cli_exits_zero_without_errors_or_unknown_references(imported: CliImport) -> None:
    assert imported.exit_code == 0, imported.payload
    assert all(report["errors"] == 0 for report in imported.payload["reports"])
    for table, counts in warning_checks(imported.payload).items():
        assert "unknown_reference" not in counts, table


def test_dropped_rows_are_counted_per_reason(imported: CliImport, raw: pd.DataFrame) -> None:
    summary = imported.payload["summary"]
    assert summary["lines_read"] == len(raw) == 8260
    assert summary["dropped_missing_or_unknown_mode"] == int((raw["shipment mode"] == "").sum()) == 308
    kept = _kept(raw)
    assert summary["lines_mapped"] == len(kept)
    assert summary["dropped_direct_drop_without_po_date"] == len(raw) - 308 - len(kept)
    dropped = sum(v for k, v in summary.items() if k.startswith("dropped_"))
    assert dropped + summary["lines_mapped"] == len(raw)


def test_row_counts(imported: CliImport, raw: pd.DataFrame) -> None:
    kept = _kept(raw)
    rows = {t["table"]: t["rows"] for t in imported.payload["tables"]}
    assert rows == {
        "items": kept["item description"].nunique(),
        "locations": kept["country"].nunique(),
        "suppliers": kept["vendor"].nunique(),
        "lanes": len(kept[["vendor", "country", "shipment mode"]].drop_duplicates()),
        "shipments": len(kept[["asn/dn #", "item description"]].drop_duplicates()),
    }


def test_modes_and_air_charter_lanes(tables: dict[TableName, pd.DataFrame], raw: pd.DataFrame) -> None:
    lanes = tables[TableName.LANES]
    assert set(lanes["mode"]) == {"air", "truck", "ocean"}
    charter = lanes[lanes["scms_mode"] == "Air Charter"]
    assert len(charter) > 0
    assert (charter["mode"] == "air").all()
    assert (charter["note"] == "air charter").all()
    assert charter["lane_id"].str.endswith("/air-charter").all()
    assert (lanes["transit_days"] >= 1).all()
    assert (lanes["cost_per_unit"] >= 0).all()


def test_direct_drop_shipment_dates(tables: dict[TableName, pd.DataFrame], raw: pd.DataFrame) -> None:
    # single-line Direct Drop ASNs: ship = PO sent, eta = scheduled, delivered = delivered to client
    kept = _kept(raw)
    single = kept[(kept["fulfill via"] == "Direct Drop") & ~kept["asn/dn #"].duplicated(keep=False)].head(50)
    assert len(single) == 50
    shipments = tables[TableName.SHIPMENTS].set_index("shipment_id")
    for line in single.to_dict("records"):
        got = shipments.loc[line["asn/dn #"]]
        assert got["qty"] == float(line["line item quantity"])
        assert got["ship_date"] == pd.to_datetime(line["po sent to vendor date"], format="%m/%d/%Y")
        assert got["eta_date"] == pd.to_datetime(line["scheduled delivery date"], format="%d-%b-%y")
        assert got["delivered_date"] == pd.to_datetime(line["delivered to client date"], format="%d-%b-%y")
        assert got["ship_date_basis"] == "po_sent_to_vendor"


def test_rdc_shipments_use_the_assumed_transit(tables: dict[TableName, pd.DataFrame]) -> None:
    shipments = tables[TableName.SHIPMENTS].merge(tables[TableName.LANES], on="lane_id")
    rdc = shipments[shipments["ship_date_basis"] == "assumed_rdc_transit"]
    assert set(rdc["origin_id"]) == {"V-SCMS-FROM-RDC"}
    anchor = rdc[["eta_date", "delivered_date"]].min(axis=1)
    days = (anchor - rdc["ship_date"]).dt.days
    expected = rdc["scms_mode"].map({"Air": 7, "Air Charter": 4, "Truck": 10, "Ocean": 30})
    assert (days == expected).all()
    assert (rdc["delivered_date"] >= rdc["ship_date"]).all()


def test_known_line(tables: dict[TableName, pd.DataFrame]) -> None:
    # line id 23194: ASN-10007, Haiti, Air, Direct Drop, Bristol-Myers Squibb, Didanosine 25mg chewable x 60,
    # 160 packs, PO sent 2/15/2011, scheduled = delivered = 5-Apr-11
    shipments = tables[TableName.SHIPMENTS].set_index(["shipment_id", "item_id"])
    assert len(shipments.loc["ASN-10007"]) == 2  # with line 69881, Didanosine 50mg x 60, 300 packs
    got = shipments.loc[("ASN-10007", "DIDANOSINE-25MG-VIDEX-CHEWABLE-TABLETS-60-TABS")]
    assert got["lane_id"] == "V-BRISTOL-MYERS-SQUIBB>SCMS-HT/air"
    assert got["qty"] == 160
    assert got["ship_date"] == pd.Timestamp("2011-02-15")
    assert got["delivered_date"] == pd.Timestamp("2011-04-05")
    locations = tables[TableName.LOCATIONS].set_index("location_id")
    assert locations.loc["SCMS-HT", "name"] == "Haiti"
    assert locations.loc["SCMS-NA", "country"] == "NA"  # Namibia's code survives as text
