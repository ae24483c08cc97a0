"""Holds in the ledger: create, extend, release, list; sync from imports; effective holds for planning.

The ledger's holds are authoritative. Importing the contract table ``holds`` upserts into them (new ids are
created, changed rows updated, each with an audit event); a hold released in the ledger stays released even if
a later import still lists it. The planner reads :func:`holds_frame` (same columns as the contract table).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hedgerow.decide.auditchain import EventKind
from hedgerow.decide.holds import HeldMoney, Hold, HoldSource, HoldStatus, effective_holds, expiring, held_money
from hedgerow.decide.reconcile import unit_values_base
from hedgerow.decide.roles import Permission
from hedgerow.domain.enums import TableName
from hedgerow.errors import ConcurrentUpdate, HedgerowError, InvalidTransition, NotFound
from hedgerow.services.audit import append_event, ledger_write
from hedgerow.services.users import acting_user
from hedgerow.services.workspace import Workspace
from hedgerow.store.decide_models import HoldRow

HOLD_COLUMNS = ["hold_id", "item_id", "location_id", "qty", "owner", "reason", "expires_at"]


def hold_of(row: HoldRow) -> Hold:
    """The pure value of a stored hold."""
    return Hold(
        hold_id=row.id,
        item_id=row.item_id,
        location_id=row.location_id,
        qty=row.qty,
        owner=row.owner,
        reason=row.reason,
        expires_on=row.expires_on,
        status=HoldStatus(row.status),
        source=HoldSource(row.source),
        version=row.version,
    )


def _check_known(ws: Workspace, item_id: str, location_id: str) -> None:
    for table, column, value in (
        (TableName.ITEMS, "item_id", item_id),
        (TableName.LOCATIONS, "location_id", location_id),
    ):
        frame = ws.current_frame(table)
        if frame is not None and value not in set(frame[column].astype(str)):
            raise NotFound(f"{column} {value!r} is not in the current {table.value} table")


def _payload(row: HoldRow, action: str) -> dict[str, Any]:
    return {"action": action, **hold_of(row).to_dict()}


def create_hold(
    ws: Workspace,
    *,
    item_id: str,
    location_id: str,
    qty: float,
    owner: str,
    reason: str,
    expires_on: date,
    user: str,
    now: datetime,
    hold_id: str | None = None,
) -> Hold:
    """Create a hold.

    Raises
    ------
    HedgerowError
        When qty is not positive, the reason is empty, the expiry is in the past or the id is taken.
    NotFound
        When the item or location is not in the current tables.
    PermissionDenied
        When ``user`` may not manage holds.
    """
    if not qty > 0:
        raise HedgerowError(f"a hold needs qty > 0 units, got {qty}")
    if not reason.strip() or not owner.strip():
        raise HedgerowError("a hold needs an owner and a reason")
    if expires_on < now.date():
        raise HedgerowError(f"expiry {expires_on} is before today ({now.date()})")
    _check_known(ws, item_id, location_id)
    new_id = hold_id or f"H-{uuid.uuid4().hex[:10]}"
    with ledger_write(ws, actor=user, at=now) as session:
        actor = acting_user(session, user, Permission.MANAGE_HOLDS, "manage holds")
        if session.get(HoldRow, new_id) is not None:
            raise HedgerowError(f"a hold with id {new_id!r} already exists")
        row = HoldRow(
            id=new_id,
            item_id=item_id,
            location_id=location_id,
            qty=float(qty),
            owner=owner,
            reason=reason,
            expires_on=expires_on,
            status=HoldStatus.ACTIVE.value,
            source=HoldSource.LEDGER.value,
            created_at=now,
            created_by=actor.name,
            updated_at=now,
            version=1,
        )
        session.add(row)
        append_event(
            session,
            kind=EventKind.HOLD,
            subject=new_id,
            payload=_payload(row, "create"),
            actor=actor.name,
            at=now,
            rows=[row],
        )
    return hold_of(row)


def _change(
    ws: Workspace,
    hold_id: str,
    *,
    user: str,
    now: datetime,
    action: str,
    expected_version: int | None,
    mutate: Callable[[HoldRow], dict[str, Any]],
) -> Hold:
    with ledger_write(ws, actor=user, at=now) as session:
        actor = acting_user(session, user, Permission.MANAGE_HOLDS, "manage holds")
        row = session.get(HoldRow, hold_id)
        if row is None:
            raise NotFound(f"no hold {hold_id!r}; list them with `hedgerow holds list`")
        if row.status != HoldStatus.ACTIVE.value:
            raise InvalidTransition(f"hold {hold_id} is {row.status}; only an active hold can be {action}d")
        version = expected_version if expected_version is not None else row.version
        values = mutate(row) | {"updated_at": now, "version": version + 1}
        result = session.execute(
            update(HoldRow)
            .where(HoldRow.id == hold_id, HoldRow.version == version)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrentUpdate(f"hold {hold_id} changed after you read it at version {version}; reload and retry")
        session.expire(row)
        row = session.get(HoldRow, hold_id, populate_existing=True)
        assert row is not None
        append_event(
            session,
            kind=EventKind.HOLD,
            subject=hold_id,
            payload=_payload(row, action),
            actor=actor.name,
            at=now,
            rows=[row],
        )
    return hold_of(row)


def extend_hold(
    ws: Workspace, hold_id: str, expires_on: date, *, user: str, now: datetime, expected_version: int | None = None
) -> Hold:
    """Move a hold's expiry day later.

    Raises
    ------
    HedgerowError
        When the new day is not later than the current one.
    """

    def mutate(row: HoldRow) -> dict[str, Any]:
        if expires_on <= row.expires_on:
            raise HedgerowError(
                f"hold {hold_id} already runs to {row.expires_on}; extend to a later day, got {expires_on}"
            )
        return {"expires_on": expires_on}

    return _change(ws, hold_id, user=user, now=now, action="extend", expected_version=expected_version, mutate=mutate)


def release_hold(ws: Workspace, hold_id: str, *, user: str, now: datetime, expected_version: int | None = None) -> Hold:
    """Release a hold: its units become free stock again."""

    def mutate(_row: HoldRow) -> dict[str, Any]:
        return {"status": HoldStatus.RELEASED.value, "released_at": now, "released_by": user}

    return _change(ws, hold_id, user=user, now=now, action="release", expected_version=expected_version, mutate=mutate)


def list_holds(ws: Workspace, *, include_released: bool = False) -> list[Hold]:
    """Holds by expiry day (released ones too if asked)."""
    query = select(HoldRow).order_by(HoldRow.expires_on, HoldRow.id)
    if not include_released:
        query = query.where(HoldRow.status == HoldStatus.ACTIVE.value)
    with ws.session() as session:
        return [hold_of(r) for r in session.execute(query).scalars().all()]


def expiring_holds(ws: Workspace, on: date) -> list[Hold]:
    """Holds in force that expire within ``approval.hold_expiry_warning_days`` of ``on``."""
    return expiring(list_holds(ws), on, ws.settings.approval.hold_expiry_warning_days)


def holds_frame(ws: Workspace, on: date) -> pd.DataFrame:
    """The holds in force on ``on`` with the contract table's columns (``expires_at`` as a date)."""
    rows = [h for h in list_holds(ws) if h.in_force(on)]
    frame = pd.DataFrame(
        [[h.hold_id, h.item_id, h.location_id, h.qty, h.owner, h.reason, pd.Timestamp(h.expires_on)] for h in rows],
        columns=HOLD_COLUMNS,
    )
    return frame


def unit_values(ws: Workspace, on: date) -> dict[str, float]:
    """Cost of one unit of each item in base currency at the newest rate on or before ``on`` (items without a
    cost, or whose cost currency has no rate, are left out)."""
    items = ws.current_frame(TableName.ITEMS)
    if items is None or items.empty:
        return {}
    rates = ws.current_frame(TableName.FX_RATES)
    at = pd.Timestamp(on)
    priced = {ws.settings.workspace.base_currency}
    if rates is not None and not rates.empty:
        priced |= {str(c) for c in rates.loc[pd.to_datetime(rates["date"]) <= at, "currency"]}
    known = items[items["cost_currency"].astype(str).isin(priced) & items["unit_cost"].notna()]
    return unit_values_base(known, rates, ws.settings.workspace.base_currency, at)


def holds_money(ws: Workspace, holds: list[Hold], on: date) -> HeldMoney:
    """What ``holds`` tie up in base currency on ``on`` (:func:`~hedgerow.decide.holds.held_money`)."""
    return held_money(holds, unit_values(ws, on) if holds else {}, on)


def held_units(ws: Workspace, on: date) -> dict[tuple[str, str], float]:
    """Units held per (item_id, location_id) on ``on``."""
    return effective_holds(list_holds(ws), on)


def sync_imported_holds(session: Session, frame: pd.DataFrame, *, actor: str, now: datetime) -> list[str]:
    """Upsert an imported ``holds`` table into the ledger's holds (inside the import's transaction).

    New ids are created (source ``import``), changed rows updated; rows whose ledger hold was released stay
    released. Returns the ids created or changed; each gets an audit event.
    """
    changed: list[str] = []
    for rec in frame.to_dict("records"):
        hold_id = str(rec["hold_id"])
        values = {
            "item_id": str(rec["item_id"]),
            "location_id": str(rec["location_id"]),
            "qty": float(rec["qty"]),
            "owner": str(rec["owner"]),
            "reason": str(rec["reason"]),
            "expires_on": pd.Timestamp(rec["expires_at"]).date(),
        }
        row = session.get(HoldRow, hold_id)
        if row is None:
            row = HoldRow(
                id=hold_id,
                status=HoldStatus.ACTIVE.value,
                source=HoldSource.IMPORT.value,
                created_at=now,
                created_by=actor,
                updated_at=now,
                version=1,
                **values,
            )
            session.add(row)
            action = "import_create"
        elif row.status != HoldStatus.ACTIVE.value or all(getattr(row, k) == v for k, v in values.items()):
            continue
        else:
            for k, v in values.items():
                setattr(row, k, v)
            row.version += 1
            row.updated_at = now
            action = "import_update"
        session.flush()
        append_event(
            session,
            kind=EventKind.HOLD,
            subject=hold_id,
            payload=_payload(row, action),
            actor=actor,
            at=now,
            rows=[row],
        )
        changed.append(hold_id)
    return changed
