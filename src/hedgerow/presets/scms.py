"""USAID SCMS shipment history: vendors → destination countries by transport mode, with promised and actual dates.

Mapping (docs/presets.md has the full table and every assumption with its number):

- suppliers = the vendors (``SCMS from RDC`` = SCMS's own regional distribution centres); the data name no
  vendor country: ``country`` = ``ZZ`` (ISO 3166 "unknown"), currency USD;
- locations = the destination countries (``SCMS-<ISO 3166 code>``), currency USD (SCMS accounts in USD),
  ``holding_cost_rate_per_year`` = **assumption** 0.25;
- items = the item descriptions (pack-level SKUs, id = the description upper-cased with hyphens), class =
  product group (ARV, HRDT, ...), ``unit_cost`` = the item's median ``pack price`` (USD per pack);
- lanes = vendor × country × shipment mode: Air → air, Air Charter → air (``note`` = "air charter", a lane of
  its own), Truck → truck, Ocean → ocean; ``cost_per_unit`` = median freight per pack of the lane's shipments,
  ``transit_days`` = median days from ship to delivery of the lane's shipments (at least 1);
- shipments = one row per ASN/DN × item (lines of the same item in one ASN summed): ``eta_date`` = scheduled
  delivery date, ``delivered_date`` = delivered to client date, ``ship_date`` = the PO sent-to-vendor date
  for Direct Drop shipments (so their lead time is order-to-delivery), and for shipments from an RDC (no PO
  date) the earlier of scheduled and delivered date minus an **assumed** transit per mode.

Rows that cannot be mapped are dropped and counted per reason in the summary: missing or unknown shipment
mode, unparseable scheduled or delivered date, Direct Drop without a PO date, quantity not a positive whole
number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hedgerow.domain.enums import Mode, TableName
from hedgerow.errors import InputFileError
from hedgerow.presets.base import DataSet, PresetContext, PresetTables, RawFiles, SourceFile, slug
from hedgerow.presets.scms_places import country_code, region_of

SHIPMENTS = "scms_shipments.csv.gz"
CURRENCY = "USD"
UNKNOWN_COUNTRY = "ZZ"  # ISO 3166 user-assigned code for "unknown or unspecified"
DIRECT_DROP = "Direct Drop"
FROM_RDC = "From RDC"

#: SCMS shipment mode → (contract mode, lane id suffix, note).
MODES: dict[str, tuple[Mode, str, str | None]] = {
    "Air": (Mode.AIR, "air", None),
    "Air Charter": (Mode.AIR, "air-charter", "air charter"),
    "Truck": (Mode.TRUCK, "truck", None),
    "Ocean": (Mode.OCEAN, "ocean", None),
}

COLUMNS = (
    "id",
    "asn/dn #",
    "country",
    "fulfill via",
    "shipment mode",
    "po sent to vendor date",
    "scheduled delivery date",
    "delivered to client date",
    "product group",
    "sub classification",
    "vendor",
    "item description",
    "molecule/test type",
    "line item quantity",
    "pack price",
    "freight cost (usd)",
)


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


DATASET = DataSet(
    title="USAID SCMS shipment history",
    folder="scms_delivery_history",
    files=(SourceFile(SHIPMENTS, COLUMNS, _read),),
)


@dataclass(frozen=True)
class ScmsAssumptions:
    """Values the data set does not carry; every one is an assumption flagged in docs/presets.md.

    Attributes
    ----------
    rdc_transit_days:
        Days from leaving a regional distribution centre to delivery, per SCMS shipment mode; gives the
        ship date of RDC shipments, which have no PO date.
    holding_cost_rate_per_year:
        Storage, handling, insurance and expiry of health commodities per year, as a share of stock value.
    """

    rdc_transit_days: dict[str, int] = field(
        default_factory=lambda: {"Air": 7, "Air Charter": 4, "Truck": 10, "Ocean": 30}
    )
    holding_cost_rate_per_year: float = 0.25


def _dates(text: pd.Series, fmt: str) -> pd.Series:
    return pd.to_datetime(text.str.strip(), format=fmt, errors="coerce")


def _prepared(raw: pd.DataFrame, a: ScmsAssumptions) -> tuple[pd.DataFrame, dict[str, int]]:
    """Lines that can be mapped, with typed columns, and the number dropped per reason."""
    frame = raw.copy()
    frame["mode_raw"] = frame["shipment mode"].str.strip()
    frame["scheduled"] = _dates(frame["scheduled delivery date"], "%d-%b-%y")
    frame["delivered"] = _dates(frame["delivered to client date"], "%d-%b-%y")
    frame["po_sent"] = _dates(frame["po sent to vendor date"], "%m/%d/%Y")
    frame["qty"] = pd.to_numeric(frame["line item quantity"].str.strip(), errors="coerce")
    direct = frame["fulfill via"].str.strip() == DIRECT_DROP
    rdc = frame["fulfill via"].str.strip() == FROM_RDC
    reasons = {
        "dropped_missing_or_unknown_mode": ~frame["mode_raw"].isin(list(MODES)),
        "dropped_unknown_fulfil_via": ~(direct | rdc),
        "dropped_unparseable_scheduled_or_delivered_date": frame["scheduled"].isna() | frame["delivered"].isna(),
        "dropped_direct_drop_without_po_date": direct & frame["po_sent"].isna(),
        "dropped_quantity_not_positive_whole": ~((frame["qty"] > 0) & (frame["qty"] % 1 == 0)),
    }
    keep = pd.Series(True, index=frame.index)
    dropped: dict[str, int] = {}
    for reason, mask in reasons.items():  # each row is counted under the first reason that applies
        dropped[reason] = int((keep & mask).sum())
        keep &= ~mask
    frame = frame[keep].copy()
    transit = frame["mode_raw"].map(a.rdc_transit_days).astype("float64")
    from_rdc = frame["fulfill via"].str.strip() == FROM_RDC
    anchor = frame[["scheduled", "delivered"]].min(axis=1)
    frame["ship"] = frame["po_sent"].where(~from_rdc, anchor - pd.to_timedelta(transit, unit="D"))
    frame["ship_date_basis"] = np.where(from_rdc, "assumed_rdc_transit", "po_sent_to_vendor")
    return frame, dropped


def _suppliers(lines: pd.DataFrame) -> pd.DataFrame:
    vendors = lines.groupby("supplier_id", sort=True)
    out = pd.DataFrame(
        {
            "supplier_id": list(vendors.groups),
            "name": vendors["vendor"].first().to_numpy(),
            "country": UNKNOWN_COUNTRY,
            "currency": CURRENCY,
        }
    )
    if "manufacturing site" in lines:
        sites = vendors["manufacturing site"].agg(lambda s: "; ".join(s.value_counts().index[:3]))
        out["manufacturing_sites"] = sites.to_numpy()
    return out


def _locations(lines: pd.DataFrame, a: ScmsAssumptions) -> pd.DataFrame:
    countries = lines.drop_duplicates("location_id").sort_values("location_id")
    return pd.DataFrame(
        {
            "location_id": countries["location_id"].to_numpy(),
            "name": countries["country_name"].to_numpy(),
            "region": [region_of(n) for n in countries["country_name"]],
            "country": countries["country_code"].to_numpy(),
            "currency": CURRENCY,
            "holding_cost_rate_per_year": a.holding_cost_rate_per_year,
        }
    )


def _items(lines: pd.DataFrame) -> pd.DataFrame:
    by_item = lines.groupby("item_id", sort=True)
    pack_price = pd.to_numeric(lines["pack price"].str.strip(), errors="coerce")
    first = by_item.first()
    main_vendor = by_item["supplier_id"].agg(lambda s: s.value_counts().sort_index().idxmax())
    out = pd.DataFrame(
        {
            "item_id": first.index.to_numpy(),
            "name": first["item description"].str.strip().to_numpy(),
            "item_class": first["product group"].str.strip().to_numpy(),
            "unit_cost": pack_price.groupby(lines["item_id"]).median().reindex(first.index).to_numpy(),
            "cost_currency": CURRENCY,
            "supplier_id": main_vendor.reindex(first.index).to_numpy(),
            "sub_classification": first["sub classification"].str.strip().to_numpy(),
            "molecule_test_type": first["molecule/test type"].str.strip().to_numpy(),
        }
    )
    if "unit of measure (per pack)" in lines:
        per_pack = pd.to_numeric(first["unit of measure (per pack)"].str.strip(), errors="coerce")
        out["units_per_pack"] = per_pack.to_numpy()
    return out


def _freight_per_pack(lines: pd.DataFrame) -> pd.Series:
    """Freight cost per pack of each ASN: its numeric freight (USD) over all packs it carries.

    Lines marked "See ASN-…" share the freight of the line they point to, so the ratio is taken per ASN.
    ASNs with no numeric freight ("Freight Included in Commodity Cost", "Invoiced Separately") are left out.
    """
    freight = pd.to_numeric(lines["freight cost (usd)"].str.strip(), errors="coerce")
    per_asn = pd.DataFrame({"asn": lines["asn"], "freight": freight, "qty": lines["qty"]}).groupby("asn")
    total = per_asn["freight"].sum(min_count=1)
    return (total / per_asn["qty"].sum()).dropna()


def _lanes(lines: pd.DataFrame, shipments: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    per_pack = _freight_per_pack(lines)
    asn_lane = lines.drop_duplicates("asn").set_index("asn")[["lane_id", "mode_raw"]]
    costs = asn_lane.join(per_pack.rename("per_pack"), how="inner")
    lane_cost = costs.groupby("lane_id")["per_pack"].median()
    mode_cost = costs.groupby("mode_raw")["per_pack"].median()
    first = lines.groupby("lane_id", sort=True).first()
    cost = lane_cost.reindex(first.index)
    fallback = cost.isna()
    cost = cost.where(~fallback, first["mode_raw"].map(mode_cost)).fillna(0.0)
    days = (shipments["delivered_date"] - shipments["ship_date"]).dt.days
    transit = days.groupby(shipments["lane_id"]).median().reindex(first.index).clip(lower=1.0)
    lanes = pd.DataFrame(
        {
            "lane_id": first.index.to_numpy(),
            "origin_id": first["supplier_id"].to_numpy(),
            "destination_id": first["location_id"].to_numpy(),
            "mode": [MODES[m][0].value for m in first["mode_raw"]],
            "cost_per_unit": cost.round(4).to_numpy(),
            "cost_currency": CURRENCY,
            "transit_days": transit.to_numpy(),
            "note": [MODES[m][2] for m in first["mode_raw"]],
            "scms_mode": first["mode_raw"].to_numpy(),
        }
    )
    return lanes, int(fallback.sum())


def _shipments(lines: pd.DataFrame) -> pd.DataFrame:
    lanes_per_asn = lines.groupby("asn")["lane_id"].transform("nunique")
    shipment_id = lines["asn"].where(lanes_per_asn == 1, lines["asn"] + "@" + lines["lane_id"])
    grouped = lines.assign(shipment_id=shipment_id).groupby(["shipment_id", "item_id"], sort=True)
    out = grouped.agg(
        lane_id=("lane_id", "first"),
        qty=("qty", "sum"),
        ship_date=("ship", "min"),
        eta_date=("scheduled", "max"),
        delivered_date=("delivered", "max"),
        ship_date_basis=("ship_date_basis", "first"),
        scms_line_ids=("id", lambda s: ";".join(s.str.strip())),
    ).reset_index()
    return out[
        [
            "shipment_id",
            "lane_id",
            "item_id",
            "qty",
            "ship_date",
            "eta_date",
            "delivered_date",
            "ship_date_basis",
            "scms_line_ids",
        ]
    ]


def map_tables(raw: RawFiles, context: PresetContext, assumptions: ScmsAssumptions | None = None) -> PresetTables:
    """Map the SCMS shipment lines to suppliers, locations, items, lanes and shipments.

    Parameters
    ----------
    raw:
        The frame of scms_shipments.csv.gz, every cell as text (``dtype=str, keep_default_na=False``).
    context:
        The workspace's settings (not needed: all money is USD).
    assumptions:
        Values the data set does not carry (defaults: :class:`ScmsAssumptions`).

    Returns
    -------
    PresetTables
        The five tables and a summary with the rows read, kept and dropped per reason.
    """
    del context
    a = assumptions or ScmsAssumptions()
    source = raw[SHIPMENTS]
    missing_modes = set(MODES) - set(a.rdc_transit_days)
    if missing_modes:
        raise ValueError(f"rdc_transit_days needs a value for every SCMS mode; missing: {sorted(missing_modes)}")
    lines, dropped = _prepared(source, a)
    if lines.empty:
        raise InputFileError(f"{SHIPMENTS}: no line could be mapped ({dropped}); is it the SCMS shipment file?")
    lines["asn"] = lines["asn/dn #"].str.strip()
    lines["supplier_id"] = "V-" + lines["vendor"].map(slug)
    lines["country_name"] = lines["country"].str.strip()
    codes = lines["country_name"].map(country_code)
    lines["country_code"] = codes.fillna(UNKNOWN_COUNTRY)
    lines["location_id"] = "SCMS-" + codes.fillna(lines["country_name"].map(slug))
    lines["item_id"] = lines["item description"].map(slug)
    descriptions = lines.groupby("item_id")["item description"].nunique()
    if (descriptions > 1).any():  # pragma: no cover - no two descriptions of the data set share a slug
        raise InputFileError(
            f"{SHIPMENTS}: item descriptions collide as ids: {list(descriptions[descriptions > 1].index)}"
        )
    lines["lane_id"] = (
        lines["supplier_id"] + ">" + lines["location_id"] + "/" + lines["mode_raw"].map(lambda m: MODES[m][1])
    )
    shipments = _shipments(lines)
    lanes, cost_fallbacks = _lanes(lines, shipments)
    summary: dict[str, Any] = {
        "lines_read": len(source),
        "lines_mapped": len(lines),
        **dropped,
        "shipments_rows": len(shipments),
        "asns": int(lines["asn"].nunique()),
        "ship_date_from_po": int((shipments["ship_date_basis"] == "po_sent_to_vendor").sum()),
        "ship_date_from_assumed_rdc_transit": int((shipments["ship_date_basis"] == "assumed_rdc_transit").sum()),
        "countries_without_iso_code": sorted(set(lines.loc[codes.isna(), "country_name"])),
        "lanes": len(lanes),
        "lanes_with_mode_median_freight": cost_fallbacks,
    }
    tables = {
        TableName.ITEMS: _items(lines),
        TableName.LOCATIONS: _locations(lines, a),
        TableName.SUPPLIERS: _suppliers(lines),
        TableName.LANES: lanes,
        TableName.SHIPMENTS: shipments,
    }
    return PresetTables(tables=tables, summary=summary)
