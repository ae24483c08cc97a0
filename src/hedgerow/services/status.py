"""Workspace summary: tables, rows, date ranges, freshness, trust and readiness — what `hedgerow status` prints.

Reads the ledger's lineage and each snapshot's facts (:mod:`hedgerow.contract.facts`), never the tables
themselves, so it answers at once; the readiness checks are :mod:`hedgerow.services.readiness`'s.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.engine import make_url

from hedgerow.config import Settings
from hedgerow.contract.spec import TABLES
from hedgerow.domain.enums import TableName
from hedgerow.services.readiness import STALE_DEMAND_PERIODS, GapKind, Readiness, Verdict, assess
from hedgerow.services.workspace import Workspace


def stale_after_days(table: TableName, settings: Settings) -> int | None:
    """Age in days after which a table's newest record makes it stale (None: it cannot go stale)."""
    q = settings.quality
    limits = {
        TableName.DEMAND: STALE_DEMAND_PERIODS * settings.workspace.period.days,
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
    readiness: Readiness

    @property
    def ready_to_plan(self) -> bool:
        """True when a plan can be made: ready, or ready with gaps (no blocking gap)."""
        return self.readiness.verdict is not Verdict.NOT_READY

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        out = asdict(self)
        out["readiness"] = self.readiness.to_dict()
        out["ready_to_plan"] = self.ready_to_plan
        return out


def _fmt_date(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def workspace_status(ws: Workspace, now: datetime) -> WorkspaceStatus:
    """Summarise every contract table of the workspace as of ``now`` (timezone-aware)."""
    today = now.astimezone(UTC).date()
    records = ws.current_imports()
    facts = {table: ws.snapshots.facts(table, record.snapshot_sha256) for table, record in records.items()}
    rows: list[TableStatus] = []
    for table in TABLES:
        record = records.get(table)
        if record is None:
            rows.append(TableStatus(table=table.value, imported=False))
            continue
        have = facts[table]
        first, last = have.first, have.last
        age = stale = None
        if last is not None:
            age = (today - last).days
            limit = stale_after_days(table, ws.settings)
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
    settings = ws.settings
    readiness = assess(facts, settings, settings.workspace.period.first_day(today))
    # the tables whose absence blocks a plan: the minimum ones, and inventory (no counts at all)
    missing = tuple(
        g.table.value
        for g in readiness.gaps
        if g.table and g.blocking and g.kind in (GapKind.MISSING_TABLE, GapKind.NO_INVENTORY)
    )
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
        readiness=readiness,
    )
