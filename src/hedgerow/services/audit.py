"""The audit log in the ledger: append events, record configuration changes, read and verify the chain.

Every service that writes to the ledger does so inside :func:`ledger_write`, which

1. locks the audit head row first (``UPDATE audit_head SET seq = seq``), so writers are serialised in one order
   on SQLite and PostgreSQL alike and the chain stays linear without deadlocks;
2. records a ``config`` event when hedgerow.toml differs from the last recorded digest;
3. lets the service write its rows and :func:`append_event` its events, all in one transaction.

Each event names the rows it wrote (``rows=``): :func:`append_event` reads them back and records their state in
the payload, so the chain binds every row of the bound tables (:data:`hedgerow.store.models.BOUND_TABLES`) and
:func:`verify_audit` names any row changed behind its back.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import fields, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Table, inspect, select, tuple_, update
from sqlalchemy.engine import RowMapping, make_url
from sqlalchemy.orm import Session

from hedgerow.config import CONFIG_FILE_NAME, Settings
from hedgerow.decide.auditchain import (
    ROWS_KEY,
    ChainEvent,
    ChainReport,
    EventKind,
    RowState,
    canonical_json,
    event_hash,
    format_at,
    row_state,
    verify_chain,
    verify_rows,
)
from hedgerow.services.workspace import Workspace
from hedgerow.store.decide_models import AuditEvent, AuditHead
from hedgerow.store.models import BOUND_TABLES, Base

HEAD_ID = 1

#: Rows read back per query when an event records the state of the rows it wrote.
READ_BACK_CHUNK = 500


def lock_ledger(session: Session) -> None:
    """Take the ledger's write lock (the audit head row) for the rest of the transaction."""
    session.execute(update(AuditHead).where(AuditHead.id == HEAD_ID).values(seq=AuditHead.seq))


def row_key(table: Table, values: Mapping[str, Any]) -> str:
    """A row's key as the chain names it: its primary key as text (columns joined by ``/`` if several)."""
    return "/".join(str(values[c.name]) for c in table.primary_key.columns)


def _values(row: RowMapping) -> dict[str, Any]:
    return {str(name): value for name, value in row.items()}


def _written_states(session: Session, rows: Sequence[Base]) -> dict[str, dict[str, Any]]:
    """The state of each row as stored now (read back, so it is what :func:`verify_audit` will read)."""
    session.flush()
    identities: dict[Table, list[tuple[Any, ...]]] = {}
    for obj in rows:
        state = inspect(obj)
        table = state.mapper.local_table
        assert isinstance(table, Table)
        if table.name not in BOUND_TABLES:
            raise ValueError(
                f"table {table.name} is not bound to the audit chain (bound: {', '.join(BOUND_TABLES)}); add it to "
                "BOUND_TABLES in hedgerow.store.models or leave its rows out of the event"
            )
        assert state.identity is not None
        identities.setdefault(table, []).append(state.identity)
    out: dict[str, dict[str, Any]] = {}
    for table, keys in identities.items():
        pk = tuple_(*table.primary_key.columns)
        for start in range(0, len(keys), READ_BACK_CHUNK):
            chunk = keys[start : start + READ_BACK_CHUNK]
            for r in session.execute(select(table).where(pk.in_(chunk))).mappings():
                values = _values(r)
                out.setdefault(table.name, {})[row_key(table, values)] = row_state(values).to_dict()
    return out


def append_event(
    session: Session,
    *,
    kind: EventKind,
    subject: str,
    payload: dict[str, Any],
    actor: str,
    at: datetime,
    rows: Sequence[Base] = (),
) -> AuditEvent:
    """Append one event to the chain inside the caller's transaction.

    Parameters
    ----------
    session:
        An ORM session inside a transaction; the event commits or rolls back with the caller's changes.
    kind:
        What the event records.
    subject:
        The id the event is about (recommendation, plan, hold, table, user, export ...).
    payload:
        JSON-ready details; stored as canonical JSON, so secrets must never be put here.
    actor:
        Who caused the event.
    at:
        When, timezone-aware.
    rows:
        The bound-table rows this event wrote (inserted or changed); their state as stored is added to the
        payload under :data:`~hedgerow.decide.auditchain.ROWS_KEY`.
    """
    lock_ledger(session)
    if rows:
        payload = {**payload, ROWS_KEY: _written_states(session, rows)}
    head = session.execute(select(AuditHead).where(AuditHead.id == HEAD_ID)).scalar_one()
    seq = head.seq + 1
    at_text = format_at(at)
    body = canonical_json(payload)
    digest = event_hash(head.hash, seq, at_text, actor, kind.value, subject, body)
    event = AuditEvent(
        seq=seq,
        at=at_text,
        actor=actor,
        kind=kind.value,
        subject=subject,
        payload=body,
        prev_hash=head.hash,
        hash=digest,
    )
    session.add(event)
    session.flush()
    session.execute(update(AuditHead).where(AuditHead.id == HEAD_ID).values(seq=seq, hash=digest))
    session.expire(head)
    return event


def _settings_flat(settings: Settings) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for section in fields(settings):
        values = getattr(settings, section.name)
        for key in fields(values):
            value = getattr(values, key.name)
            if section.name == "ledger" and key.name == "url":
                value = make_url(str(value)).render_as_string(hide_password=True)
            if isinstance(value, float) and not math.isfinite(value):
                value = str(value)
            if isinstance(value, dict):
                value = {k: (str(v) if isinstance(v, float) and not math.isfinite(v) else v) for k, v in value.items()}
            out[f"{section.name}.{key.name}"] = value
    return out


def config_digest(ws: Workspace) -> str:
    """SHA-256 of the workspace's hedgerow.toml bytes."""
    return hashlib.sha256((ws.root / CONFIG_FILE_NAME).read_bytes()).hexdigest()


def record_config_if_changed(session: Session, ws: Workspace, *, actor: str, at: datetime) -> AuditEvent | None:
    """Append a ``config`` event when hedgerow.toml differs from the last recorded one; return it (or None)."""
    digest = config_digest(ws)
    last = session.execute(
        select(AuditEvent.payload)
        .where(AuditEvent.kind == EventKind.CONFIG.value)
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).scalar_one_or_none()
    if last is not None and json.loads(last).get("digest") == digest:
        return None
    return append_event(
        session,
        kind=EventKind.CONFIG,
        subject=CONFIG_FILE_NAME,
        payload={"digest": digest, "settings": _settings_flat(ws.settings)},
        actor=actor,
        at=at,
    )


@contextmanager
def ledger_write(ws: Workspace, *, actor: str, at: datetime) -> Iterator[Session]:
    """A write transaction on the ledger: locked, with configuration changes recorded, committed on exit."""
    with ws.session() as session, session.begin():
        lock_ledger(session)
        record_config_if_changed(session, ws, actor=actor, at=at)
        yield session


def read_chain(session: Session) -> tuple[list[ChainEvent], tuple[int, str]]:
    """Every stored event and the head, as the verifier sees them."""
    rows = session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars().all()
    head = session.execute(select(AuditHead).where(AuditHead.id == HEAD_ID)).scalar_one()
    events = [
        ChainEvent(
            seq=r.seq,
            at=r.at,
            actor=r.actor,
            kind=r.kind,
            subject=r.subject,
            payload=r.payload,
            prev_hash=r.prev_hash,
            hash=r.hash,
        )
        for r in rows
    ]
    return events, (head.seq, head.hash)


def read_bound_rows(session: Session) -> dict[str, dict[str, RowState]]:
    """The state of every row of every bound table, per table name and key.

    A bound table the database does not have (a ledger migrated down below the revision that adds it) reads as
    empty, so any row an event recorded in it is reported deleted.
    """
    out: dict[str, dict[str, RowState]] = {}
    present = set(inspect(session.connection()).get_table_names())
    for name in BOUND_TABLES:
        if name not in present:
            out[name] = {}
            continue
        table = Base.metadata.tables[name]
        rows = [_values(r) for r in session.execute(select(table)).mappings()]
        out[name] = {row_key(table, r): row_state(r) for r in rows}
    return out


def verify_audit(ws: Workspace) -> ChainReport:
    """Verify the workspace's audit chain and every row it binds (:func:`~hedgerow.decide.auditchain.verify_chain`,
    :func:`~hedgerow.decide.auditchain.verify_rows`), in one read transaction."""
    with ws.session() as session, session.begin():
        events, head = read_chain(session)
        current = read_bound_rows(session)
    report = verify_chain(events, head)
    return replace(
        report,
        rows_checked=sum(len(rows) for rows in current.values()),
        row_problems=verify_rows(events, current),
    )


def events_about(ws: Workspace, subjects: list[str]) -> list[AuditEvent]:
    """Audit events whose subject is one of ``subjects``, oldest first."""
    if not subjects:
        return []
    with ws.session() as session:
        return list(
            session.execute(select(AuditEvent).where(AuditEvent.subject.in_(subjects)).order_by(AuditEvent.seq))
            .scalars()
            .all()
        )


def list_events(
    ws: Workspace, *, kind: EventKind | None = None, limit: int = 50, before_seq: int | None = None
) -> list[AuditEvent]:
    """The newest ``limit`` audit events (of one ``kind``; older than ``before_seq``), newest first."""
    query = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit)
    if kind is not None:
        query = query.where(AuditEvent.kind == kind.value)
    if before_seq is not None:
        query = query.where(AuditEvent.seq < before_seq)
    with ws.session() as session:
        return list(session.execute(query).scalars().all())
