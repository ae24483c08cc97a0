"""Pure mapping functions on small hand-made inputs (no shared data needed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hedgerow.domain.enums import TableName
from hedgerow.errors import InputFileError
from hedgerow.presets import PresetContext, carparts, ecb, port_congestion, scms

CTX = PresetContext()


def test_carparts_na_cells_are_not_written_and_zeros_are() -> None:
    raw = pd.DataFrame(
        {
            "Part": ["p1", "p2", "p3"],
            "Jan-98": [0.0, 3.0, 0.0],
            "Feb-98": [2.0, np.nan, np.nan],
            "Mar-98": [np.nan, 1.0, np.nan],
        }
    )
    mapped = carparts.map_tables({carparts.CARPARTS: raw}, CTX)
    demand = mapped.tables[TableName.DEMAND]
    got = {(r.item_id, r.period_start.strftime("%Y-%m-%d")): r.qty for r in demand.itertuples()}
    assert got == {
        ("p1", "1998-01-01"): 0.0,
        ("p1", "1998-02-01"): 2.0,
        ("p2", "1998-01-01"): 3.0,
        ("p2", "1998-03-01"): 1.0,
        ("p3", "1998-01-01"): 0.0,
    }
    assert mapped.summary["na_cells_not_written"] == 4
    items = mapped.tables[TableName.ITEMS].set_index("item_id")
    assert items["item_class"].to_dict() == {"p1": "A", "p2": "A", "p3": "C"}  # 2, 4 and 0 units
    assert set(mapped.tables[TableName.ITEM_LOCATIONS]["unit_price"]) == {15.0}


def test_carparts_rejects_a_column_that_is_not_a_month() -> None:
    raw = pd.DataFrame({"Part": ["p1"], "Jan-98": [1.0], "Total": [1.0]})
    with pytest.raises(InputFileError, match=r"named like Jan-98 .* not months: Total"):
        carparts.map_tables({carparts.CARPARTS: raw}, CTX)


def test_carparts_rejects_text_in_a_month_cell() -> None:
    raw = pd.DataFrame({"Part": ["p1", "p2"], "Jan-98": ["1", "x"]})
    with pytest.raises(InputFileError, match=r"part p2 has 'x' in Jan-98"):
        carparts.map_tables({carparts.CARPARTS: raw}, CTX)


def test_ecb_units_per_base_by_hand() -> None:
    per_eur = pd.DataFrame(
        {"USD": [1.25, np.nan], "JPY": [150.0, 160.0], "GBP": [np.nan, 0.8]},
        index=pd.to_datetime(["2020-01-02", "2020-01-03"]),
    )
    usd = ecb.units_per_base(per_eur, "USD")
    assert usd.loc["2020-01-02", "JPY"] == pytest.approx(120.0)
    assert usd.loc["2020-01-02", "EUR"] == pytest.approx(0.8)
    assert np.isnan(usd.loc["2020-01-02", "GBP"])
    assert usd.loc["2020-01-03"].isna().all()  # no USD quote that day
    assert "USD" not in usd.columns
    with pytest.raises(InputFileError, match=r"base currency CHF is not quoted"):
        ecb.units_per_base(per_eur, "CHF")


def _scms_line(**overrides: str) -> dict[str, str]:
    line = {c: "" for c in scms.COLUMNS}
    line.update(
        {
            "id": "1",
            "asn/dn #": "ASN-1",
            "country": "Kenya",
            "fulfill via": "Direct Drop",
            "shipment mode": "Air",
            "po sent to vendor date": "1/10/2010",
            "scheduled delivery date": "20-Feb-10",
            "delivered to client date": "25-Feb-10",
            "product group": "ARV",
            "sub classification": "Adult",
            "vendor": "Vendor A",
            "item description": "Drug X 10mg, 60 Tabs",
            "molecule/test type": "Drug X",
            "line item quantity": "100",
            "pack price": "2.5",
            "freight cost (usd)": "50",
        }
    )
    line.update(overrides)
    return line


def test_scms_drop_reasons_ship_dates_and_freight() -> None:
    lines = [
        _scms_line(),
        _scms_line(id="2", **{"item description": "Drug Y, 30 Tabs", "freight cost (usd)": "See ASN-1 (ID#:1)"}),
        _scms_line(id="3", **{"asn/dn #": "ASN-2", "shipment mode": ""}),
        _scms_line(id="4", **{"asn/dn #": "ASN-3", "po sent to vendor date": "Date Not Captured"}),
        _scms_line(id="5", **{"asn/dn #": "ASN-4", "delivered to client date": "soon"}),
        _scms_line(
            id="6",
            **{
                "asn/dn #": "DN-5",
                "fulfill via": "From RDC",
                "vendor": "SCMS from RDC",
                "shipment mode": "Air Charter",
                "po sent to vendor date": "N/A - From RDC",
                "scheduled delivery date": "10-Mar-10",
                "delivered to client date": "1-Mar-10",
            },
        ),
        _scms_line(id="7", **{"asn/dn #": "ASN-6", "line item quantity": "0"}),
    ]
    mapped = scms.map_tables({scms.SHIPMENTS: pd.DataFrame(lines)}, CTX)
    s = mapped.summary
    assert s["dropped_missing_or_unknown_mode"] == 1
    assert s["dropped_direct_drop_without_po_date"] == 1
    assert s["dropped_unparseable_scheduled_or_delivered_date"] == 1
    assert s["dropped_quantity_not_positive_whole"] == 1
    assert s["lines_mapped"] == 3
    shipments = mapped.tables[TableName.SHIPMENTS].set_index(["shipment_id", "item_id"])
    direct = shipments.loc[("ASN-1", "DRUG-X-10MG-60-TABS")]
    assert direct["ship_date"] == pd.Timestamp("2010-01-10")  # the PO date
    assert direct["eta_date"] == pd.Timestamp("2010-02-20")
    rdc = shipments.loc[("DN-5", "DRUG-X-10MG-60-TABS")]
    # delivered 1 Mar, before the 10 Mar schedule: ship = 1 Mar - 4 days (assumed air-charter transit)
    assert rdc["ship_date"] == pd.Timestamp("2010-02-25")
    assert rdc["ship_date_basis"] == "assumed_rdc_transit"
    lanes = mapped.tables[TableName.LANES].set_index("lane_id")
    air = lanes.loc["V-VENDOR-A>SCMS-KE/air"]
    assert air["cost_per_unit"] == pytest.approx(50 / 200)  # one freight bill shared by both lines of ASN-1
    charter = lanes.loc["V-SCMS-FROM-RDC>SCMS-KE/air-charter"]
    assert (charter["mode"], charter["note"]) == ("air", "air charter")
    assert charter["cost_per_unit"] == pytest.approx(50 / 100)  # its own ASN's freight per pack
    assert mapped.tables[TableName.LOCATIONS].set_index("location_id").loc["SCMS-KE", "country"] == "KE"


def test_scms_unknown_country_keeps_its_name() -> None:
    mapped = scms.map_tables({scms.SHIPMENTS: pd.DataFrame([_scms_line(country="Atlantis")])}, CTX)
    location = mapped.tables[TableName.LOCATIONS].iloc[0]
    assert (location["location_id"], location["country"], location["region"]) == ("SCMS-ATLANTIS", "ZZ", "Unknown")
    assert mapped.summary["countries_without_iso_code"] == ["Atlantis"]


def test_port_congestion_series_mapping() -> None:
    raw = pd.DataFrame(
        {
            "date": ["2022-01-04", "2022-01-04", "2022-01-04", "2022-01-04"],
            "port_or_region": ["LA-LB", "All Other Ports", "Gulf", "Oakland"],
            "vessels": [80.0, 12.0, 5.0, 3.0],
            "indicator": ["containerships_awaiting_berth", "containerships_awaiting_berth"] * 2,
            "as_of": ["March 25, 2025"] * 4,
        }
    )
    mapped = port_congestion.map_tables({port_congestion.CONGESTION: raw}, CTX)
    signals = mapped.tables[TableName.SIGNALS]
    assert sorted(signals["scope_id"]) == ["USHOU", "USLAX", "USLGB", "USMOB", "USMSY"]
    assert mapped.summary["dropped_series_not_a_place"] == 1
    assert mapped.summary["unknown_series"] == ["Oakland"]
    assert signals["signal_id"].is_unique
    assert set(signals.loc[signals["bts_series"] == "LA-LB", "value"]) == {80.0}
