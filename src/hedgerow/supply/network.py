"""The lane network as typed records: what each lane connects, through which ports, regions and countries.

Built once from the contract's ``lanes``, ``locations`` and ``suppliers`` frames; every other supply module
(lead-time pooling, signal scopes, exposure) reads lanes through it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from hedgerow.domain.enums import Mode


@dataclass(frozen=True)
class LaneInfo:
    """One lane with everything scopes and pooling need.

    Attributes
    ----------
    lane_id, origin_id, destination_id, mode:
        As in the lanes table.
    ports:
        Ports the lane passes through (UN/LOCODE), in the order listed.
    origin_is_supplier:
        True when ``origin_id`` is a supplier (a purchase lane), False for a transfer between locations.
    origin_country, origin_region:
        Country (ISO alpha-2) and region of the origin; suppliers have no region (None).
    destination_country, destination_region:
        Country and region of the destination location (None when the location is unknown).
    transit_days:
        Planned transit time from the lanes table in days, or None.
    cost_per_unit, cost_currency:
        Transport cost of one unit and its currency.
    capacity_units_per_period:
        Nominal capacity in units per period, or None (unlimited).
    """

    lane_id: str
    origin_id: str
    destination_id: str
    mode: Mode
    ports: tuple[str, ...]
    origin_is_supplier: bool
    origin_country: str | None
    origin_region: str | None
    destination_country: str | None
    destination_region: str | None
    transit_days: float | None
    cost_per_unit: float
    cost_currency: str
    capacity_units_per_period: float | None

    @property
    def origin_group(self) -> str:
        """Pooling group of the origin: ``region:<name>`` for locations, ``country:<code>`` for suppliers."""
        if self.origin_region:
            return f"region:{self.origin_region}"
        if self.origin_country:
            return f"country:{self.origin_country}"
        return f"origin:{self.origin_id}"


def _opt_str(value: object) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


def _opt_float(value: object) -> float | None:
    if value is None or value is pd.NA:
        return None
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if pd.isna(out) else out


def split_ports(value: object) -> tuple[str, ...]:
    """The ports of a lane's ``ports`` cell: ';'-separated codes, blanks dropped."""
    text = _opt_str(value)
    if text is None:
        return ()
    return tuple(p.strip() for p in text.split(";") if p.strip())


@dataclass(frozen=True)
class LaneNetwork:
    """Lanes by id, plus the location and supplier facts scopes need."""

    lanes: Mapping[str, LaneInfo]
    location_region: Mapping[str, str]
    location_country: Mapping[str, str]
    location_currency: Mapping[str, str]
    supplier_country: Mapping[str, str]
    supplier_currency: Mapping[str, str]

    @classmethod
    def from_frames(
        cls,
        lanes: pd.DataFrame,
        locations: pd.DataFrame | None = None,
        suppliers: pd.DataFrame | None = None,
    ) -> LaneNetwork:
        """Build the network from contract frames (locations and suppliers may be absent)."""
        loc_region: dict[str, str] = {}
        loc_country: dict[str, str] = {}
        loc_currency: dict[str, str] = {}
        if locations is not None:
            for row in locations.itertuples(index=False):
                loc_region[str(row.location_id)] = str(row.region)
                loc_country[str(row.location_id)] = str(row.country)
                loc_currency[str(row.location_id)] = str(row.currency)
        sup_country: dict[str, str] = {}
        sup_currency: dict[str, str] = {}
        if suppliers is not None:
            for row in suppliers.itertuples(index=False):
                sup_country[str(row.supplier_id)] = str(row.country)
                sup_currency[str(row.supplier_id)] = str(row.currency)
        out: dict[str, LaneInfo] = {}
        records = lanes.to_dict("records")
        for rec in records:
            lane_id = str(rec["lane_id"])
            origin = str(rec["origin_id"])
            dest = str(rec["destination_id"])
            is_supplier = origin in sup_country or origin not in loc_region
            out[lane_id] = LaneInfo(
                lane_id=lane_id,
                origin_id=origin,
                destination_id=dest,
                mode=Mode(str(rec["mode"])),
                ports=split_ports(rec.get("ports")),
                origin_is_supplier=is_supplier,
                origin_country=sup_country.get(origin) or loc_country.get(origin),
                origin_region=None if is_supplier else loc_region.get(origin),
                destination_country=loc_country.get(dest),
                destination_region=loc_region.get(dest),
                transit_days=_opt_float(rec.get("transit_days")),
                cost_per_unit=float(rec["cost_per_unit"]),
                cost_currency=str(rec["cost_currency"]),
                capacity_units_per_period=_opt_float(rec.get("capacity_units_per_period")),
            )
        return cls(out, loc_region, loc_country, loc_currency, sup_country, sup_currency)

    @property
    def lane_ids(self) -> tuple[str, ...]:
        """Lane ids in sorted order (the axis order of every lane array)."""
        return tuple(sorted(self.lanes))

    @property
    def ports(self) -> tuple[str, ...]:
        """Every port any lane passes through, sorted."""
        return tuple(sorted({p for lane in self.lanes.values() for p in lane.ports}))
