"""The job queue, stored in the ledger: submit, claim, progress, heartbeat, finish, cancel, interrupt, read.

Heavy work (a plan, an exposure run, a backtest or stress test, an import) is a row of the ``jobs`` table
(:class:`hedgerow.store.job_models.JobRow`). The web server only writes and reads rows; worker processes
(``hedgerow worker``, or the ones ``hedgerow serve`` starts) claim queued rows and run them. So a job outlives
the process that asked for it and the one that ran it, and its result is read back after any restart.

Why a small table-backed queue and not a library: the ledger is SQLite or PostgreSQL, and the queue must work
on both with the same transactions as the rest of the ledger (docs/api.md, "Background jobs"). A claim is one
compare-and-set: the oldest queued row is selected (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so concurrent
workers pass over each other's candidates) and updated ``WHERE status = 'queued'``; only the worker whose update
changed a row owns the job. On SQLite the write lock serialises the updates, so the same statement is atomic.

Lifecycle::

    queued ──claim──▶ running ──▶ succeeded | failed
       │                 │ cancel requested ──▶ cancelled (the worker stops at its next progress report)
       └──cancel──▶ cancelled  └ worker stopped or lost (no heartbeat) ──▶ interrupted

Times: ``created_at``, ``started_at`` and ``finished_at`` come from the caller's clock (the server's, which
``$HEDGEROW_NOW`` pins, so that a job's records agree with the ledger); ``heartbeat_at`` is always the real wall
clock, because it tells whether a worker process is alive.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hedgerow.errors import InvalidTransition, NotFound
from hedgerow.services.workspace import Workspace
from hedgerow.store.decide_models import as_utc
from hedgerow.store.job_models import JobRow

#: A running job whose worker has not written a heartbeat for this long lost its worker (seconds).
STALE_AFTER_S = 30.0

#: Longest step label stored (the column's width).
STEP_CHARS = 200


class JobStatus(StrEnum):
    """Where a job is."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"

    @property
    def finished(self) -> bool:
        """True once the job will not change any more."""
        return self not in (JobStatus.QUEUED, JobStatus.RUNNING)


def wall_clock() -> datetime:
    """The real time (UTC), never pinned: heartbeats tell whether a process is alive."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class JobState:
    """A job as stored: read through :func:`get_job` or :func:`list_jobs`.

    ``done`` of ``total`` is the progress within ``step``; ``result`` is the job's JSON-ready result once it
    succeeded; ``error`` is ``{"kind", "message", ...}`` once it failed, was cancelled or interrupted.
    """

    id: str
    kind: str
    user: str
    params: dict[str, Any]
    status: JobStatus
    step: str
    done: int
    total: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    heartbeat_at: datetime | None
    worker: str | None
    cancel_requested: bool
    cancelled_by: str | None
    workdir: Path | None
    result: dict[str, Any] | None
    result_link: str | None
    error: dict[str, Any] | None

    @property
    def finished(self) -> bool:
        """True once the job ended (succeeded, failed, cancelled or interrupted)."""
        return self.status.finished

    @property
    def fraction(self) -> float:
        """Progress in [0, 1]."""
        if self.status is JobStatus.SUCCEEDED:
            return 1.0
        return min(1.0, self.done / self.total) if self.total > 0 else 0.0

    def to_dict(self, *, with_result: bool = True) -> dict[str, Any]:
        """JSON-ready form (the API's job body)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "user": self.user,
            "params": self.params,
            "status": self.status.value,
            "step": self.step,
            "done": self.done,
            "total": self.total,
            "fraction": round(self.fraction, 4),
            "created_at": self.created_at.isoformat(),
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "cancel_requested": self.cancel_requested,
            "result": self.result if with_result else None,
            "error": self.error,
            "result_link": self.result_link,
        }


def _utc(moment: datetime | None) -> datetime | None:
    return as_utc(moment) if moment is not None else None


def _state(row: JobRow, *, with_result: bool = True) -> JobState:
    return JobState(
        id=row.id,
        kind=row.kind,
        user=row.user,
        params=json.loads(row.params_json),
        status=JobStatus(row.status),
        step=row.step,
        done=row.done,
        total=row.total,
        created_at=as_utc(row.created_at),
        started_at=_utc(row.started_at),
        finished_at=_utc(row.finished_at),
        heartbeat_at=_utc(row.heartbeat_at),
        worker=row.worker,
        cancel_requested=bool(row.cancel_requested),
        cancelled_by=row.cancelled_by,
        workdir=Path(row.workdir) if row.workdir else None,
        result=json.loads(row.result_json) if with_result and row.result_json else None,
        result_link=row.result_link,
        error=json.loads(row.error_json) if row.error_json else None,
    )


def submit_job(
    ws: Workspace, kind: str, params: dict[str, Any], *, user: str, now: datetime, workdir: Path | None = None
) -> JobState:
    """Queue a job of ``kind`` (checked by the caller against the kinds it serves); returns it, status queued."""
    row = JobRow(
        id=uuid.uuid4().hex[:16],
        kind=kind,
        user=user,
        params_json=json.dumps(params),
        status=JobStatus.QUEUED.value,
        step="queued",
        done=0,
        total=0,
        created_at=now,
        cancel_requested=False,
        workdir=str(workdir) if workdir else None,
    )
    with ws.session() as s, s.begin():
        s.add(row)
    return _state(row)


def _row(s: Session, job_id: str) -> JobRow:
    row = s.scalars(select(JobRow).where(JobRow.id == job_id)).one_or_none()
    if row is None:
        raise NotFound(f"no job {job_id!r}: list the jobs with GET /api/jobs")
    return row


def get_job(ws: Workspace, job_id: str) -> JobState:
    """A job by id.

    Raises
    ------
    NotFound
        When no job has that id.
    """
    with ws.session() as s:
        return _state(_row(s, job_id))


def list_jobs(
    ws: Workspace,
    kind: str | None = None,
    *,
    statuses: Iterable[JobStatus] | None = None,
    limit: int = 50,
) -> list[JobState]:
    """Jobs, newest first, without their results (read one job for its result)."""
    query = select(JobRow).order_by(JobRow.seq.desc()).limit(limit)
    if kind is not None:
        query = query.where(JobRow.kind == kind)
    if statuses is not None:
        query = query.where(JobRow.status.in_([s.value for s in statuses]))
    with ws.session() as s:
        return [_state(r, with_result=False) for r in s.scalars(query)]


def latest_result(ws: Workspace, kind: str) -> JobState | None:
    """The newest succeeded job of ``kind``, with its result; None before the first one."""
    query = (
        select(JobRow)
        .where(JobRow.kind == kind, JobRow.status == JobStatus.SUCCEEDED.value)
        .order_by(JobRow.seq.desc())
        .limit(1)
    )
    with ws.session() as s:
        row = s.scalars(query).one_or_none()
        return _state(row) if row is not None else None


def claim_job(ws: Workspace, *, worker: str, kinds: Iterable[str], now: datetime) -> JobState | None:
    """Take the oldest queued job of one of ``kinds`` for ``worker``; None when there is none.

    One statement, a compare-and-set (see the module's docstring): safe with any number of workers on SQLite and
    PostgreSQL. (On SQLite a read followed by a write in one transaction can fail with "database is locked" when
    two connections upgrade at once; a single UPDATE takes the write lock first and waits its turn.)
    """
    oldest = (
        select(JobRow.seq)
        .where(JobRow.status == JobStatus.QUEUED.value, JobRow.kind.in_(sorted(set(kinds))))
        .order_by(JobRow.seq)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    claim = (
        update(JobRow)
        .where(JobRow.seq == oldest, JobRow.status == JobStatus.QUEUED.value)
        .values(status=JobStatus.RUNNING.value, worker=worker, started_at=now, heartbeat_at=wall_clock(),
                step="starting")
        .returning(JobRow.id)
    )  # fmt: skip
    with ws.session() as s, s.begin():
        job_id = s.scalars(claim).one_or_none()
    return get_job(ws, job_id) if job_id is not None else None


def _owned(job_id: str, worker: str) -> Any:
    return (JobRow.id == job_id, JobRow.worker == worker, JobRow.status == JobStatus.RUNNING.value)


def report_progress(ws: Workspace, job_id: str, *, worker: str, step: str, done: int, total: int) -> bool:
    """Store a running job's progress (and a heartbeat); False when the job is no longer this worker's."""
    values = {"step": step[:STEP_CHARS], "done": int(done), "total": int(total), "heartbeat_at": wall_clock()}
    with ws.session() as s, s.begin():
        found = s.scalars(update(JobRow).where(*_owned(job_id, worker)).values(**values).returning(JobRow.seq)).all()
    return bool(found)


def heartbeat(ws: Workspace, job_id: str, *, worker: str) -> bool:
    """Refresh a running job's heartbeat; returns whether someone asked to cancel it."""
    beat = update(JobRow).where(*_owned(job_id, worker)).values(heartbeat_at=wall_clock())
    with ws.session() as s, s.begin():
        flags = s.scalars(beat.returning(JobRow.cancel_requested)).all()
    return bool(flags and flags[0])


def finish_job(
    ws: Workspace,
    job_id: str,
    *,
    worker: str,
    now: datetime,
    status: JobStatus,
    result: dict[str, Any] | None = None,
    result_link: str | None = None,
    error: dict[str, Any] | None = None,
) -> bool:
    """End a running job of ``worker`` with ``status`` and its result or error; False when it was not running
    there any more (someone else marked it interrupted). Removes the job's private folder."""
    if not status.finished:
        raise ValueError(f"a job ends succeeded, failed, cancelled or interrupted, not {status.value}")
    end = (
        update(JobRow)
        .where(*_owned(job_id, worker))
        .values(
            status=status.value,
            step="done" if status is JobStatus.SUCCEEDED else status.value,
            finished_at=now,
            heartbeat_at=wall_clock(),
            result_json=json.dumps(result) if result is not None else None,
            result_link=result_link,
            error_json=json.dumps(error) if error is not None else None,
        )
        .returning(JobRow.workdir)
    )
    with ws.session() as s, s.begin():
        ended = s.execute(end).all()
    if ended:
        _remove(ended[0][0])
    return bool(ended)


def _remove(workdir: str | None) -> None:
    if workdir:
        shutil.rmtree(workdir, ignore_errors=True)


def request_cancel(ws: Workspace, job_id: str, *, user: str, now: datetime) -> JobState:
    """Cancel a job: a queued one at once; a running one is asked to stop (its worker stops at its next progress
    report, or within seconds when the job reports none) and ends ``cancelled``.

    Raises
    ------
    NotFound
        No such job.
    InvalidTransition
        The job has already ended.
    """
    job = get_job(ws, job_id)
    at_once = (
        update(JobRow)
        .where(JobRow.id == job_id, JobRow.status == JobStatus.QUEUED.value)
        .values(status=JobStatus.CANCELLED.value, step=JobStatus.CANCELLED.value, finished_at=now,
                cancel_requested=True, cancelled_by=user, error_json=json.dumps(cancelled_error(job.kind, user)))
        .returning(JobRow.workdir)
    )  # fmt: skip
    ask = (
        update(JobRow)
        .where(JobRow.id == job_id, JobRow.status == JobStatus.RUNNING.value)
        .values(cancel_requested=True, cancelled_by=user)
        .returning(JobRow.seq)
    )
    with ws.session() as s, s.begin():
        cancelled = s.execute(at_once).all()
        asked = [] if cancelled else s.execute(ask).all()
    if cancelled:
        _remove(cancelled[0][0])
    elif not asked:
        ended = get_job(ws, job_id).status
        raise InvalidTransition(f"job {job_id} has already ended ({ended.value}); there is nothing to cancel")
    return get_job(ws, job_id)


def cancelled_error(kind: str, user: str) -> dict[str, Any]:
    """The error of a cancelled job."""
    return {"kind": "Cancelled", "message": f"the {kind} job was cancelled by {user}"}


def interrupted_error(kind: str, why: str) -> dict[str, Any]:
    """The error of an interrupted job."""
    return {
        "kind": "Interrupted",
        "message": f"the {kind} job was interrupted ({why}); nothing it had not finished was kept: start it again",
    }


def interrupt_jobs(
    ws: Workspace, *, now: datetime, why: str, worker: str | None = None, stale_after_s: float | None = None
) -> list[str]:
    """Mark running jobs interrupted: those of ``worker`` (it is stopping), or those whose heartbeat is older
    than ``stale_after_s`` (their worker died). Returns their ids."""
    query = select(JobRow.id, JobRow.kind, JobRow.worker).where(JobRow.status == JobStatus.RUNNING.value)
    if worker is not None:
        query = query.where(JobRow.worker == worker)
    if stale_after_s is not None:
        query = query.where(JobRow.heartbeat_at < wall_clock() - timedelta(seconds=stale_after_s))
    with ws.session() as s:
        candidates = s.execute(query).all()
    ids: list[str] = []
    for job_id, kind, owner in candidates:
        # compare-and-set on the owner: a job that ended or moved meanwhile is left alone
        mark = (
            update(JobRow)
            .where(JobRow.id == job_id, JobRow.worker == owner, JobRow.status == JobStatus.RUNNING.value)
            .values(status=JobStatus.INTERRUPTED.value, step=JobStatus.INTERRUPTED.value, finished_at=now,
                    error_json=json.dumps(interrupted_error(kind, why)))
            .returning(JobRow.workdir)
        )  # fmt: skip
        if stale_after_s is not None:
            mark = mark.where(JobRow.heartbeat_at < wall_clock() - timedelta(seconds=stale_after_s))
        with ws.session() as s, s.begin():
            marked = s.execute(mark).all()
        if marked:
            _remove(marked[0][0])
            ids.append(job_id)
    return ids
