"""Background jobs: the job kinds (:class:`JobSpec`) and the web server's view of the queue (:class:`JobQueue`).

A job kind is a :class:`JobSpec`: a function ``run(ctx) -> dict`` (JSON-ready result), the permission needed to
start it, an optional pydantic model of its parameters and an optional link to where its result is shown.

The web server never runs a job: :class:`JobQueue` writes a queued row to the ledger's ``jobs`` table
(:mod:`hedgerow.services.jobs`) and reads rows back; worker processes (:mod:`hedgerow.api.worker`, started by
``hedgerow serve`` or ``hedgerow worker``) claim the rows and run them. So jobs, their progress and their results
survive a restart of either, and a plan running in a worker does not slow the pages.

Kinds registered today are in :mod:`hedgerow.api.job_kinds`. Adding one is one :class:`JobSpec` appended there;
the API (``POST /api/jobs``), the job status endpoint, the workers and the web pages pick it up.
"""

from __future__ import annotations

import builtins
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from hedgerow.api.config import Clock
from hedgerow.decide.roles import Permission
from hedgerow.errors import HedgerowError, NotFound
from hedgerow.services import jobs as queue
from hedgerow.services.jobs import JobState, JobStatus
from hedgerow.services.workspace import Workspace

Progress = Callable[[str, int, int], None]

#: How often :meth:`JobQueue.wait` looks at a job, seconds.
WAIT_POLL_S = 0.05


class JobCancelled(HedgerowError):
    """Raised inside a job at its next progress report once it was asked to stop (cancelled or interrupted)."""

    def __init__(self, status: JobStatus) -> None:
        super().__init__(f"the job was {status.value}")
        self.status = status


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
        ``progress(step, done, total)``: report what the job is doing; raises :class:`JobCancelled` once the
        job was asked to stop, so a job that reports often stops promptly.
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
        Needed to start it (and to cancel someone else's).
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


class JobQueue:
    """The registered job kinds and the ledger's job queue, as the web server uses them (it never runs jobs)."""

    def __init__(self, ws: Workspace, specs: Iterable[JobSpec], clock: Clock) -> None:
        self._ws = ws
        self._clock = clock
        self._specs: dict[str, JobSpec] = {}
        for spec in specs:
            self.register(spec)

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

    def submit(self, kind: str, params: dict[str, Any], *, user: str, workdir: Path | None = None) -> JobState:
        """Queue a job of ``kind``; returns it at once (status queued). A worker process runs it."""
        spec = self.spec(kind)
        return queue.submit_job(self._ws, spec.kind, params, user=user, now=self._clock(), workdir=workdir)

    def get(self, job_id: str) -> JobState:
        """A job by id (NotFound when there is none)."""
        return queue.get_job(self._ws, job_id)

    def snapshot(self, job_id: str) -> dict[str, Any]:
        """A job's JSON-ready state with its result."""
        return self.get(job_id).to_dict()

    def list(
        self, kind: str | None = None, *, limit: int = 50, statuses: Iterable[JobStatus] | None = None
    ) -> list[dict[str, Any]]:
        """Jobs, newest first (without their results)."""
        return [j.to_dict(with_result=False) for j in queue.list_jobs(self._ws, kind, statuses=statuses, limit=limit)]

    def active(self, kind: str | None = None, *, limit: int = 20) -> builtins.list[dict[str, Any]]:
        """Queued and running jobs, newest first."""
        return self.list(kind, limit=limit, statuses=(JobStatus.QUEUED, JobStatus.RUNNING))

    def latest_result(self, kind: str) -> dict[str, Any] | None:
        """The newest succeeded job of ``kind`` (with its result), or None."""
        found = queue.latest_result(self._ws, kind)
        return found.to_dict() if found is not None else None

    def cancel(self, job_id: str, *, user: str) -> dict[str, Any]:
        """Cancel a job (see :func:`hedgerow.services.jobs.request_cancel`); its state after the request."""
        return queue.request_cancel(self._ws, job_id, user=user, now=self._clock()).to_dict()

    def wait(self, job_id: str, timeout_s: float = 60.0) -> dict[str, Any]:
        """Block until a job ends (tests and scripts); returns its final state.

        Raises
        ------
        TimeoutError
            When it has not ended within ``timeout_s``.
        """
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            state = self.get(job_id)
            if state.finished:
                return state.to_dict()
            time.sleep(WAIT_POLL_S)
        raise TimeoutError(f"job {job_id} did not finish within {timeout_s} s")
