"""Background jobs with progress: a generic runner and the registry of job kinds.

A job kind is a :class:`JobSpec`: a function ``run(ctx) -> dict`` (JSON-ready result), the permission needed to
start it, an optional pydantic model of its parameters and an optional link to where its result is shown. The
:class:`JobRunner` runs jobs on a small thread pool, one workspace for all, and keeps their status, progress
(``step``, ``done`` of ``total``), result or error in memory (the newest :data:`KEEP_JOBS`; a restart forgets
them — what a job writes to the ledger stays there).

Kinds registered today are in :mod:`hedgerow.api.job_kinds`. Adding one (the planner's ``plan``, the
simulator's ``backtest`` and ``stress``) is one :class:`JobSpec` appended there; the API
(``POST /api/jobs``), the job status endpoint and the web pages pick it up without other changes.
"""

from __future__ import annotations

import itertools
import json
import logging
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from hedgerow.api.config import Clock
from hedgerow.api.errors import error_response
from hedgerow.decide.roles import Permission
from hedgerow.errors import HedgerowError, NotFound
from hedgerow.services.workspace import Workspace

log = logging.getLogger("hedgerow.api.jobs")

#: Finished jobs kept in memory (oldest forgotten first).
KEEP_JOBS = 200


class JobStatus(StrEnum):
    """Where a job is."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class JobContext:
    """What a job function gets.

    Attributes
    ----------
    ws:
        The served workspace.
    params:
        The job's parameters, validated by the spec's ``params_model`` when it has one.
    user:
        Who started it (the ledger user name).
    now:
        When it was started (timezone-aware); jobs use it as their clock.
    progress:
        ``progress(step, done, total)``: report what the job is doing.
    workdir:
        A private folder for the job's files (uploads), removed when it ends; None when the kind needs none.
    """

    ws: Workspace
    params: dict[str, Any]
    user: str
    now: datetime
    progress: Progress
    workdir: Path | None = None


JobFunction = Callable[[JobContext], dict[str, Any]]


@dataclass(frozen=True)
class JobSpec:
    """One kind of job.

    Attributes
    ----------
    kind:
        Name used in the API (``POST /api/jobs {"kind": ...}``).
    run:
        The job: returns a JSON-ready result; raises :class:`~hedgerow.errors.HedgerowError` for user errors.
    permission:
        Needed to start it.
    description:
        One line for the API and the web UI.
    params_model:
        Pydantic model of the parameters (None: no parameters).
    generic:
        Whether ``POST /api/jobs`` may start it (False for kinds that need server-side files, such as
        ``import``, started by their own upload endpoint).
    result_link:
        Where a finished job's result lives (an API path), from its result; ``{job_id}`` in it is replaced by the
        job's id.
    """

    kind: str
    run: JobFunction
    permission: Permission
    description: str
    params_model: type[BaseModel] | None = None
    generic: bool = True
    result_link: Callable[[dict[str, Any]], str | None] | None = None


@dataclass
class Job:
    """A job's state; read it through :meth:`JobRunner.get` (a snapshot dict via :meth:`to_dict`)."""

    id: str
    kind: str
    user: str
    params: dict[str, Any]
    created_at: datetime
    status: JobStatus = JobStatus.QUEUED
    step: str = "queued"
    done: int = 0
    total: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    result_link: str | None = None
    workdir: Path | None = field(default=None, repr=False)
    seq: int = 0

    @property
    def finished(self) -> bool:
        """True once the job succeeded or failed."""
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    @property
    def fraction(self) -> float:
        """Progress in [0, 1]."""
        if self.status is JobStatus.SUCCEEDED:
            return 1.0
        return min(1.0, self.done / self.total) if self.total > 0 else 0.0

    def to_dict(self, *, with_result: bool = True) -> dict[str, Any]:
        """JSON-ready form."""
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
            "result": self.result if with_result else None,
            "error": self.error,
            "result_link": self.result_link,
        }


class JobRunner:
    """Runs registered jobs in the background and keeps their state."""

    def __init__(self, ws: Workspace, specs: Iterable[JobSpec], clock: Clock, *, workers: int = 1) -> None:
        self._ws = ws
        self._clock = clock
        self._specs: dict[str, JobSpec] = {}
        for spec in specs:
            self.register(spec)
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._seq = itertools.count(1)
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="hedgerow-job")

    def register(self, spec: JobSpec) -> None:
        """Add a job kind (the extension point for the planner and the simulator)."""
        if spec.kind in self._specs:
            raise ValueError(f"job kind {spec.kind!r} is registered twice")
        self._specs[spec.kind] = spec

    @property
    def specs(self) -> dict[str, JobSpec]:
        """Registered kinds by name."""
        return dict(self._specs)

    def spec(self, kind: str) -> JobSpec:
        """The spec of ``kind``.

        Raises
        ------
        NotFound
            Naming the kinds that exist.
        """
        found = self._specs.get(kind)
        if found is None:
            names = ", ".join(sorted(self._specs)) or "none"
            raise NotFound(f"no job kind {kind!r}; registered kinds: {names}")
        return found

    def submit(self, kind: str, params: dict[str, Any], *, user: str, workdir: Path | None = None) -> Job:
        """Queue a job of ``kind``; returns it at once (status queued)."""
        spec = self.spec(kind)
        job = Job(
            id=uuid.uuid4().hex[:16],
            kind=kind,
            user=user,
            params=params,
            created_at=self._clock(),
            workdir=workdir,
            seq=next(self._seq),
        )
        with self._lock:
            self._jobs[job.id] = job
            self._forget_old()
        self._pool.submit(self._run, spec, job)
        return job

    def _forget_old(self) -> None:
        finished = [j for j in self._jobs.values() if j.finished]
        for old in sorted(finished, key=lambda j: j.seq)[: max(0, len(self._jobs) - KEEP_JOBS)]:
            del self._jobs[old.id]

    def _run(self, spec: JobSpec, job: Job) -> None:
        def progress(step: str, done: int, total: int) -> None:
            with self._lock:
                job.step, job.done, job.total = step, int(done), int(total)

        with self._lock:
            job.status, job.started_at, job.step = JobStatus.RUNNING, self._clock(), "starting"
        ctx = JobContext(
            ws=self._ws,
            params=job.params,
            user=job.user,
            now=job.created_at,
            progress=progress,
            workdir=job.workdir,
        )
        try:
            result = spec.run(ctx)
            link = spec.result_link(result) if spec.result_link else None
            link = link.replace("{job_id}", job.id) if link else None
            with self._lock:
                job.result, job.result_link, job.status, job.step = result, link, JobStatus.SUCCEEDED, "done"
        except HedgerowError as exc:
            body = error_response(exc).body
            with self._lock:
                job.error = json.loads(bytes(body))["error"]
                job.status, job.step = JobStatus.FAILED, "failed"
        except Exception as exc:  # a bug: keep the server alive, record it
            log.exception("job %s (%s) failed", job.id, job.kind)
            with self._lock:
                job.error = {"kind": "InternalError", "message": f"internal error in the {job.kind} job: {exc}"}
                job.status, job.step = JobStatus.FAILED, "failed"
        finally:
            with self._lock:
                job.finished_at = self._clock()
            if job.workdir is not None:
                shutil.rmtree(job.workdir, ignore_errors=True)

    def get(self, job_id: str) -> Job:
        """A job by id.

        Raises
        ------
        NotFound
            When no job has that id (or it was forgotten).
        """
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFound(f"no job {job_id!r} (jobs are kept in memory until the server restarts)")
        return job

    def snapshot(self, job_id: str) -> dict[str, Any]:
        """A consistent JSON-ready copy of a job's state."""
        job = self.get(job_id)
        with self._lock:
            return job.to_dict()

    def list(self, kind: str | None = None, *, limit: int = 50) -> list[dict[str, Any]]:
        """Jobs, newest first (without their results)."""
        with self._lock:
            jobs = [j for j in self._jobs.values() if kind is None or j.kind == kind]
            jobs.sort(key=lambda j: j.seq, reverse=True)
            return [j.to_dict(with_result=False) for j in jobs[:limit]]

    def latest_result(self, kind: str) -> dict[str, Any] | None:
        """The newest succeeded job of ``kind`` (with its result), or None."""
        with self._lock:
            done = [j for j in self._jobs.values() if j.kind == kind and j.status is JobStatus.SUCCEEDED]
            if not done:
                return None
            return max(done, key=lambda j: j.seq).to_dict()

    def wait(self, job_id: str, timeout_s: float = 60.0) -> dict[str, Any]:
        """Block until a job finishes (tests and scripts); returns its final state."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            state = self.snapshot(job_id)
            if state["status"] in (JobStatus.SUCCEEDED.value, JobStatus.FAILED.value):
                return state
            time.sleep(0.02)
        raise TimeoutError(f"job {job_id} did not finish within {timeout_s} s")

    def shutdown(self) -> None:
        """Stop taking jobs and wait for the running one."""
        self._pool.shutdown(wait=True, cancel_futures=True)
