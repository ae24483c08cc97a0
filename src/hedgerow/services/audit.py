"""The audit log in the ledger: append events, record configuration changes, read and verify the chain.

Every service that writes to the ledger does so inside :func:`ledger_write`, which

1. locks the audit head row first (``UPDATE audit_head SET seq = seq``), so writers are serialised in one order
   on SQLite and PostgreSQL alike and the chain stays linear without deadlocks;
2. records a ``config`` event when hedgerow.toml differs from the last recorded digest;
3. lets the service write its rows and :func:`append_event` its events, all in one transaction.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from hedgerow.config import CONFIG_FILE_NAME, Settings
from hedgerow.decide.auditchain import (
    ChainEvent,
    ChainReport,
    EventKind,
    canonical_json,
    event_hash,
    format_at,
    verify_chain,
)
from hedgerow.services.workspace import Workspace
from hedgerow.store.decide_models import AuditEvent, AuditHead

HEAD_ID = 1


def lock_ledger(session: Session) -> None:
    """Take the ledger's write lock (the audit head row) for the rest of the transaction."""
    session.execute(update(AuditHead).where(AuditHead.id == HEAD_ID).values(seq=AuditHead.seq))


def append_event(
    session: Session,
    *,
    kind: EventKind,
    subject: str,
    payload: dict[str, Any],
    actor: str,
    at: datetime,
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
    """
    lock_ledger(session)
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


def verify_audit(ws: Workspace) -> ChainReport:
    """Verify the workspace's audit chain (see :func:`hedgerow.decide.auditchain.verify_chain`)."""
    with ws.session() as session:
        events, head = read_chain(session)
    return verify_chain(events, head)


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
