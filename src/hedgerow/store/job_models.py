"""SQLAlchemy model of the job queue: background work (plan, exposure, backtest, stress, imports) as ledger rows.

A row is a job from the moment it is asked for until long after it ended: workers claim queued rows
(:mod:`hedgerow.services.jobs` tells how), write progress and a heartbeat while they run, and the result or the
error when they end, so a job and its result outlive the processes that served or ran it. Imported by
:mod:`hedgerow.store.models` so that one metadata holds every table.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hedgerow.store.lineage_models import Base


class JobRow(Base):
    """One background job: what to run, who asked, where it is, and what came of it.

    ``seq`` orders jobs (first queued, first claimed); ``id`` is the public name used by the API and the pages.
    ``params_json``, ``result_json`` and ``error_json`` hold JSON text. ``heartbeat_at`` is refreshed by the
    worker running the job; a running job whose heartbeat is old lost its worker and is marked interrupted.
    """

    __tablename__ = "jobs"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    user: Mapped[str] = mapped_column(String(200))
    params_json: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    step: Mapped[str] = mapped_column(String(200))
    done: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    worker: Mapped[str | None] = mapped_column(String(200), nullable=True)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    cancelled_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    workdir: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    result_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    result_link: Mapped[str | None] = mapped_column(String(500), nullable=True)
    error_json: Mapped[str | None] = mapped_column(Text, nullable=True)
