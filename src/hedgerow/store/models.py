"""SQLAlchemy models of the ledger. The schema itself is owned by the Alembic migrations in ``migrations/``;
a test checks that the migrated schema and these models agree."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Float, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of every ledger table."""


class ImportRecord(Base):
    """Lineage of one accepted import: which file became which snapshot, when, by whom, how trustworthy.

    The current snapshot of a table is the one of its most recent import (highest ``id``).
    """

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(String(36), index=True)
    table_name: Mapped[str] = mapped_column(String(40), index=True)
    mode: Mapped[str] = mapped_column(String(16))
    snapshot_sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    columns_json: Mapped[str] = mapped_column(Text)
    source_name: Mapped[str] = mapped_column(String(500))
    source_format: Mapped[str] = mapped_column(String(16))
    source_size_bytes: Mapped[int] = mapped_column(BigInteger)
    source_sha256: Mapped[str] = mapped_column(String(64))
    imported_by: Mapped[str] = mapped_column(String(200))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    contract_version: Mapped[str] = mapped_column(String(16))
    trust_score: Mapped[float] = mapped_column(Float)
    warnings_json: Mapped[str] = mapped_column(Text)


# The decision ledger's tables live in a sibling module; importing it here puts them on Base.metadata.
from hedgerow.store import decide_models as _decide_models  # noqa: E402, F401
from hedgerow.store import job_models as _job_models  # noqa: E402, F401
