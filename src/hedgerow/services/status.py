"""Workspace summary: tables, rows, date ranges, freshness and trust — what `hedgerow status` prints."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy.engine import make_url

from hedgerow.config import Settings
from hedgerow.contract.spec import MINIMUM_TABLES, TABLES
from hedgerow.domain.enums import TableName
from hedgerow.services.workspace import Workspace

#: Column that tells how recent each table is (None: the table has no time dimension).
FRESHNESS_COLUMN: dict[TableName, str] = {
    TableName.DEMAND: "period_start",
    TableName.DRIVERS: "period_start",
    TableName.SHIPMENTS: "ship_date",
    TableName.INVENTORY: "counted_at",
    TableName.SIGNALS: "observed_at",
    TableName.FX_RATES: "date",
    TableName.HOLDS: "expires_at",
}


def stale_after_days(table: TableName, settings: Settings) -> int | None:
    """Age in days after which a table's newest record makes it stale (None: it cannot go stale)."""
    q = settings.quality
    period_days = settings.workspace.period.days
    limits = {
        TableName.DEMAND: 3 * period_days,
        TableName.INVENTORY: q.stale_inventory_days,
        TableName.SIGNALS: q.stale_signal_days,
        TableName.FX_RATES: q.stale_fx_days,
    }
    return limits.get(table)


@dataclass(frozen=True)
class TableStatus:
    """One table of the workspace as of now."""

    table: str
    imported: bool
    rows: int | None = None
    snapshot: str | None = None
    source: str | None = None
    imported_at: str | None = None
    imported_by: str | None = None
    first: str | None = None
    last: str | None = None
    age_days: int | None = None
    stale: bool | None = None
    trust_score: float | None = None
    warnings: int | None = None


@dataclass(frozen=True)
class WorkspaceStatus:
    """Summary of a workspace."""

    root: str
    name: str
    base_currency: str
    period: str
    horizon_periods: int
    ledger: str
    as_of: str
    tables: tuple[TableStatus, ...]
    missing_for_planning: tuple[str, ...]

    @property
    def ready_to_plan(self) -> bool:
        """True when the tables a plan needs at the least are imported."""
        return not self.missing_for_planning

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        out = asdict(self)
        out["ready_to_plan"] = self.ready_to_plan
        return out


def _fmt_date(value: Any) -> str | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date().isoformat()


def workspace_status(ws: Workspace, now: datetime) -> WorkspaceStatus:
    """Summarise every contract table of the workspace as of ``now`` (timezone-aware)."""
    now_naive = pd.Timestamp(now).tz_convert("UTC").tz_localize(None)
    records = ws.current_imports()
    rows: list[TableStatus] = []
    for table in TABLES:
        record = records.get(table)
        if record is None:
            rows.append(TableStatus(table=table.value, imported=False))
            continue
        column = FRESHNESS_COLUMN.get(table)
        first = last = None
        age = None
        stale = None
        if column is not None:
            frame = pd.read_parquet(ws.snapshots.path_of(table, record.snapshot_sha256), columns=[column])
            first, last = frame[column].min(), frame[column].max()
            limit = stale_after_days(table, ws.settings)
            if last is not None and not pd.isna(last):
                age = int((now_naive - pd.Timestamp(last)).days)
                stale = age > limit if limit is not None else None
        warnings = sum(int(g["count"]) for g in json.loads(record.warnings_json))
        imported_at = record.imported_at
        if imported_at.tzinfo is None:
            imported_at = imported_at.replace(tzinfo=UTC)
        rows.append(
            TableStatus(
                table=table.value,
                imported=True,
                rows=record.rows,
                snapshot=record.snapshot_sha256[:12],
                source=record.source_name,
                imported_at=imported_at.isoformat(timespec="seconds"),
                imported_by=record.imported_by,
                first=_fmt_date(first),
                last=_fmt_date(last),
                age_days=age,
                stale=stale,
                trust_score=record.trust_score,
                warnings=warnings,
            )
        )
    missing = tuple(t.value for t in MINIMUM_TABLES if t not in records)
    settings = ws.settings
    return WorkspaceStatus(
        root=str(ws.root),
        name=settings.workspace.name,
        base_currency=settings.workspace.base_currency,
        period=settings.workspace.period.value,
        horizon_periods=settings.workspace.horizon_periods,
        ledger=make_url(ws.ledger_url).render_as_string(hide_password=True),
        as_of=now.astimezone(UTC).isoformat(timespec="seconds"),
        tables=tuple(rows),
        missing_for_planning=missing,
    )
