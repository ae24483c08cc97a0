"""Small hand-checkable networks for the supply tests (frames shaped like the contract's typed snapshots)."""

from __future__ import annotations

from typing import Any

import pandas as pd


def frame(rows: list[dict[str, Any]], dates: tuple[str, ...] = ()) -> pd.DataFrame:
    """A frame with ``dates`` columns as datetime64[ns] and object columns as pandas strings."""
    df = pd.DataFrame(rows)
    for col in df.columns:
        if col in dates:
            df[col] = pd.to_datetime(df[col]).astype("datetime64[ns]")
        elif df[col].dtype == object:
            df[col] = df[col].astype("string")
    return df


def locations() -> pd.DataFrame:
    """Two locations: LA (US, Americas, USD) and TYO (JP, Asia, JPY)."""
    return frame(
        [
            {
                "location_id": "LA",
                "name": "Los Angeles",
                "region": "Americas",
                "country": "US",
                "currency": "USD",
                "holding_cost_rate_per_year": 0.2,
                "capacity_units": None,
            },
            {
                "location_id": "TYO",
                "name": "Tokyo",
                "region": "Asia",
                "country": "JP",
                "currency": "JPY",
                "holding_cost_rate_per_year": 0.2,
                "capacity_units": None,
            },
        ]
    )


def suppliers() -> pd.DataFrame:
    """Two suppliers: S-CN (China, CNY) and S-DE (Germany, EUR)."""
    return frame(
        [
            {"supplier_id": "S-CN", "name": "Shenzhen Co", "country": "CN", "currency": "CNY"},
            {"supplier_id": "S-DE", "name": "Hamburg GmbH", "country": "DE", "currency": "EUR"},
        ]
    )


def lanes() -> pd.DataFrame:
    """Four lanes: CN→LA ocean via CNSHA;USLAX, CN→LA air, DE→TYO ocean via DEHAM;JPTYO, LA→TYO transfer."""
    return frame(
        [
            {
                "lane_id": "CN-LA-OC",
                "origin_id": "S-CN",
                "destination_id": "LA",
                "mode": "ocean",
                "cost_per_unit": 1.0,
                "cost_currency": "USD",
                "transit_days": 30.0,
                "ports": "CNSHA;USLAX",
            },
            {
                "lane_id": "CN-LA-AIR",
                "origin_id": "S-CN",
                "destination_id": "LA",
                "mode": "air",
                "cost_per_unit": 5.0,
                "cost_currency": "USD",
                "transit_days": 5.0,
                "ports": None,
            },
            {
                "lane_id": "DE-TYO-OC",
                "origin_id": "S-DE",
                "destination_id": "TYO",
                "mode": "ocean",
                "cost_per_unit": 2.0,
                "cost_currency": "EUR",
                "transit_days": 40.0,
                "ports": "DEHAM;JPTYO",
            },
            {
                "lane_id": "LA-TYO-AIR",
                "origin_id": "LA",
                "destination_id": "TYO",
                "mode": "air",
                "cost_per_unit": 3.0,
                "cost_currency": "USD",
                "transit_days": None,
                "ports": "USLAX",
            },
        ]
    )


def shipment_rows(
    lane: str, lateness: list[int], planned: int, start: str = "2025-01-06", prefix: str = ""
) -> list[dict[str, Any]]:
    """One delivered shipment per lateness value, shipped weekly from ``start`` with ``planned`` days to eta."""
    out = []
    t0 = pd.Timestamp(start)
    for i, late in enumerate(lateness):
        ship = t0 + pd.Timedelta(days=7 * i)
        eta = ship + pd.Timedelta(days=planned)
        out.append(
            {
                "shipment_id": f"{prefix or lane}-{i}",
                "lane_id": lane,
                "item_id": "A",
                "qty": 10.0,
                "ship_date": ship,
                "eta_date": eta,
                "delivered_date": eta + pd.Timedelta(days=late),
            }
        )
    return out


def shipments(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A shipments frame from rows (dates typed)."""
    return frame(rows, dates=("ship_date", "eta_date", "delivered_date"))
