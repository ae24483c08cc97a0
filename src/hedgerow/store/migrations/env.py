"""Alembic environment of the hedgerow ledger; run programmatically by :mod:`hedgerow.store.ledger`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from hedgerow.store.models import Base

config = context.config
connection = config.attributes.get("connection")
if not isinstance(connection, Connection):  # pragma: no cover - always given by hedgerow.store.ledger
    raise RuntimeError("the hedgerow ledger migrations run through hedgerow.store.ledger, not the alembic CLI")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
