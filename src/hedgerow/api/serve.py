"""``hedgerow serve``: web server processes behind one port and job worker processes beside them.

The process that runs :func:`serve` supervises:

* **web workers** — uvicorn serving :func:`hedgerow.api.create_app`: in this process when there is one, else
  ``config.web_workers`` processes sharing the listening socket (uvicorn's multiprocess mode, each building its
  app with :func:`app_from_env`). They never run a job.
* **job workers** — ``config.job_workers`` processes of :mod:`hedgerow.api.worker`, each running one job at a
  time from the ledger's queue, restarted when one ends unexpectedly (for instance after abandoning a job that
  ignored a cancel).

All share one session secret (made once here when none is set), so a sign-in made on one web worker is valid on
the others. SIGTERM or SIGINT stops the web workers (requests in flight get :data:`GRACEFUL_S` seconds), then the
job workers, which mark their running jobs interrupted: the whole server is down within seconds even while a plan
runs.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
from dataclasses import asdict
from pathlib import Path
from types import FrameType

from fastapi import FastAPI

from hedgerow.api.config import ENV_SESSION_SECRET, ServerConfig
from hedgerow.api.worker import STOP_GRACE_S

log = logging.getLogger("hedgerow.serve")

#: Environment variable carrying the server settings to the web worker processes.
ENV_SERVE = "HEDGEROW_SERVE_SETTINGS"
#: Seconds requests in flight get to finish when the server stops.
GRACEFUL_S = 3
#: Seconds between checks that every job worker is alive.
MONITOR_S = 1.0
#: Seconds a web worker process may take to start (import, open the ledger) or to answer uvicorn's health check
#: before uvicorn replaces it: generous, because a busy machine starts processes slowly.
HEALTHCHECK_S = 120
#: Extra seconds a stopping job worker gets beyond its own grace before it is killed.
KILL_AFTER_S = 3.0


class JobWorkers:
    """The job worker processes of a server: started, restarted when one dies, stopped with the server."""

    def __init__(self, root: Path, count: int) -> None:
        self.root = root
        self.count = count
        self.processes: list[subprocess.Popen[bytes]] = []
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._monitor = threading.Thread(target=self._watch, name="job-worker-monitor", daemon=True)

    def _spawn(self) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-c", "from hedgerow.api.worker import main; main()", "--workspace", str(self.root),
                   "--parent", str(os.getpid())]  # fmt: skip
        return subprocess.Popen(command)

    def start(self) -> None:
        """Start the workers and the thread that restarts them."""
        with self._lock:
            self.processes = [self._spawn() for _ in range(self.count)]
        if self.count:
            self._monitor.start()

    def _watch(self) -> None:
        while not self._stopping.wait(MONITOR_S):
            with self._lock:
                for i, proc in enumerate(self.processes):
                    code = proc.poll()
                    if code is not None and not self._stopping.is_set():
                        log.warning("job worker %d (pid %d) ended with status %d: starting another", i, proc.pid, code)
                        self.processes[i] = self._spawn()

    def begin_stop(self) -> None:
        """Ask every worker to stop (their running jobs are marked interrupted), without waiting: safe in a signal
        handler."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        for proc in list(self.processes):
            if proc.poll() is None:
                proc.terminate()

    def stop(self) -> None:
        """Ask every worker to stop and wait for them; kill those that do not stop in time."""
        self.begin_stop()
        with self._lock:
            for proc in self.processes:  # again: the monitor may have started one as the stop began
                if proc.poll() is None:
                    proc.terminate()
            for proc in self.processes:
                try:
                    proc.wait(STOP_GRACE_S + KILL_AFTER_S)
                except subprocess.TimeoutExpired:
                    log.warning("job worker pid %d did not stop: killed", proc.pid)
                    proc.kill()
                    proc.wait()


def app_from_env() -> FastAPI:
    """The app of one web worker process, from the settings :func:`serve` put in ``$HEDGEROW_SERVE_SETTINGS``."""
    from hedgerow.api.app import create_app

    settings = json.loads(os.environ[ENV_SERVE])
    root = Path(settings.pop("workspace_root"))
    return create_app(root, ServerConfig(**settings))


def serve(root: Path, config: ServerConfig, *, inline_jobs: bool = False) -> None:
    """Serve ``root`` until SIGTERM or SIGINT (see the module's docstring).

    ``inline_jobs`` runs the jobs on threads of the one web process instead of job worker processes: the
    single-process design ``bench/web_load.py`` measures against, not for production.
    """
    import uvicorn
    from uvicorn.supervisors.multiprocess import Multiprocess

    from hedgerow.api.app import create_app

    cfg = config.checked()
    assert cfg.session_secret is not None
    os.environ[ENV_SESSION_SECRET] = cfg.session_secret  # every web worker signs sessions with the same key
    workers = JobWorkers(root, 0 if inline_jobs else cfg.job_workers)

    class OneProcess(uvicorn.Server):
        """uvicorn in this process; the job workers start once it serves (not competing with its start-up for the
        cores), and a stop signal also stops them at once."""

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            workers.start()

        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            workers.begin_stop()
            super().handle_exit(sig, frame)

    class Processes(Multiprocess):
        """uvicorn's web worker processes; a stop signal also stops the job workers at once (uvicorn only queues
        it for its supervising loop, which may be busy checking its workers' health)."""

        def __init__(self, config: uvicorn.Config, sockets: list[socket.socket]) -> None:
            super().__init__(config, sockets)
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, self._stop)

        def _stop(self, sig: int, _frame: FrameType | None) -> None:
            workers.begin_stop()
            self.signal_queue.append(sig)
            self.should_exit.set()

    common = {"host": cfg.host, "port": cfg.port, "log_level": "info", "access_log": False,
              "timeout_graceful_shutdown": GRACEFUL_S, "timeout_worker_healthcheck": HEALTHCHECK_S}  # fmt: skip
    try:
        if cfg.web_workers == 1 or inline_jobs:
            app = create_app(root, cfg, inline_workers=cfg.job_workers if inline_jobs else 0)
            OneProcess(uvicorn.Config(app, **common)).run()  # type: ignore[arg-type]
        else:
            os.environ[ENV_SERVE] = json.dumps(asdict(cfg) | {"workspace_root": str(root)})
            web = uvicorn.Config("hedgerow.api.serve:app_from_env", factory=True, workers=cfg.web_workers, **common)  # type: ignore[arg-type]
            workers.start()
            Processes(web, [web.bind_socket()]).run()
    finally:
        workers.stop()
