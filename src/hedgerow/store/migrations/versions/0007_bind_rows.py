"""Bind the rows written before the audit chain bound them: one ``baseline`` event with the state of each.

From this revision on, every event records the state of the ledger rows it writes and ``hedgerow audit verify``
recomputes them (docs/ledger.md). Rows written by earlier versions have no such event, so this migration appends
one ``baseline`` event holding the state of every row of every bound table as found at the upgrade; a ledger with
no rows gets no event. No schema change. The downgrade leaves the event in place: it is history, and the chain
stays whole for the older code, which ignores what it does not know.

Revision ID: 0007_bind_rows
Revises: 0006_sessions
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from hedgerow.decide.auditchain import ROWS_KEY, EventKind, canonical_json, event_hash, format_at, row_state
from hedgerow.store.models import BOUND_TABLES

revision: str = "0007_bind_rows"
down_revision: str | None = "0006_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Who the baseline event names as its actor.
ACTOR = "hedgerow migrate"
#: The subject of the baseline event.
SUBJECT = "ledger"


def _states(conn: sa.Connection) -> dict[str, dict[str, Any]]:
    """The state of every row of every bound table, read through the schema as it is at this revision."""
    out: dict[str, dict[str, Any]] = {}
    inspector = sa.inspect(conn)
    for name in BOUND_TABLES:
        if not inspector.has_table(name):  # bound by a later revision (fx_cover_recommendations, 0008)
            continue
        table = sa.Table(name, sa.MetaData(), autoload_with=conn)
        for row in conn.execute(sa.select(table)).mappings():
            values = {str(k): v for k, v in row.items()}
            key = "/".join(str(values[c.name]) for c in table.primary_key.columns)
            out.setdefault(name, {})[key] = row_state(values).to_dict()
    return out


def upgrade() -> None:
    conn = op.get_bind()
    states = _states(conn)
    if not states:
        return
    conn.execute(sa.text("UPDATE audit_head SET seq = seq WHERE id = 1"))  # the ledger's write lock
    head = conn.execute(sa.text("SELECT seq, hash FROM audit_head WHERE id = 1")).one()
    seq, at = int(head.seq) + 1, format_at(datetime.now(UTC))
    payload = canonical_json({"revision": revision, ROWS_KEY: states})
    digest = event_hash(head.hash, seq, at, ACTOR, EventKind.BASELINE.value, SUBJECT, payload)
    conn.execute(
        sa.text(
            "INSERT INTO audit_events (seq, at, actor, kind, subject, payload, prev_hash, hash) "
            "VALUES (:seq, :at, :actor, :kind, :subject, :payload, :prev_hash, :hash)"
        ),
        {
            "seq": seq,
            "at": at,
            "actor": ACTOR,
            "kind": EventKind.BASELINE.value,
            "subject": SUBJECT,
            "payload": payload,
            "prev_hash": head.hash,
            "hash": digest,
        },
    )
    conn.execute(sa.text("UPDATE audit_head SET seq = :seq, hash = :hash WHERE id = 1"), {"seq": seq, "hash": digest})


def downgrade() -> None:
    """Nothing to undo: the baseline event is history and stays in the chain."""
