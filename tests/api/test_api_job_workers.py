"""`hedgerow serve` as shipped: jobs run in job worker processes (never in a web worker), survive restarts, can be
cancelled while they run, and the server stops within seconds with a job running, marking it interrupted.

A real server in a subprocess, on SQLite for the restarts and on PostgreSQL for the cancel (the queue's own tests
run on both: tests/services/test_jobs_queue.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from hedgerow.api.serve import GRACEFUL_S, KILL_AFTER_S
from hedgerow.api.worker import CANCEL_GRACE_S, HEARTBEAT_S, STOP_GRACE_S
from hedgerow.services.jobs import get_job
from hedgerow.services.workspace import open_workspace

from ..browser.conftest import free_port
from .conftest import NOW, SECRET
from .sim_ws import build_sim_workspace

pytestmark = pytest.mark.slow

#: The longest a stop may take: requests in flight, then the job worker's grace before it is killed.
STOP_BOUND_S = GRACEFUL_S + STOP_GRACE_S + KILL_AFTER_S + 2 * HEARTBEAT_S
#: A hang guard while a server starts (a slow start fails the test only through the server's own exit).
START_GUARD_S = 180.0
LONG_STRESS = {"kind": "stress", "params": {"name": "strike", "periods": 40}}


class Server:
    """A `hedgerow serve` subprocess: its URL, process and log."""

    def __init__(self, root: Path, log: Path, *args: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = os.environ | {"HEDGEROW_NOW": NOW.isoformat(), "HEDGEROW_SESSION_SECRET": SECRET}
        self.log = log.open("a")
        cmd = [sys.executable, "-c", "from hedgerow.cli import main; main()", "serve", "--port", str(self.port),
               "--workspace", str(root), *args]  # fmt: skip
        self.proc = subprocess.Popen(cmd, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_GUARD_S
        while True:
            try:
                if httpx.get(f"{self.base}/api/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                code = self.proc.poll()
                self.stop()
                why = f"exited with {code}" if code is not None else f"did not answer in {START_GUARD_S:.0f} s"
                tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
                raise RuntimeError(f"hedgerow serve {why}; its log ends:\n{tail}")
            time.sleep(0.1)

    def stop(self) -> float:
        """SIGTERM, wait; the seconds it took to exit."""
        began = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return time.monotonic() - began


@contextmanager
def served(root: Path, log: Path, *args: str) -> Iterator[Server]:
    server = Server(root, log, *args)
    try:
        yield server
    finally:
        server.stop()


def wait_for(base: str, headers: dict[str, str], job_id: str, done: Any, guard_s: float = 600.0) -> dict[str, Any]:
    """Poll a job until ``done(job)``; the job."""
    deadline = time.monotonic() + guard_s
    while time.monotonic() < deadline:
        job: dict[str, Any] = httpx.get(f"{base}/api/jobs/{job_id}", headers=headers, timeout=10).json()
        if done(job):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} never reached the state wanted")


def worker_pid(root: Path, job_id: str) -> int:
    with open_workspace(root) as ws:
        owner = get_job(ws, job_id).worker
    assert owner is not None
    return int(owner.split(":")[1])


def cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def sim_workspace(base: Path, ledger_url: str | None = None) -> tuple[Path, dict[str, dict[str, str]]]:
    root, keys = build_sim_workspace(base, ledger_url=ledger_url)
    return root, {u: {"Authorization": f"Bearer {k}"} for u, k in keys.items()}


@pytest.fixture
def sim(tmp_path: Path) -> tuple[Path, dict[str, dict[str, str]]]:
    """The simulator's workspace on SQLite."""
    return sim_workspace(tmp_path)


@pytest.fixture
def sim_pg(tmp_path: Path, pg_url: str) -> tuple[Path, dict[str, dict[str, str]]]:
    """The simulator's workspace with its ledger on PostgreSQL."""
    return sim_workspace(tmp_path, pg_url)


def test_jobs_run_in_worker_processes_survive_restarts_and_stop_with_the_server(
    sim: tuple[Path, dict[str, dict[str, str]]], tmp_path: Path
) -> None:
    root, keys = sim
    ada = keys["ada"]
    log = tmp_path / "server.log"
    # queued while no worker runs: it waits in the ledger across the restart
    with served(root, log, "--web-workers", "2", "--job-workers", "0") as server:
        waiting = httpx.post(f"{server.base}/api/jobs", json={"kind": "backtest", "params": {"periods": 20}},
                             headers=ada).json()  # fmt: skip
        assert waiting["status"] == "queued"
        time.sleep(2 * HEARTBEAT_S)
        assert httpx.get(f"{server.base}/api/jobs/{waiting['id']}", headers=ada).json()["status"] == "queued"

    with served(root, log, "--web-workers", "2", "--job-workers", "1") as server:
        done = wait_for(server.base, ada, waiting["id"], lambda j: j["status"] == "succeeded")
        assert done["result"]["kind"] == "backtest"
        pid = worker_pid(root, waiting["id"])
        assert pid != server.proc.pid
        assert "hedgerow.api.worker" in cmdline(pid)  # a job worker, not a web worker

        long = httpx.post(f"{server.base}/api/jobs", json=LONG_STRESS, headers=ada).json()
        running = wait_for(server.base, ada, long["id"], lambda j: j["status"] == "running" and j["done"] > 0)
        assert running["step"].startswith("without the shock")  # progress within the replay, per period
        took = server.stop()
    assert server.proc.returncode is not None
    assert took < STOP_BOUND_S, f"the server took {took:.1f} s to stop with a job running"
    with open_workspace(root) as ws:
        stopped = get_job(ws, long["id"])
    assert stopped.status.value == "interrupted"

    with served(root, log, "--web-workers", "1", "--job-workers", "1") as again:
        report = httpx.get(f"{again.base}/api/jobs/{waiting['id']}/report", headers=ada)
        assert report.status_code == 200  # the result outlived two restarts
        assert "<svg" in report.text
        listed = {j["id"]: j["status"] for j in httpx.get(f"{again.base}/api/jobs", headers=ada).json()}
        assert listed[long["id"]] == "interrupted"


@pytest.mark.postgres
def test_a_running_job_is_cancelled_and_the_workers_go_on(
    sim_pg: tuple[Path, dict[str, dict[str, str]]], tmp_path: Path
) -> None:
    root, keys = sim_pg
    ada, vic = keys["ada"], keys["vic"]
    with served(root, tmp_path / "server.log", "--web-workers", "1", "--job-workers", "1") as server:
        long = httpx.post(f"{server.base}/api/jobs", json=LONG_STRESS, headers=ada).json()
        wait_for(server.base, ada, long["id"], lambda j: j["status"] == "running" and j["done"] > 0)
        refused = httpx.post(f"{server.base}{long['cancel_url']}", headers=vic)
        assert refused.status_code == 403  # a viewer may not start stress jobs, nor cancel them
        asked = time.monotonic()
        cancel = httpx.post(f"{server.base}{long['cancel_url']}", headers=ada)
        assert cancel.status_code == 200
        assert cancel.json()["cancel_requested"] is True
        ended = wait_for(server.base, ada, long["id"], lambda j: j["status"] != "running")
        took = time.monotonic() - asked
        assert ended["status"] == "cancelled"
        assert ended["error"]["message"] == "the stress job was cancelled by ada"
        assert ended["done"] < ended["total"]
        assert took < CANCEL_GRACE_S + 3 * HEARTBEAT_S
        again = httpx.post(f"{server.base}{long['cancel_url']}", headers=ada)
        assert again.status_code == 409
        # the next job runs
        nxt = httpx.post(f"{server.base}/api/jobs", json={"kind": "backtest", "params": {"periods": 20}}, headers=ada)
        assert wait_for(server.base, ada, nxt.json()["id"], lambda j: j["finished_at"])["status"] == "succeeded"
