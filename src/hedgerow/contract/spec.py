"""The open data contract as data: one :class:`TableSpec` per table, one :class:`ColumnSpec` per column.

This module is the single source of truth. The pandera schemas (:mod:`hedgerow.contract.schemas`), the
documentation (docs/data-contract.md, rendered by :mod:`hedgerow.contract.docs`) and the data-quality checks
are all derived from it, and a test keeps the documentation in step.

Table and column names are fixed. Optional columns may be added freely; columns a file carries beyond the
contract are kept (and numeric ones in ``demand`` and ``drivers`` are demand drivers), never rejected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from hedgerow.domain.enums import ImportMode, Mode, ScopeType, SignalKind, TableName

#: Version of the data contract recorded with every import (lineage). Bump the minor version when optional
#: columns or tables are added, the major version when a change can reject a file that was accepted before.
CONTRACT_VERSION = "1.0"

#: Largest magnitude accepted in any numeric column. Larger values are almost always unit or parsing
#: mistakes (a cost in micro-cents, an Excel serial pasted into a quantity) and are rejected.
MAX_ABS_NUMBER = 1e12

CURRENCY_PATTERN = r"^[A-Z]{3}$"
COUNTRY_PATTERN = r"^[A-Z]{2}$"


class ColumnType(StrEnum):
    """Logical type of a contract column, independent of the file format it arrives in."""

    STRING = "string"
    NUMBER = "number"
    INTEGER = "integer"
    DATE = "date"
    DATETIME = "datetime"


@dataclass(frozen=True)
class ForeignKey:
    """A column whose values must exist in one of the referenced ``(table, column)`` pairs."""

    targets: tuple[tuple[TableName, str], ...]

    def describe(self) -> str:
        """Human-readable list of the referenced columns, e.g. ``items.item_id``."""
        return " or ".join(f"{table.value}.{column}" for table, column in self.targets)


@dataclass(frozen=True)
class ColumnSpec:
    """One column of the contract.

    Attributes
    ----------
    name:
        Column name as it must appear in the file header (case-sensitive after trimming spaces).
    type:
        Logical type; values are parsed to it and rejected with their row when they cannot be.
    description:
        What the column means, for the documentation and for error messages.
    unit:
        Unit of the values (``units``, ``days``, ``fraction per year``, ``cost_currency per unit`` ...).
    required:
        Whether the column must be present in the file.
    nullable:
        Whether an empty cell is allowed.
    min_value, max_value:
        Inclusive bounds for numbers; ``min_exclusive`` makes the lower bound strict.
    allowed:
        The closed set of accepted values for an enumerated string column.
    pattern:
        Regular expression every non-empty string value must match.
    not_in_future:
        For dates: a value later than the import time is rejected (sales cannot happen tomorrow).
    references:
        Foreign key checked as a data-quality warning against the current snapshots.
    upper_case:
        Codes are upper-cased before they are checked (``usd`` is read as ``USD``).
    """

    name: str
    type: ColumnType
    description: str
    unit: str = ""
    required: bool = True
    nullable: bool = False
    min_value: float | None = None
    max_value: float | None = None
    min_exclusive: bool = False
    allowed: tuple[str, ...] | None = None
    pattern: str | None = None
    not_in_future: bool = False
    references: ForeignKey | None = None
    upper_case: bool = False


@dataclass(frozen=True)
class TableSpec:
    """One table of the contract: its columns, its key, how it dates its rows and how imports combine with it.

    Attributes
    ----------
    date_column:
        The column that dates each row (freshness in ``hedgerow status``; None: the table has no time).
    keeps_history:
        Whether rows are history (sales, counts, shipments, observations, rates): a replace that drops dates
        of history needs ``--force``.
    import_mode:
        How an import combines with the current table when the user names no ``--mode``.
    """

    name: TableName
    description: str
    columns: tuple[ColumnSpec, ...]
    key: tuple[str, ...]
    extra_numeric_columns_are_drivers: bool = False
    date_column: str | None = None
    keeps_history: bool = False
    import_mode: ImportMode = ImportMode.UPSERT
    column_by_name: dict[str, ColumnSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        optional_not_null = [c.name for c in self.columns if not c.required and not c.nullable]
        if optional_not_null:
            raise ValueError(f"table {self.name}: optional columns must allow empty cells: {optional_not_null}")
        object.__setattr__(self, "column_by_name", {c.name: c for c in self.columns})
        unknown_key = [k for k in self.key if k not in self.column_by_name]
        if unknown_key:
            raise ValueError(f"table {self.name}: key columns {unknown_key} are not columns of the table")
        if self.date_column is not None and self.date_column not in self.column_by_name:
            raise ValueError(f"table {self.name}: date column {self.date_column} is not a column of the table")
        if self.keeps_history and self.date_column is None:
            raise ValueError(f"table {self.name}: a table that keeps history needs a date column")

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Names of the columns a file must carry."""
        return tuple(c.name for c in self.columns if c.required)

    @property
    def date_columns(self) -> tuple[str, ...]:
        """Names of the date and datetime columns."""
        return tuple(c.name for c in self.columns if c.type in (ColumnType.DATE, ColumnType.DATETIME))


def _fk(*targets: tuple[TableName, str]) -> ForeignKey:
    return ForeignKey(targets=targets)


_ITEM_FK = _fk((TableName.ITEMS, "item_id"))
_LOCATION_FK = _fk((TableName.LOCATIONS, "location_id"))


def _id(name: str, description: str, references: ForeignKey | None = None) -> ColumnSpec:
    return ColumnSpec(name, ColumnType.STRING, description, unit="identifier", references=references)


def _currency(name: str, description: str) -> ColumnSpec:
    return ColumnSpec(
        name, ColumnType.STRING, description, unit="ISO 4217 code", pattern=CURRENCY_PATTERN, upper_case=True
    )


def _text(name: str, description: str, *, required: bool = True, nullable: bool = False) -> ColumnSpec:
    return ColumnSpec(name, ColumnType.STRING, description, unit="text", required=required, nullable=nullable)


def _qty(name: str, description: str, *, positive: bool = False, required: bool = True) -> ColumnSpec:
    return ColumnSpec(
        name,
        ColumnType.NUMBER,
        description,
        unit="units",
        required=required,
        min_value=0.0,
        min_exclusive=positive,
    )


def _money(name: str, description: str, currency_column: str, *, required: bool = True) -> ColumnSpec:
    return ColumnSpec(
        name,
        ColumnType.NUMBER,
        description,
        unit=f"{currency_column} per unit",
        required=required,
        min_value=0.0,
    )


ITEMS = TableSpec(
    name=TableName.ITEMS,
    description="The catalogue: one row per item (SKU).",
    key=("item_id",),
    columns=(
        _id("item_id", "Item (SKU) identifier, unique in the table."),
        _text("name", "Item name as planners know it."),
        _text(
            "item_class",
            "Planning class (e.g. A, B, C or a category); hedgerow.toml sets service floors and goodwill "
            "multipliers per class.",
        ),
        _money("unit_cost", "Purchase cost of one unit from its supplier, before transport.", "cost_currency"),
        _currency("cost_currency", "Currency of unit_cost."),
        ColumnSpec(
            "weight_kg", ColumnType.NUMBER, "Weight of one unit.", unit="kg", required=False, nullable=True, min_value=0
        ),
        ColumnSpec(
            "volume_m3", ColumnType.NUMBER, "Volume of one unit.", unit="m³", required=False, nullable=True, min_value=0
        ),
        ColumnSpec(
            "pack_size",
            ColumnType.NUMBER,
            "Units in one pack (case, carton, pallet layer): every order and transfer of the item is a whole number "
            "of packs. Empty = 1 (single units; quantities are always whole units).",
            unit="units",
            required=False,
            nullable=True,
            min_value=0.0,
            min_exclusive=True,
        ),
        ColumnSpec(
            "supplier_id",
            ColumnType.STRING,
            "Default supplier of the item.",
            unit="identifier",
            required=False,
            nullable=True,
            references=_fk((TableName.SUPPLIERS, "supplier_id")),
        ),
    ),
)

LOCATIONS = TableSpec(
    name=TableName.LOCATIONS,
    description="Stocking locations (warehouses, stores, distribution centres).",
    key=("location_id",),
    columns=(
        _id("location_id", "Location identifier, unique in the table."),
        _text("name", "Location name."),
        _text("region", "Region the location belongs to (budgets and exposure are reported per region)."),
        ColumnSpec(
            "country",
            ColumnType.STRING,
            "Country of the location.",
            unit="ISO 3166-1 alpha-2",
            pattern=COUNTRY_PATTERN,
            upper_case=True,
        ),
        _currency("currency", "Local currency of the location."),
        ColumnSpec(
            "holding_cost_rate_per_year",
            ColumnType.NUMBER,
            "Storage, handling, insurance and shrinkage as a share of stock value per year, excluding the cost "
            "of capital (set once in hedgerow.toml).",
            unit="fraction per year",
            min_value=0.0,
            max_value=5.0,
        ),
        ColumnSpec(
            "capacity_units",
            ColumnType.NUMBER,
            "Most units the location can hold.",
            unit="units",
            required=False,
            nullable=True,
            min_value=0.0,
        ),
    ),
)

ITEM_LOCATIONS = TableSpec(
    name=TableName.ITEM_LOCATIONS,
    description="Which items are sold where, and at what price.",
    key=("item_id", "location_id"),
    columns=(
        _id("item_id", "Item sold at the location.", _ITEM_FK),
        _id("location_id", "Location selling the item.", _LOCATION_FK),
        _money("unit_price", "Selling price of one unit at the location.", "price_currency"),
        _currency("price_currency", "Currency of unit_price."),
    ),
)

SUPPLIERS = TableSpec(
    name=TableName.SUPPLIERS,
    description="Suppliers that items are bought from.",
    key=("supplier_id",),
    columns=(
        _id("supplier_id", "Supplier identifier, unique in the table."),
        _text("name", "Supplier name."),
        ColumnSpec(
            "country",
            ColumnType.STRING,
            "Country of the supplier.",
            unit="ISO 3166-1 alpha-2",
            pattern=COUNTRY_PATTERN,
            upper_case=True,
        ),
        _currency("currency", "Currency the supplier invoices in."),
    ),
)

LANES = TableSpec(
    name=TableName.LANES,
    description="Transport lanes from a supplier or a location to a location, one per mode.",
    key=("lane_id",),
    columns=(
        _id("lane_id", "Lane identifier, unique in the table."),
        _id(
            "origin_id",
            "Where goods leave from: a supplier_id or a location_id.",
            _fk((TableName.SUPPLIERS, "supplier_id"), (TableName.LOCATIONS, "location_id")),
        ),
        _id("destination_id", "Location the goods arrive at.", _LOCATION_FK),
        ColumnSpec(
            "mode",
            ColumnType.STRING,
            "Transport mode.",
            unit="enum",
            allowed=tuple(m.value for m in Mode),
        ),
        _money("cost_per_unit", "Transport cost of one unit on this lane.", "cost_currency"),
        _currency("cost_currency", "Currency of cost_per_unit."),
        ColumnSpec(
            "transit_days",
            ColumnType.NUMBER,
            "Planned transit time, used when the lane has no shipment history.",
            unit="days",
            required=False,
            nullable=True,
            min_value=0.0,
            min_exclusive=True,
            max_value=3650.0,
        ),
        ColumnSpec(
            "capacity_units_per_period",
            ColumnType.NUMBER,
            "Most units the lane can carry per planning period.",
            unit="units per period",
            required=False,
            nullable=True,
            min_value=0.0,
        ),
        ColumnSpec(
            "ports",
            ColumnType.STRING,
            "Ports the lane passes through, separated by ';' (e.g. 'CNSHA;USLAX'); signals scoped to a port "
            "reach every lane that lists it.",
            unit="UN/LOCODE list",
            required=False,
            nullable=True,
        ),
        ColumnSpec(
            "min_order_qty",
            ColumnType.NUMBER,
            "Smallest quantity of one item an order or transfer on this lane may carry (0 = none).",
            unit="units",
            required=False,
            nullable=True,
            min_value=0.0,
        ),
        ColumnSpec(
            "order_cost",
            ColumnType.NUMBER,
            "Fixed cost of one order line (one item) on this lane, whatever its size: handling, paperwork, a "
            "booking fee. An action is recommended only when it saves more than this (empty = 0).",
            unit="cost_currency per order line",
            required=False,
            nullable=True,
            min_value=0.0,
        ),
    ),
)

SHIPMENTS = TableSpec(
    name=TableName.SHIPMENTS,
    date_column="ship_date",
    keeps_history=True,
    description="Shipments delivered in the past and shipments in transit (delivered_date empty).",
    key=("shipment_id", "item_id"),
    columns=(
        _id("shipment_id", "Shipment identifier; one shipment may carry several items."),
        _id("lane_id", "Lane the shipment travels on.", _fk((TableName.LANES, "lane_id"))),
        _id("item_id", "Item carried.", _ITEM_FK),
        _qty("qty", "Quantity of the item in the shipment.", positive=True),
        ColumnSpec("ship_date", ColumnType.DATE, "Day the goods left the origin.", unit="date", not_in_future=True),
        ColumnSpec("eta_date", ColumnType.DATE, "Promised or planned arrival day.", unit="date"),
        ColumnSpec(
            "delivered_date",
            ColumnType.DATE,
            "Day the goods arrived; empty while in transit.",
            unit="date",
            nullable=True,
            not_in_future=True,
        ),
    ),
)

INVENTORY = TableSpec(
    name=TableName.INVENTORY,
    date_column="counted_at",
    keeps_history=True,
    description="Stock counts: units on hand per item and location at a point in time.",
    key=("item_id", "location_id", "counted_at"),
    columns=(
        _id("item_id", "Item counted.", _ITEM_FK),
        _id("location_id", "Location counted.", _LOCATION_FK),
        _qty("on_hand", "Units physically on hand (including units under a hold)."),
        ColumnSpec(
            "counted_at",
            ColumnType.DATETIME,
            "When the count was taken (UTC when no zone is given).",
            unit="timestamp",
            not_in_future=True,
        ),
    ),
)

DEMAND = TableSpec(
    name=TableName.DEMAND,
    date_column="period_start",
    keeps_history=True,
    description=(
        "Sales history per item, location and period. Extra numeric columns (price, promotion or display "
        "flags, ...) are demand drivers; their planned future values go in the drivers table."
    ),
    key=("item_id", "location_id", "period_start"),
    extra_numeric_columns_are_drivers=True,
    columns=(
        _id("item_id", "Item sold.", _ITEM_FK),
        _id("location_id", "Location that sold it.", _LOCATION_FK),
        ColumnSpec(
            "period_start",
            ColumnType.DATE,
            "First day of the period (week or day, as set in hedgerow.toml).",
            unit="date",
            not_in_future=True,
        ),
        _qty("qty", "Units sold in the period (a lower bound of demand when stock ran out)."),
        ColumnSpec(
            "stockout_fraction",
            ColumnType.NUMBER,
            "Share of the period the item was out of stock; sales in such a period are a lower bound of demand.",
            unit="fraction of the period",
            required=False,
            nullable=True,
            min_value=0.0,
            max_value=1.0,
        ),
    ),
)

DRIVERS = TableSpec(
    name=TableName.DRIVERS,
    date_column="period_start",
    description=(
        "Planned future values of demand drivers (price, promotion flags, ...): one column per driver, named as "
        "in the demand table."
    ),
    key=("item_id", "location_id", "period_start"),
    extra_numeric_columns_are_drivers=True,
    columns=(
        _id("item_id", "Item.", _ITEM_FK),
        _id("location_id", "Location.", _LOCATION_FK),
        ColumnSpec("period_start", ColumnType.DATE, "First day of the planned period.", unit="date"),
    ),
)

BUNDLES = TableSpec(
    name=TableName.BUNDLES,
    description="Bill of materials of bundles: selling one bundle consumes qty_per_bundle of each component.",
    key=("bundle_item_id", "component_item_id"),
    columns=(
        _id("bundle_item_id", "The bundle (an item sold as a whole).", _ITEM_FK),
        _id("component_item_id", "A component the bundle cannot be sold without.", _ITEM_FK),
        _qty("qty_per_bundle", "Units of the component in one bundle.", positive=True),
    ),
)

SIGNALS = TableSpec(
    name=TableName.SIGNALS,
    date_column="observed_at",
    keeps_history=True,
    description=(
        "Observations that move risk: port congestion, strikes, weather, social-media sentiment, insurance "
        "premiums, FX warnings. Each reaches the network through its scope."
    ),
    key=("signal_id",),
    columns=(
        _id("signal_id", "Signal identifier, unique in the table."),
        ColumnSpec(
            "kind",
            ColumnType.STRING,
            "What the signal measures.",
            unit="enum",
            allowed=tuple(k.value for k in SignalKind),
        ),
        ColumnSpec(
            "scope_type",
            ColumnType.STRING,
            "What the signal applies to.",
            unit="enum",
            allowed=tuple(s.value for s in ScopeType),
        ),
        ColumnSpec(
            "scope_id",
            ColumnType.STRING,
            "The lane_id, port code, region, country code or 'item_id@location_id' the signal applies to; empty "
            "for scope_type global.",
            unit="identifier",
            nullable=True,
        ),
        ColumnSpec(
            "value",
            ColumnType.NUMBER,
            "Magnitude as reported by the source (e.g. vessels waiting, index level, sentiment z-score).",
            unit="source unit",
        ),
        ColumnSpec(
            "observed_at",
            ColumnType.DATETIME,
            "When the source observed the value (UTC when no zone is given).",
            unit="timestamp",
            not_in_future=True,
        ),
        _text("source", "Feed or person the signal came from."),
        ColumnSpec(
            "valid_until",
            ColumnType.DATETIME,
            "When the signal stops applying (empty: it ages out by the feed's staleness rule).",
            unit="timestamp",
            required=False,
            nullable=True,
        ),
        ColumnSpec(
            "probability",
            ColumnType.NUMBER,
            "Probability the source gives to the disruption happening, if it gives one.",
            unit="probability",
            required=False,
            nullable=True,
            min_value=0.0,
            max_value=1.0,
        ),
        ColumnSpec(
            "delay_days",
            ColumnType.NUMBER,
            "Extra transit delay the source expects if the disruption happens.",
            unit="days",
            required=False,
            nullable=True,
            min_value=0.0,
            max_value=3650.0,
        ),
        _text("note", "Free-text note.", required=False, nullable=True),
    ),
)

FX_RATES = TableSpec(
    name=TableName.FX_RATES,
    date_column="date",
    keeps_history=True,
    description="Exchange-rate history against the workspace base currency.",
    key=("date", "currency"),
    columns=(
        ColumnSpec("date", ColumnType.DATE, "Day of the rate.", unit="date", not_in_future=True),
        _currency("currency", "Currency quoted."),
        ColumnSpec(
            "units_per_base",
            ColumnType.NUMBER,
            "Units of that currency per one unit of the base currency.",
            unit="currency per base currency",
            min_value=0.0,
            min_exclusive=True,
        ),
    ),
)

FREIGHT_RATES = TableSpec(
    name=TableName.FREIGHT_RATES,
    date_column="date",
    keeps_history=True,
    description=(
        "Optional freight-rate history: spot rates per unit on a lane, or per mode for every lane of that mode "
        "(a market index). When present, the volatility of freight rates in the scenarios is fitted from it "
        "(docs/supply.md, Freight rates); without it hedgerow uses its documented per-mode assumptions. Rates "
        "per container are not read: divide by the units a container carries before importing."
    ),
    key=("lane_id", "mode", "date"),
    columns=(
        ColumnSpec(
            "lane_id",
            ColumnType.STRING,
            "Lane the rate was quoted for; empty when the row is a rate of a whole mode (give mode then).",
            unit="identifier",
            required=False,
            nullable=True,
            references=_fk((TableName.LANES, "lane_id")),
        ),
        ColumnSpec(
            "mode",
            ColumnType.STRING,
            "Transport mode the rate is for; empty when lane_id is given (a row needs lane_id or mode).",
            unit="enum",
            required=False,
            nullable=True,
            allowed=tuple(m.value for m in Mode),
        ),
        ColumnSpec("date", ColumnType.DATE, "Day of the quote.", unit="date", not_in_future=True),
        ColumnSpec(
            "rate_per_unit",
            ColumnType.NUMBER,
            "Spot freight rate of one unit (including surcharges such as war-risk insurance).",
            unit="currency per unit",
            min_value=0.0,
            min_exclusive=True,
        ),
        _currency("currency", "Currency of rate_per_unit."),
    ),
)

HOLDS = TableSpec(
    name=TableName.HOLDS,
    date_column="expires_at",
    description=(
        "Buffers a person keeps on purpose. Held units count in the position and are never moved or sold off by "
        "the planner."
    ),
    key=("hold_id",),
    columns=(
        _id("hold_id", "Hold identifier, unique in the table."),
        _id("item_id", "Item held.", _ITEM_FK),
        _id("location_id", "Location where the units are held.", _LOCATION_FK),
        _qty("qty", "Units held.", positive=True),
        _text("owner", "Person responsible for the hold."),
        _text("reason", "Why the buffer is kept."),
        ColumnSpec("expires_at", ColumnType.DATE, "Last day the hold applies.", unit="date"),
    ),
)

#: Every table of the contract, in the order the documentation lists them and imports apply them.
TABLES: dict[TableName, TableSpec] = {
    spec.name: spec
    for spec in (
        ITEMS,
        LOCATIONS,
        ITEM_LOCATIONS,
        SUPPLIERS,
        LANES,
        SHIPMENTS,
        INVENTORY,
        DEMAND,
        DRIVERS,
        BUNDLES,
        SIGNALS,
        FX_RATES,
        FREIGHT_RATES,
        HOLDS,
    )
}

#: The tables without which no plan can be made (lanes: the supply model needs at least one lane).
MINIMUM_TABLES: tuple[TableName, ...] = (
    TableName.ITEMS,
    TableName.LOCATIONS,
    TableName.ITEM_LOCATIONS,
    TableName.LANES,
    TableName.DEMAND,
)


def table_spec(name: str | TableName) -> TableSpec:
    """Return the spec of a table by name.

    Raises
    ------
    KeyError
        With the list of valid names, when ``name`` is not a contract table.
    """
    try:
        return TABLES[TableName(name)]
    except ValueError:
        allowed = ", ".join(t.value for t in TableName)
        raise KeyError(f"unknown table {name!r}; the contract's tables are: {allowed}") from None
