"""The ledger's job queue on SQLite and PostgreSQL: one owner per claimed job under concurrent workers, progress,
cancel (queued and running), interruption of a worker that stops or dies, and jobs that outlive the process."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from hedgerow.api.config import system_clock
from hedgerow.api.jobs import JobContext, JobQueue, JobSpec
from hedgerow.api.worker import InlineWorkers, Worker
from hedgerow.decide.roles import Permission
from hedgerow.errors import InvalidTransition, NotFound
from hedgerow.services import jobs as queue
from hedgerow.services.jobs import JobStatus
from hedgerow.services.workspace import Workspace, init_workspace, open_workspace
from hedgerow.store.job_models import JobRow

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def ws(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    """A fresh workspace whose ledger is SQLite or PostgreSQL (pooled, as the server and workers open it)."""
    url = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    init_workspace(tmp_path / "ws", ledger_url=url).close()
    with open_workspace(tmp_path / "ws", ledger_url=url, pooled=True) as opened:
        yield opened


def count_to(ctx: JobContext) -> dict[str, Any]:
    """A job counting to ``n`` with a progress report per step (``pause_s`` between them)."""
    n = int(ctx.params["n"])
    for i in range(n):
        ctx.progress("counting", i, n)
        time.sleep(float(ctx.params.get("pause_s", 0.0)))
    return {"counted": n, "by": ctx.user}


def silent(ctx: JobContext) -> dict[str, Any]:
    """A job that reports no progress for ``seconds`` (it can only be stopped by its process ending)."""
    time.sleep(float(ctx.params["seconds"]))
    return {"slept": ctx.params["seconds"]}


COUNT = JobSpec("count", count_to, Permission.READ, "Count to n.")
SILENT = JobSpec("silent", silent, Permission.READ, "Sleep without a word.")


def test_a_job_is_queued_claimed_run_and_its_result_kept(ws: Workspace) -> None:
    jobs = JobQueue(ws, [COUNT], lambda: NOW)
    job = jobs.submit("count", {"n": 3}, user="pat")
    assert job.status is JobStatus.QUEUED
    assert jobs.active("count")[0]["id"] == job.id
    worker = Worker(ws, [COUNT], lambda: NOW)
    assert worker.run_one()
    assert not worker.run_one()  # nothing left
    done = jobs.snapshot(job.id)
    assert done["status"] == "succeeded"
    assert done["result"] == {"counted": 3, "by": "pat"}
    assert (done["step"], done["fraction"]) == ("done", 1.0)
    assert done["created_at"] == done["finished_at"] == NOW.isoformat()
    assert jobs.latest_result("count") == done
    assert jobs.list("count")[0]["result"] is None  # lists leave results out
    with pytest.raises(NotFound, match="no job 'nope'"):
        jobs.get("nope")


def test_concurrent_workers_never_claim_the_same_job(ws: Workspace) -> None:
    ids = {queue.submit_job(ws, "count", {"n": 0}, user="pat", now=NOW).id for _ in range(40)}
    claimed: list[str] = []
    lock = threading.Lock()

    def claimer(name: str) -> None:
        while (job := queue.claim_job(ws, worker=name, kinds=["count"], now=NOW)) is not None:
            with lock:
                claimed.append(job.id)

    threads = [threading.Thread(target=claimer, args=(f"w{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(claimed) == sorted(ids)  # each exactly once
    owners = {j.id: j.worker for j in queue.list_jobs(ws, limit=100)}
    assert all(j.status is JobStatus.RUNNING for j in queue.list_jobs(ws, limit=100))
    assert set(owners.values()) <= {f"w{i}" for i in range(6)}


def test_kinds_a_worker_does_not_know_stay_queued(ws: Workspace) -> None:
    other = queue.submit_job(ws, "silent", {"seconds": 0}, user="pat", now=NOW)
    assert not Worker(ws, [COUNT], lambda: NOW).run_one()
    assert queue.get_job(ws, other.id).status is JobStatus.QUEUED


def test_cancelling_a_queued_job_ends_it_at_once(ws: Workspace, tmp_path: Path) -> None:
    jobs = JobQueue(ws, [COUNT], lambda: NOW)
    folder = tmp_path / "upload"
    folder.mkdir()
    job = jobs.submit("count", {"n": 1}, user="pat", workdir=folder)
    out = jobs.cancel(job.id, user="ada")
    assert out["status"] == "cancelled"
    assert out["error"]["message"] == "the count job was cancelled by ada"
    assert not folder.exists()  # its uploads are removed
    assert not Worker(ws, [COUNT], lambda: NOW).run_one()  # never runs
    with pytest.raises(InvalidTransition, match="has already ended \\(cancelled\\)"):
        jobs.cancel(job.id, user="ada")


def test_cancelling_a_running_job_stops_it_at_its_next_progress_report(ws: Workspace) -> None:
    jobs = JobQueue(ws, [COUNT], lambda: NOW)
    job = jobs.submit("count", {"n": 10_000, "pause_s": 0.01}, user="pat")
    workers = InlineWorkers(ws, [COUNT], lambda: NOW, 1)
    workers.start()
    try:
        while jobs.get(job.id).done < 5:
            time.sleep(0.02)
        asked = time.monotonic()
        jobs.cancel(job.id, user="ada")
        final = jobs.wait(job.id, timeout_s=30)
        took = time.monotonic() - asked
    finally:
        workers.stop()
    assert final["status"] == "cancelled"
    assert final["error"]["message"] == "the count job was cancelled by ada"
    assert 5 <= final["done"] < 10_000
    assert took < 10 * 1.0  # within a few heartbeats, far from the 100 s the job would take


def test_stopping_workers_interrupts_the_running_job(ws: Workspace) -> None:
    jobs = JobQueue(ws, [SILENT], lambda: NOW)
    job = jobs.submit("silent", {"seconds": 3}, user="pat")
    workers = InlineWorkers(ws, [SILENT], lambda: NOW, 1)
    workers.start()
    while jobs.get(job.id).status is JobStatus.QUEUED:
        time.sleep(0.02)
    began = time.monotonic()
    workers.stop(timeout_s=0.5)  # the job reports nothing: the worker gives up on it
    assert time.monotonic() - began < 3
    final = jobs.get(job.id)
    assert final.status is JobStatus.INTERRUPTED
    assert final.error is not None
    assert "interrupted (the server stopped)" in final.error["message"]
    time.sleep(3.5)  # the abandoned thread ends with its job; its late result changes nothing
    assert jobs.get(job.id).status is JobStatus.INTERRUPTED


def test_a_job_whose_worker_died_is_swept_as_interrupted(ws: Workspace) -> None:
    job = queue.submit_job(ws, "count", {"n": 1}, user="pat", now=NOW)
    assert queue.claim_job(ws, worker="gone", kinds=["count"], now=NOW) is not None
    fresh = Worker(ws, [COUNT], lambda: NOW)
    assert fresh.sweep() == []  # its heartbeat is recent
    old = queue.wall_clock() - timedelta(seconds=queue.STALE_AFTER_S + 5)
    with ws.session() as s, s.begin():
        s.execute(update(JobRow).where(JobRow.id == job.id).values(heartbeat_at=old))
    assert fresh.sweep() == [job.id]
    assert queue.get_job(ws, job.id).status is JobStatus.INTERRUPTED
    # the dead worker's late answer changes nothing
    assert not queue.finish_job(ws, job.id, worker="gone", now=NOW, status=JobStatus.SUCCEEDED, result={})
    assert queue.get_job(ws, job.id).status is JobStatus.INTERRUPTED


def test_jobs_and_results_outlive_the_process_that_ran_them(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    init_workspace(root).close()
    with open_workspace(root, pooled=True) as ws:
        jobs = JobQueue(ws, [COUNT], system_clock)
        done = jobs.submit("count", {"n": 2}, user="pat")
        waiting = jobs.submit("count", {"n": 4}, user="pat")
        Worker(ws, [COUNT], system_clock).run_one()
    with open_workspace(root, pooled=True) as again:  # as after a restart
        jobs = JobQueue(again, [COUNT], system_clock)
        assert jobs.snapshot(done.id)["result"] == {"counted": 2, "by": "pat"}
        assert jobs.get(waiting.id).status is JobStatus.QUEUED
        Worker(again, [COUNT], system_clock).run_one()
        assert jobs.snapshot(waiting.id)["result"] == {"counted": 4, "by": "pat"}
