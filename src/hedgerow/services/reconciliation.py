"""`hedgerow reconcile`: compare the newest inventory counts with what the ledger expected; score each location.

Counts come from the current ``inventory`` snapshot together with the one before it (so both an appended
history and a replaced table work). The result is stored (lines, per-location trust) with a
``reconciliation`` audit event; reconciling the same snapshot again returns the stored result. Plans read the
newest trust per location and put a note on recommendations for locations below ``quality.min_location_trust``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import select

from hedgerow.decide.auditchain import EventKind
from hedgerow.decide.reconcile import LINE_COLUMNS, LOCATION_COLUMNS, reconcile, unit_values_base
from hedgerow.decide.roles import Permission
from hedgerow.domain.enums import TableName
from hedgerow.errors import HedgerowError
from hedgerow.services.audit import append_event, ledger_write
from hedgerow.services.users import acting_user
from hedgerow.services.workspace import Workspace
from hedgerow.store.decide_models import LocationTrustRow, ReconciliationLineRow, ReconciliationRow, as_utc


@dataclass(frozen=True)
class ReconciliationOutcome:
    """A stored reconciliation: its lines and per-location summary as frames."""

    reconciliation_id: int
    created: bool
    base_currency: str
    lines: pd.DataFrame
    locations: pd.DataFrame

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""

        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            out = []
            for rec in frame.to_dict("records"):
                out.append(
                    {str(k): (v.isoformat() if isinstance(v, pd.Timestamp | datetime) else v) for k, v in rec.items()}
                )
            return out

        return {
            "reconciliation_id": self.reconciliation_id,
            "created": self.created,
            "base_currency": self.base_currency,
            "locations": records(self.locations),
            "lines": records(self.lines),
        }


def _counts(ws: Workspace) -> tuple[pd.DataFrame, str]:
    history = ws.import_history(TableName.INVENTORY)
    if not history:
        raise HedgerowError("no inventory table imported yet; import two counts to reconcile them")
    frames = [ws.snapshots.read(TableName.INVENTORY, r.snapshot_sha256) for r in history[:2]]
    return pd.concat(frames, ignore_index=True), history[0].snapshot_sha256


def _stored(ws: Workspace, rec_id: int, created: bool) -> ReconciliationOutcome:
    with ws.session() as session:
        head = session.get(ReconciliationRow, rec_id)
        assert head is not None
        lines = session.execute(
            select(ReconciliationLineRow)
            .where(ReconciliationLineRow.reconciliation_id == rec_id)
            .order_by(ReconciliationLineRow.id)
        ).scalars()
        locs = session.execute(
            select(LocationTrustRow)
            .where(LocationTrustRow.reconciliation_id == rec_id)
            .order_by(LocationTrustRow.location_id)
        ).scalars()
        line_frame = pd.DataFrame([{c: getattr(r, c) for c in LINE_COLUMNS} for r in lines], columns=LINE_COLUMNS)
        loc_frame = pd.DataFrame([{c: getattr(r, c) for c in LOCATION_COLUMNS} for r in locs], columns=LOCATION_COLUMNS)
        currency = head.base_currency
    return ReconciliationOutcome(rec_id, created, currency, line_frame, loc_frame)


def reconcile_inventory(ws: Workspace, *, user: str, now: datetime) -> ReconciliationOutcome:
    """Reconcile the newest counts of the current inventory snapshot and store the result.

    Raises
    ------
    HedgerowError
        When there is no inventory, no item-location has two counts, or an FX rate is missing.
    PermissionDenied
        When ``user`` may not reconcile (planner and up; anyone in open mode).
    """
    counts, snapshot = _counts(ws)
    with ws.session() as session:
        done = session.execute(
            select(ReconciliationRow.id).where(ReconciliationRow.inventory_snapshot == snapshot)
        ).scalar_one_or_none()
    if done is not None:
        return _stored(ws, done, created=False)
    frames = ws.current_frames(
        [
            TableName.DEMAND,
            TableName.SHIPMENTS,
            TableName.LANES,
            TableName.LOCATIONS,
            TableName.ITEMS,
            TableName.FX_RATES,
        ]
    )
    items = frames.get(TableName.ITEMS)
    base = ws.settings.workspace.base_currency
    latest = pd.Timestamp(pd.to_datetime(counts["counted_at"]).max())
    values = unit_values_base(items, frames.get(TableName.FX_RATES), base, latest) if items is not None else {}
    locations = frames.get(TableName.LOCATIONS)
    location_ids = (
        set(locations["location_id"].astype(str)) if locations is not None else set(counts["location_id"].astype(str))
    )
    result = reconcile(
        counts,
        frames.get(TableName.DEMAND),
        frames.get(TableName.SHIPMENTS),
        frames.get(TableName.LANES),
        location_ids,
        values,
    )
    if result.lines.empty:
        raise HedgerowError(
            "no item-location has two inventory counts yet; reconciliation compares a count with the one before"
        )
    with ledger_write(ws, actor=user, at=now) as session:
        actor = acting_user(session, user, Permission.RECONCILE, "reconcile inventory")
        head = ReconciliationRow(
            at=now,
            by=actor.name,
            inventory_snapshot=snapshot,
            base_currency=base,
            lines=len(result.lines),
            abs_diff_units=float(result.lines["diff_units"].abs().sum()),
            abs_diff_value_base=float(result.lines["diff_value_base"].abs().sum()),
        )
        session.add(head)
        session.flush()
        written: list[ReconciliationRow | ReconciliationLineRow | LocationTrustRow] = [head]
        for rec in result.lines.to_dict("records"):
            values_row = {c: rec[c] for c in LINE_COLUMNS}
            values_row["previous_counted_at"] = (
                pd.Timestamp(rec["previous_counted_at"]).tz_localize("UTC").to_pydatetime()
            )
            values_row["counted_at"] = pd.Timestamp(rec["counted_at"]).tz_localize("UTC").to_pydatetime()
            written.append(ReconciliationLineRow(reconciliation_id=head.id, **values_row))
        for rec in result.locations.to_dict("records"):
            written.append(
                LocationTrustRow(
                    reconciliation_id=head.id,
                    at=now,
                    **{c: (int(rec[c]) if c in ("items", "items_off") else rec[c]) for c in LOCATION_COLUMNS},
                )
            )
        session.add_all(written[1:])
        append_event(
            session,
            kind=EventKind.RECONCILIATION,
            subject=f"reconciliation-{head.id}",
            payload={
                "inventory_snapshot": snapshot,
                "base_currency": base,
                "locations": {
                    str(r["location_id"]): {
                        "trust_score": round(float(r["trust_score"]), 6),
                        "abs_diff_units": float(r["abs_diff_units"]),
                        "diff_value_base": round(float(r["diff_value_base"]), 6),
                    }
                    for r in result.locations.to_dict("records")
                },
            },
            actor=actor.name,
            at=now,
            rows=written,
        )
        rec_id = head.id
    return _stored(ws, rec_id, created=True)


def latest_reconciliation(ws: Workspace) -> ReconciliationOutcome | None:
    """The newest stored reconciliation, or None when counts were never reconciled."""
    with ws.session() as session:
        newest = session.execute(
            select(ReconciliationRow.id).order_by(ReconciliationRow.id.desc()).limit(1)
        ).scalar_one_or_none()
    return None if newest is None else _stored(ws, newest, created=False)


@dataclass(frozen=True)
class LocationTrust:
    """A location's newest count trust."""

    location_id: str
    trust_score: float
    abs_diff_units: float
    diff_value_base: float
    abs_diff_value_base: float
    at: datetime


def location_trust(ws: Workspace) -> dict[str, LocationTrust]:
    """The newest trust score of every reconciled location (for plans and their explanations)."""
    with ws.session() as session:
        rows = session.execute(select(LocationTrustRow).order_by(LocationTrustRow.id)).scalars().all()
    return {
        r.location_id: LocationTrust(
            r.location_id, r.trust_score, r.abs_diff_units, r.diff_value_base, r.abs_diff_value_base, as_utc(r.at)
        )
        for r in rows
    }
