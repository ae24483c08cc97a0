"""Job workers: take queued jobs from the ledger and run them, one at a time per worker.

A :class:`Worker` claims the oldest queued job it knows (:func:`hedgerow.services.jobs.claim_job`), runs its
:class:`~hedgerow.api.jobs.JobSpec` and stores the result or the error. While a job runs, a watcher thread writes
a heartbeat every :data:`HEARTBEAT_S` seconds and reads whether someone asked to cancel it; the job stops at its
next progress report (:class:`~hedgerow.api.jobs.JobCancelled`).

Two ways to run workers:

* **processes** (``hedgerow worker``, or the ones ``hedgerow serve`` starts), at a lower priority than the web
  workers (:data:`NICENESS`): SIGTERM or SIGINT marks the running
  job interrupted and ends the process within :data:`STOP_GRACE_S` seconds; a job asked to cancel that reports no
  progress for :data:`CANCEL_GRACE_S` seconds is marked cancelled and its process exits (the server starts a new
  one), so a cancel never waits for a long step to finish;
* **threads** inside one process (tests, and the single-process baseline of ``bench/web_load.py``): the same loop,
  stopping cooperatively.

Idle workers poll the queue every :data:`POLL_S` seconds and, every :data:`SWEEP_S` seconds, mark interrupted the
running jobs whose worker stopped writing heartbeats (:data:`hedgerow.services.jobs.STALE_AFTER_S`).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from itertools import count
from pathlib import Path
from types import FrameType
from typing import Any

from hedgerow.api.config import Clock, system_clock
from hedgerow.api.errors import error_response
from hedgerow.api.jobs import JobCancelled, JobContext, JobSpec
from hedgerow.errors import HedgerowError
from hedgerow.services import jobs as queue
from hedgerow.services.jobs import JobState, JobStatus
from hedgerow.services.workspace import Workspace, open_workspace

log = logging.getLogger("hedgerow.worker")

#: Idle workers look for queued jobs this often, seconds.
POLL_S = 0.5
#: A running job's heartbeat (and the check for a cancel request) this often, seconds.
HEARTBEAT_S = 1.0
#: Progress is written at most this often (a step change or the last report is always written), seconds.
PROGRESS_EVERY_S = 0.25
#: Idle workers sweep jobs whose worker died this often, seconds.
SWEEP_S = 10.0
#: A worker process asked to stop (SIGTERM) gives its job this long to reach a progress report, seconds.
STOP_GRACE_S = 2.0
#: A worker process whose job ignores a cancel for this long marks it cancelled and exits, seconds.
CANCEL_GRACE_S = 5.0
#: Niceness a worker process adds to itself: the operating system then gives the cores to the web workers first,
#: so a plan running at peak does not slow the pages (bench/web_load.py --peak).
NICENESS = 10
#: Exit status of a worker process that left a job that would not stop (the server starts another).
EXIT_ABANDONED = 3

_names = count(1)


def worker_name() -> str:
    """A name unique to this worker: host, process id and a counter."""
    return f"{socket.gethostname()}:{os.getpid()}:{next(_names)}"


class _Run:
    """The state of the job a worker is running, shared by the job's thread and the watcher."""

    def __init__(self, job: JobState) -> None:
        self.job = job
        self.halt: JobStatus | None = None
        self.halt_since = 0.0
        self.ended = threading.Event()
        self.last_write = 0.0
        self.last_step = ""

    def stop(self, status: JobStatus) -> None:
        if self.halt is None:
            self.halt, self.halt_since = status, time.monotonic()


class Worker:
    """Runs queued jobs of the registered kinds.

    Parameters
    ----------
    ws:
        The workspace whose ledger holds the queue.
    specs:
        The kinds this worker runs (others stay queued for a worker that knows them).
    clock:
        The jobs' clock (``$HEDGEROW_NOW`` pins the default).
    process:
        Whether the worker owns its process: it may then exit to abandon a job that ignores a cancel or a stop.
    """

    def __init__(
        self, ws: Workspace, specs: Iterable[JobSpec], clock: Clock = system_clock, *, process: bool = False
    ) -> None:
        self.ws = ws
        self.specs = {s.kind: s for s in specs}
        self.clock = clock
        self.process = process
        self.name = worker_name()
        self._last_sweep = -SWEEP_S  # sweep when starting

    def sweep(self) -> list[str]:
        """Mark interrupted the running jobs whose worker stopped writing heartbeats."""
        self._last_sweep = time.monotonic()
        lost = queue.interrupt_jobs(
            self.ws, now=self.clock(), why="its worker stopped answering", stale_after_s=queue.STALE_AFTER_S
        )
        for job_id in lost:
            log.warning("job %s lost its worker: marked interrupted", job_id)
        return lost

    def run(self, stop: threading.Event) -> None:
        """Take and run jobs until ``stop`` is set."""
        while not stop.is_set():
            try:
                if time.monotonic() - self._last_sweep > SWEEP_S:
                    self.sweep()
                if self.run_one(stop):
                    continue
            except Exception:  # the ledger is away or busy: keep the worker, try again after a pause
                log.exception("worker %s: the queue could not be read or written", self.name)
            stop.wait(POLL_S)

    def run_one(self, stop: threading.Event | None = None) -> bool:
        """Claim and run one queued job; False when there was none."""
        job = queue.claim_job(self.ws, worker=self.name, kinds=self.specs, now=self.clock())
        if job is None:
            return False
        log.info("job %s (%s) started by %s", job.id, job.kind, job.user)
        run = _Run(job)
        watcher = threading.Thread(
            target=self._watch, args=(run, stop or threading.Event()), name=f"watch-{job.id}", daemon=True
        )
        watcher.start()
        try:
            self._execute(run)
        finally:
            run.ended.set()
            watcher.join()
        return True

    def _progress(self, run: _Run, step: str, done: int, total: int) -> None:
        if run.halt is not None:
            raise JobCancelled(run.halt)
        moment = time.monotonic()
        if step == run.last_step and done < total and moment - run.last_write < PROGRESS_EVERY_S:
            return
        run.last_step, run.last_write = step, moment
        queue.report_progress(self.ws, run.job.id, worker=self.name, step=step, done=done, total=total)

    def _execute(self, run: _Run) -> None:
        job = run.job
        spec = self.specs[job.kind]
        ctx = JobContext(
            ws=self.ws,
            params=job.params,
            user=job.user,
            now=job.created_at,
            progress=lambda step, done, total: self._progress(run, step, done, total),
            workdir=job.workdir,
        )
        end: dict[str, Any]
        try:
            result = spec.run(ctx)
            link = spec.result_link(result) if spec.result_link else None
            end = {
                "status": JobStatus.SUCCEEDED,
                "result": result,
                "result_link": link.replace("{job_id}", job.id) if link else None,
            }
        except JobCancelled as exc:
            end = {"status": exc.status, "error": self._halt_error(job, exc.status)}
        except HedgerowError as exc:
            end = {"status": JobStatus.FAILED, "error": json.loads(bytes(error_response(exc).body))["error"]}
        except Exception as exc:  # a bug: keep the worker alive, record it
            log.exception("job %s (%s) failed", job.id, job.kind)
            message = f"internal error in the {job.kind} job: {exc}"
            end = {"status": JobStatus.FAILED, "error": {"kind": "InternalError", "message": message}}
        queue.finish_job(self.ws, job.id, worker=self.name, now=self.clock(), **end)
        log.info("job %s (%s) %s", job.id, job.kind, end["status"].value)

    def _halt_error(self, job: JobState, status: JobStatus) -> dict[str, Any]:
        if status is JobStatus.CANCELLED:
            who = queue.get_job(self.ws, job.id).cancelled_by or "someone"
            return queue.cancelled_error(job.kind, who)
        return queue.interrupted_error(job.kind, "the worker was stopped")

    def _watch(self, run: _Run, stop: threading.Event) -> None:
        """Heartbeats and cancel checks while the job runs; in a worker process, abandon a job that will not stop."""
        next_beat = 0.0
        while not run.ended.wait(0.1):
            if stop.is_set():
                run.stop(JobStatus.INTERRUPTED)
            moment = time.monotonic()
            if moment >= next_beat:
                next_beat = moment + HEARTBEAT_S
                try:
                    if queue.heartbeat(self.ws, run.job.id, worker=self.name):
                        run.stop(JobStatus.CANCELLED)
                except Exception:  # the ledger is busy or away: try again at the next beat
                    log.exception("heartbeat of job %s failed", run.job.id)
            if self.process and run.halt is not None:
                grace = STOP_GRACE_S if run.halt is JobStatus.INTERRUPTED else CANCEL_GRACE_S
                if moment - run.halt_since > grace:
                    self._abandon(run)

    def _abandon(self, run: _Run) -> None:
        """End the process, leaving the job marked as it was asked to end (the ledger rolls back its open work)."""
        assert run.halt is not None
        log.warning("job %s did not stop within its grace: marked %s, worker exits", run.job.id, run.halt.value)
        try:
            queue.finish_job(
                self.ws,
                run.job.id,
                worker=self.name,
                now=self.clock(),
                status=run.halt,
                error=self._halt_error(run.job, run.halt),
            )
        finally:
            logging.shutdown()
            os._exit(EXIT_ABANDONED if run.halt is JobStatus.CANCELLED else 0)


class InlineWorkers:
    """Worker threads inside the calling process (tests and the single-process baseline; never ``hedgerow serve``)."""

    def __init__(self, ws: Workspace, specs: Sequence[JobSpec], clock: Clock, count: int) -> None:
        self.workers = [Worker(ws, specs, clock) for _ in range(count)]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Start the threads (again after :meth:`stop`: an app's lifespan may run more than once in tests)."""
        self._stop = threading.Event()
        self._threads = []
        for w in self.workers:
            thread = threading.Thread(target=w.run, args=(self._stop,), name=f"job-{w.name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout_s: float = STOP_GRACE_S) -> None:
        """Ask the threads to stop; jobs still running after ``timeout_s`` are marked interrupted and left behind."""
        self._stop.set()
        deadline = time.monotonic() + timeout_s
        for w, thread in zip(self.workers, self._threads, strict=True):
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                queue.interrupt_jobs(w.ws, now=w.clock(), why="the server stopped", worker=w.name)


def run_worker_process(
    root: Path, specs: Sequence[JobSpec], *, ledger_url: str | None = None, parent: int | None = None
) -> None:
    """Run one worker in this process until SIGTERM or SIGINT (``hedgerow worker``), or until the process
    ``parent`` (the ``hedgerow serve`` that started it) is gone."""
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    os.nice(NICENESS)
    if parent is not None:

        def orphaned() -> None:
            while not stop.wait(HEARTBEAT_S):
                if os.getppid() != parent:
                    log.warning("the server that started this worker is gone: stopping")
                    stop.set()

        threading.Thread(target=orphaned, name="parent-watch", daemon=True).start()
    with open_workspace(root, ledger_url=ledger_url, pooled=True) as ws:
        worker = Worker(ws, specs, system_clock, process=True)
        log.info("worker %s on %s: kinds %s", worker.name, root, ", ".join(sorted(worker.specs)))
        worker.run(stop)


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m hedgerow.api.worker --workspace DIR``: what ``hedgerow serve`` starts for each job worker."""
    parser = argparse.ArgumentParser(prog="python -m hedgerow.api.worker", description=__doc__)
    parser.add_argument("--workspace", type=Path, required=True)
    parser.add_argument("--ledger-url", default=None)
    parser.add_argument("--parent", type=int, default=None, help="stop when this process (the server) is gone")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s", stream=sys.stderr)
    from hedgerow.api.job_kinds import DEFAULT_JOBS

    try:
        run_worker_process(args.workspace, DEFAULT_JOBS, ledger_url=args.ledger_url, parent=args.parent)
    except HedgerowError as exc:
        print(f"hedgerow worker: {exc}", file=sys.stderr)
        raise SystemExit(1) from None


if __name__ == "__main__":  # pragma: no cover - the process entry point
    main()
