"""Browser tests: a real `hedgerow serve` on 127.0.0.1 (free port) driven by Playwright with Debian's Chromium.

Chromium is never downloaded: the tests use ``/usr/bin/chromium`` (``.ci/run`` installs it with apt). Without it
they are skipped with that reason, or fail when ``HEDGEROW_REQUIRE_BROWSER=1`` (CI). Screenshots go to
``test-artifacts/`` at the repository root.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from ..api.conftest import NOW, SECRET, Seeded, build_seeded
from ..conftest import ROOT

CHROMIUM = Path(os.environ.get("HEDGEROW_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
ARTIFACTS = ROOT / "test-artifacts"
#: A server may take this many times as long to answer as importing its app took in a fresh interpreter.
STARTUP_FACTOR = 6.0
#: What a measured start-up is of: the interpreter and every module `hedgerow serve` loads before it listens.
STARTUP_PROBE = "import hedgerow.cli.serve_cmds, hedgerow.api.app"
_measured_start: list[float] = []


def startup_timeout() -> float:
    """Seconds `hedgerow serve` gets to answer: :data:`STARTUP_FACTOR` × a measured start of the same modules.

    Measured once per test session, on this machine under its current load (a fixed timeout failed a
    fresh-clone `make test` on a busy machine).
    """
    if not _measured_start:
        began = time.monotonic()
        subprocess.run([sys.executable, "-c", STARTUP_PROBE], check=True, capture_output=True)
        _measured_start.append(time.monotonic() - began)
    return STARTUP_FACTOR * _measured_start[0]


def _require_chromium() -> None:
    if CHROMIUM.is_file():
        return
    if os.environ.get("HEDGEROW_REQUIRE_BROWSER") == "1":
        pytest.fail(f"HEDGEROW_REQUIRE_BROWSER=1 but {CHROMIUM} is missing: apt-get install -y chromium")
    pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install -y chromium (or set HEDGEROW_CHROMIUM)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(root: Path, log_dir: Path) -> Iterator[str]:
    """`hedgerow serve` on the workspace ``root`` (127.0.0.1, a free port, the tests' clock, one web worker and one
    job worker: several web workers are tested in tests/api/test_api_job_workers.py); yields its URL."""
    port = free_port()
    env = os.environ | {"HEDGEROW_NOW": NOW.isoformat(), "HEDGEROW_SESSION_SECRET": SECRET}
    log = (log_dir / "server.log").open("w")
    cmd = [sys.executable, "-c", "from hedgerow.cli import main; main()", "serve", "--port", str(port),
           "--workspace", str(root), "--web-workers", "1"]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    timeout = startup_timeout()
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"hedgerow serve did not answer within {timeout:.1f} s; see {log.name}")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Seeded]]:
    """`hedgerow serve` on a seeded workspace; yields its base URL and the seed."""
    _require_chromium()
    seeded = build_seeded(tmp_path_factory.mktemp("browser") / "ws")
    with serve(seeded.root, tmp_path_factory.mktemp("browser-log")) as base:
        yield base, seeded


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Chromium through Playwright."""
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Folder of the screenshots (kept between runs, gitignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def clean_artifacts() -> None:  # pragma: no cover - a helper for people, not for the tests
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
