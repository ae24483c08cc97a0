"""What a table's snapshot holds, in a few numbers: the facts `hedgerow status` and readiness checks read.

A snapshot is immutable, so its facts are too: they are computed once (at import) and kept beside the snapshot
as JSON (:meth:`hedgerow.store.snapshots.SnapshotStore.put_facts`), so `hedgerow status` answers without
loading pandas or the tables. Plans compute the same facts from their frames (:func:`table_facts`).

Pure: a typed contract frame in, a :class:`TableFacts` out.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from hedgerow.contract.spec import TABLES
from hedgerow.domain.enums import TableName

if TYPE_CHECKING:  # pandas is loaded only to compute facts, never to read them (fast `hedgerow status`)
    import pandas as pd

#: Version of the facts' JSON form; facts of another version are recomputed from the snapshot.
#: 2: currencies of suppliers and locations too (the scenarios draw FX paths for them).
#: 3: implausible exchange rates (``fx_suspicious``).
FACTS_VERSION = 3
#: Implausible exchange rates kept as examples in the facts (all are counted).
SUSPICIOUS_FX_KEPT = 10

#: Columns naming a currency a plan needs rates for: the money it converts (costs, prices) and the currencies
#: of suppliers and locations, for which the scenarios draw FX paths (a plan refuses a currency without rates).
CURRENCY_COLUMNS: dict[TableName, str] = {
    TableName.ITEMS: "cost_currency",
    TableName.ITEM_LOCATIONS: "price_currency",
    TableName.LANES: "cost_currency",
    TableName.SUPPLIERS: "currency",
    TableName.LOCATIONS: "currency",
}

#: Tables whose (item_id, location_id) pairs readiness compares (counts per stocked item-location).
PAIR_TABLES = (TableName.ITEM_LOCATIONS, TableName.INVENTORY)


@dataclass(frozen=True)
class CurrencyHistory:
    """FX rates of one currency: how many days are quoted and the first and last."""

    days: int
    first: date
    last: date


@dataclass(frozen=True)
class SuspiciousFx:
    """An implausible rate kept in the table (imported with ``--accept-fx-jumps``): see
    :mod:`hedgerow.contract.fx_checks`.

    Attributes
    ----------
    currency, day, rate:
        The row (units of ``currency`` per one base unit on ``day``).
    around:
        The rates around it in words ("CNY's accepted rates before it 7.22 on 2026-11-20 ...").
    """

    currency: str
    day: date
    rate: float
    around: str

    def text(self) -> str:
        """``CNY 1e+11 on 2026-11-21 (CNY's accepted rates before it ...)``."""
        return f"{self.currency} {self.rate:.6g} on {self.day.isoformat()} ({self.around})"


@dataclass(frozen=True)
class DemandShape:
    """How the demand history is spaced and how long it is.

    Attributes
    ----------
    series:
        Item-locations with at least one row.
    median_step_days:
        Median days between consecutive periods of one series (7 for weekly history, ~30 for monthly).
    median_span_days:
        Median days from a series' first period to its last.
    """

    series: int
    median_step_days: float | None
    median_span_days: float


@dataclass(frozen=True)
class TableFacts:
    """Facts of one snapshot.

    Attributes
    ----------
    table, rows:
        The table and its row count.
    first, last, days:
        Earliest and latest day of the table's date column and the number of distinct days (None / 0 when
        the table has no date column).
    currencies:
        Distinct currencies of the table's :data:`CURRENCY_COLUMNS` column.
    fx:
        ``fx_rates`` only: the history of each currency.
    fx_suspicious, fx_suspicious_rows:
        ``fx_rates`` only: the first :data:`SUSPICIOUS_FX_KEPT` implausible rates of the table (by currency and
        date) and how many there are.
    pairs:
        ``item_locations`` and ``inventory`` only: the sorted distinct (item_id, location_id) pairs.
    open_rows:
        ``shipments`` only: rows without a delivered_date (in transit).
    demand:
        ``demand`` only: the shape of the history.
    """

    table: TableName
    rows: int
    first: date | None = None
    last: date | None = None
    days: int = 0
    currencies: tuple[str, ...] = ()
    fx: dict[str, CurrencyHistory] = field(default_factory=dict)
    fx_suspicious: tuple[SuspiciousFx, ...] = ()
    fx_suspicious_rows: int = 0
    pairs: tuple[tuple[str, str], ...] = ()
    open_rows: int | None = None
    demand: DemandShape | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (dates as ISO text), with :data:`FACTS_VERSION`."""
        out = asdict(self)
        out["version"] = FACTS_VERSION
        out["table"] = self.table.value
        for key in ("first", "last"):
            out[key] = out[key].isoformat() if out[key] is not None else None
        out["fx"] = {
            c: {"days": h.days, "first": h.first.isoformat(), "last": h.last.isoformat()} for c, h in self.fx.items()
        }
        out["fx_suspicious"] = [
            {"currency": s.currency, "day": s.day.isoformat(), "rate": s.rate, "around": s.around}
            for s in self.fx_suspicious
        ]
        out["pairs"] = [list(p) for p in self.pairs]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TableFacts | None:
        """Facts from :meth:`to_dict`'s form; None when written by another :data:`FACTS_VERSION`."""
        if data.get("version") != FACTS_VERSION:
            return None
        shape = data.get("demand")
        return cls(
            table=TableName(data["table"]),
            rows=int(data["rows"]),
            first=date.fromisoformat(data["first"]) if data.get("first") else None,
            last=date.fromisoformat(data["last"]) if data.get("last") else None,
            days=int(data.get("days", 0)),
            currencies=tuple(data.get("currencies", ())),
            fx={
                c: CurrencyHistory(int(h["days"]), date.fromisoformat(h["first"]), date.fromisoformat(h["last"]))
                for c, h in data.get("fx", {}).items()
            },
            fx_suspicious=tuple(
                SuspiciousFx(str(s["currency"]), date.fromisoformat(s["day"]), float(s["rate"]), str(s["around"]))
                for s in data.get("fx_suspicious", ())
            ),
            fx_suspicious_rows=int(data.get("fx_suspicious_rows", 0)),
            pairs=tuple((str(a), str(b)) for a, b in data.get("pairs", ())),
            open_rows=data.get("open_rows"),
            demand=DemandShape(**shape) if shape else None,
        )


def _day(value: Any) -> date | None:
    import pandas as pd

    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def _demand_shape(frame: pd.DataFrame) -> DemandShape:
    keyed = frame.loc[frame["period_start"].notna(), ["item_id", "location_id", "period_start"]].drop_duplicates()
    keyed = keyed.sort_values(["item_id", "location_id", "period_start"])
    groups = keyed.groupby(["item_id", "location_id"], sort=False, observed=True)["period_start"]
    steps = groups.diff().dropna().dt.days
    spans = (groups.max() - groups.min()).dt.days
    return DemandShape(
        series=int(groups.ngroups),
        median_step_days=float(steps.median()) if len(steps) else None,
        median_span_days=float(spans.median()) if len(spans) else 0.0,
    )


def table_facts(table: TableName, frame: pd.DataFrame) -> TableFacts:
    """The facts of one typed contract table (see :class:`TableFacts`)."""
    import pandas as pd

    spec = TABLES[table]
    first = last = None
    days = 0
    if spec.date_column is not None and spec.date_column in frame.columns:
        dated = pd.to_datetime(frame[spec.date_column]).dropna()
        if len(dated):
            first, last = _day(dated.min()), _day(dated.max())
            days = int(dated.dt.normalize().nunique())
    currency_column = CURRENCY_COLUMNS.get(table)
    currencies: tuple[str, ...] = ()
    if currency_column is not None and currency_column in frame.columns:
        currencies = tuple(sorted(str(c) for c in frame[currency_column].dropna().unique()))
    fx: dict[str, CurrencyHistory] = {}
    suspicious: list[SuspiciousFx] = []
    if table is TableName.FX_RATES and len(frame):
        from hedgerow.contract.fx_checks import suspicious_rates

        suspicious = [
            SuspiciousFx(s.currency, s.day, s.rate, s.neighbours_text())
            for s in suspicious_rates(frame.reset_index(drop=True))
        ]
        grouped = frame.dropna(subset=["date"]).groupby("currency", observed=True)["date"]
        for currency, dates in grouped:
            fx[str(currency)] = CurrencyHistory(int(dates.nunique()), _day(dates.min()), _day(dates.max()))  # type: ignore[arg-type]
    pairs: tuple[tuple[str, str], ...] = ()
    if table in PAIR_TABLES and len(frame):
        unique = frame[["item_id", "location_id"]].dropna().astype(str).drop_duplicates()
        pairs = tuple(sorted(zip(unique["item_id"], unique["location_id"], strict=True)))
    open_rows = None
    if table is TableName.SHIPMENTS:
        open_rows = int(frame["delivered_date"].isna().sum()) if "delivered_date" in frame.columns else len(frame)
    demand = _demand_shape(frame) if table is TableName.DEMAND and len(frame) else None
    return TableFacts(
        table=table,
        rows=len(frame),
        first=first,
        last=last,
        days=days,
        currencies=currencies,
        fx=fx,
        fx_suspicious=tuple(suspicious[:SUSPICIOUS_FX_KEPT]),
        fx_suspicious_rows=len(suspicious),
        pairs=pairs,
        open_rows=open_rows,
        demand=demand,
    )
