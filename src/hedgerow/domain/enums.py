"""Enumerations of the hedgerow vocabulary. Options are enums, never magic strings."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum


class TableName(StrEnum):
    """The tables of the open data contract (docs/data-contract.md). Names are fixed."""

    ITEMS = "items"
    LOCATIONS = "locations"
    ITEM_LOCATIONS = "item_locations"
    SUPPLIERS = "suppliers"
    LANES = "lanes"
    SHIPMENTS = "shipments"
    INVENTORY = "inventory"
    DEMAND = "demand"
    DRIVERS = "drivers"
    BUNDLES = "bundles"
    SIGNALS = "signals"
    FX_RATES = "fx_rates"
    FREIGHT_RATES = "freight_rates"
    HOLDS = "holds"


class ImportMode(StrEnum):
    """How an imported file combines with its table's current snapshot (docs/imports.md)."""

    UPSERT = "upsert"  # the file's rows are added; a row whose key is already in the table replaces it
    APPEND = "append"  # the file's rows are added; a key already in the table is an error
    REPLACE = "replace"  # the file becomes the whole table


class Mode(StrEnum):
    """Transport mode of a lane."""

    OCEAN = "ocean"
    AIR = "air"
    RAIL = "rail"
    TRUCK = "truck"


class SignalKind(StrEnum):
    """What a signal measures (signals table, column ``kind``)."""

    PORT_CONGESTION = "port_congestion"
    STRIKE = "strike"
    WEATHER = "weather"
    SENTIMENT = "sentiment"
    INSURANCE_PREMIUM = "insurance_premium"
    FX = "fx"
    OTHER = "other"


class DemandProfile(StrEnum):
    """Which demand model families a plan fits (hedgerow.toml ``[demand] profile``)."""

    FULL = "full"  # every family, per-series AutoETS and Theta included
    FAST = "fast"  # the vectorised families and the global model: several times faster on large workspaces


class MissingPeriods(StrEnum):
    """How a period without a demand row inside an item-location's history is read (``[demand] missing_periods``)."""

    ZERO = "zero"  # no row, no sales: ERPs often export only the rows with sales
    UNKNOWN = "unknown"  # no row, no data: the models skip the period


class ScopeType(StrEnum):
    """What a signal applies to (signals table, column ``scope_type``)."""

    LANE = "lane"
    PORT = "port"
    REGION = "region"
    COUNTRY = "country"
    ITEM_LOCATION = "item_location"
    GLOBAL = "global"


class Period(StrEnum):
    """Length of one planning period."""

    WEEK = "week"
    DAY = "day"

    @property
    def days(self) -> int:
        """Length of the period in days."""
        return 7 if self is Period.WEEK else 1

    def first_day(self, day: date) -> date:
        """First day of the period containing ``day``: its week's Monday for weeks, the day itself for days."""
        return day - timedelta(days=day.weekday()) if self is Period.WEEK else day


class Severity(StrEnum):
    """How serious a finding about input data is: errors reject an import, warnings lower trust."""

    ERROR = "error"
    WARNING = "warning"
