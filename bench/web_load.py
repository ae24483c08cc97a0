"""Benchmark: list endpoints under 50 concurrent clients on loopback (issue 8 target: p99 < 100 ms), on SQLite
and on PostgreSQL.

A real ``hedgerow serve`` (one uvicorn process, as shipped) serves a demo workspace whose ledger holds a plan of
500 recommendations, holds, imports and audit events. 50 clients, each on its own keep-alive connection, cycle
through the list endpoints with an API key for ``--seconds``; every request's latency (send → whole body read)
is kept. Two runs per backend: 50 users who pause ``--think-ms`` (uniform 0.5–1.5×) between requests — people
at their screens — and 50 clients back to back with no pause (saturation: latency is then queueing behind the
one server process, and the figure to read is the throughput).
The client is a minimal asyncio HTTP/1.1 client so that the load generator, which shares the 2 cores with the
server, costs as little as possible. Reported per backend: requests, throughput, p50, p90, p99, max (ms).

Run: ``python -m bench.web_load [--seconds 20] [--clients 50] [--backend sqlite|postgres|both]``.
PostgreSQL: a private server is started with ``scripts/pg-test-server`` on its own port and stopped afterwards.

**Peak** (``--peak``, issue 16: "the server returns a 500 at Black Friday"): 200 users (``--clients``) on list and
decision endpoints while a plan job runs, side by side on two servers of the same workspace copy:

* **single process** — ``hedgerow serve --web-workers 1 --inline-jobs``: one uvicorn process that also runs the
  plan on a thread of its own (the design before the job queue);
* **workers** — ``hedgerow serve --web-workers 2 --job-workers 1``: two web processes behind the port, the plan in
  a job worker process.

Each run starts a plan job (``POST /api/jobs {"kind": "plan"}`` as an admin), waits until it is running, then lets
the users work for ``--seconds`` or until the plan ends, whichever is first. A user pauses ``--think-ms`` (uniform
0.5–1.5×) between requests; one request in ``--decide-every`` approves one of the recommendations assigned to
that user (each recommendation to one user only). Reported: requests, list p50/p90/p99/max, decision p50/p99,
errors (any answer but 200 — a 409 counts), and lost decisions: approvals answered 200 whose recommendation is
not approved by that user in the ledger afterwards, plus recommendations approved without a 200 answer.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.web_common import NOW, ROOT, build

ENDPOINTS = (
    "/api/recommendations?limit=50",
    "/api/holds",
    "/api/plans",
    "/api/audit/events?limit=50",
    "/api/imports?limit=50",
    "/api/exports",
    "/api/queue/summary",
)
BY_PATH: dict[str, list[float]] = {}
PG_ENV = {"HEDGEROW_PG_PORT": "55491", "HEDGEROW_PG_DIR": "/tmp/hedgerow-pg-web-bench"}


def start_server(root: Path, serve_args: list[str], env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    """``hedgerow serve`` on ``root`` (a free port, the benchmark's clock and secret), once it answers; (process, port)."""
    port = free_port()
    env = env | {"HEDGEROW_NOW": NOW.isoformat(), "HEDGEROW_SESSION_SECRET": "l" * 48}
    cmd = [sys.executable, "-c", "from hedgerow.cli import main; main()", "serve", "--port", str(port),
           "--workspace", str(root), *serve_args]  # fmt: skip
    server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return server, port
        except httpx.TransportError:
            pass
        if server.poll() is not None:
            raise RuntimeError("hedgerow serve did not start")
        time.sleep(0.2)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def client(
    port: int, key: str, offset: int, stop_at: float, latencies: list[float], errors: list[str], think_s: float
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = offset
    rng = random.Random(offset)
    try:
        while time.perf_counter() < stop_at:
            if think_s > 0:
                await asyncio.sleep(think_s * rng.uniform(0.5, 1.5))
            path = ENDPOINTS[i % len(ENDPOINTS)]
            i += 1
            start = time.perf_counter()
            status, _ = await _send(reader, writer, "GET", path, key)
            latencies.append((time.perf_counter() - start) * 1000)
            BY_PATH.setdefault(path, []).append(latencies[-1])
            if status != 200:
                errors.append(f"{status} {path}")
    finally:
        writer.close()


async def load(port: int, key: str, clients: int, seconds: float, think_s: float) -> tuple[list[float], list[str]]:
    latencies: list[float] = []
    errors: list[str] = []
    warm_until = time.perf_counter() + 2.0
    await asyncio.gather(*(client(port, key, i, warm_until, [], errors, think_s) for i in range(clients)))
    stop_at = time.perf_counter() + seconds
    await asyncio.gather(*(client(port, key, i, stop_at, latencies, errors, think_s) for i in range(clients)))
    return latencies, errors


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1) + 0.5))]


def run_backend(name: str, ledger_url: str | None, args: argparse.Namespace) -> dict[str, dict[str, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        if ledger_url:
            env["HEDGEROW_LEDGER_URL"] = ledger_url
        bench = build(Path(tmp) / "ws", args.recs, ledger_url=ledger_url)
        server, port = start_server(bench.root, ["--web-workers", "1"], env)
        try:
            for path in ENDPOINTS:
                r = httpx.get(f"http://127.0.0.1:{port}{path}", headers={"X-API-Key": bench.viewer_key}, timeout=10)
                assert r.status_code == 200, (path, r.text)
            out = {}
            for label, think in ((f"{args.clients} users, think {args.think_ms:g} ms", args.think_ms / 1000),
                                 (f"{args.clients} clients back to back", 0.0)):  # fmt: skip
                load_before = os.getloadavg()[0]
                latencies, errors = asyncio.run(load(port, bench.viewer_key, args.clients, args.seconds, think))
                if errors:
                    raise RuntimeError(f"{len(errors)} requests failed, e.g. {errors[:3]}")
                if args.per_path:
                    for p, values in sorted(BY_PATH.items()):
                        print(f"  {label} {p}: p50 {statistics.median(values):.0f} p99 {pct(values, 0.99):.0f} ms")
                BY_PATH.clear()
                out[label] = {
                    "requests": len(latencies),
                    "rps": len(latencies) / args.seconds,
                    "p50": statistics.median(latencies),
                    "p90": pct(latencies, 0.90),
                    "p99": pct(latencies, 0.99),
                    "max": max(latencies),
                    "load": load_before,
                }
        finally:
            server.terminate()
            server.wait(timeout=20)
    return out


def postgres_url() -> tuple[str, str]:
    """A fresh database on a private server: (its URL, the server URL)."""
    env = os.environ | PG_ENV
    server = subprocess.run([str(ROOT / "scripts" / "pg-test-server"), "start"], env=env, capture_output=True,
                            text=True, check=True).stdout.strip()  # fmt: skip
    if not server:
        raise RuntimeError("no PostgreSQL binaries: apt-get install -y postgresql")
    name = f"hedgerow_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False), server


async def _send(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, method: str, path: str, key: str, body: bytes = b""
) -> tuple[int, bytes]:
    """One HTTP/1.1 request on a keep-alive connection; (status, body)."""
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: {key}\r\n"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    writer.write(head.encode() + b"\r\n" + body)
    await writer.drain()
    raw = await reader.readuntil(b"\r\n\r\n")
    status = int(raw.split(b" ", 2)[1])
    length = 0
    for line in raw.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return status, await reader.readexactly(length)


class Peak:
    """What the users of one peak run saw."""

    def __init__(self) -> None:
        self.lists: list[float] = []
        self.decisions: list[float] = []
        self.errors: list[str] = []
        self.approved: dict[str, str] = {}  # recommendation → the user whose approval was answered 200
        self.seconds = 0.0


async def peak_user(port: int, key: str, user: int, recs: list[str], stop: asyncio.Event, out: Peak,
                    think_s: float, decide_every: int) -> None:  # fmt: skip
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    rng = random.Random(user)
    i = user
    try:
        while not stop.is_set():
            await asyncio.sleep(think_s * rng.uniform(0.5, 1.5))
            if stop.is_set():
                break
            i += 1
            if recs and i % decide_every == 0:
                rec = recs.pop()
                start = time.perf_counter()
                status, _ = await _send(reader, writer, "POST", f"/api/recommendations/{rec}/decision", key,
                                        b'{"decision": "approve", "reason": "peak"}')  # fmt: skip
                out.decisions.append((time.perf_counter() - start) * 1000)
                if status == 200:
                    out.approved[rec] = "ada"
                else:
                    out.errors.append(f"{status} decision {rec}")
                continue
            path = ENDPOINTS[i % len(ENDPOINTS)]
            start = time.perf_counter()
            status, _ = await _send(reader, writer, "GET", path, key)
            out.lists.append((time.perf_counter() - start) * 1000)
            if status != 200:
                out.errors.append(f"{status} {path}")
    finally:
        writer.close()


async def warm(port: int, key: str) -> None:
    """One connection asking each list endpoint once (not measured): every web worker has verified the API key
    and loaded what its first requests load before the users start."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for path in ENDPOINTS:
            await _send(reader, writer, "GET", path, key)
    finally:
        writer.close()


async def peak_load(port: int, key: str, recs: list[str], args: argparse.Namespace, plan_running: Any) -> Peak:
    await asyncio.gather(*(warm(port, key) for _ in range(args.clients)))
    out = Peak()
    stop = asyncio.Event()
    shares: list[list[str]] = [recs[u :: args.clients] for u in range(args.clients)]
    users = [asyncio.create_task(peak_user(port, key, u, shares[u], stop, out, args.think_ms / 1000,
                                           args.decide_every)) for u in range(args.clients)]  # fmt: skip
    deadline = time.perf_counter() + args.seconds
    while time.perf_counter() < deadline:
        await asyncio.sleep(0.5)
        if not await asyncio.to_thread(plan_running):
            print("  the plan ended before the time was up: the run stops with it")
            break
    stop.set()
    await asyncio.gather(*users)
    out.seconds = args.seconds - max(0.0, deadline - time.perf_counter())
    return out


def run_peak(label: str, root: Path, serve_args: list[str], args: argparse.Namespace) -> dict[str, float]:
    """One peak run on a copy of the workspace at ``root``."""
    import shutil

    from hedgerow.services.users import create_api_key
    from hedgerow.services.workspace import open_workspace

    with tempfile.TemporaryDirectory() as tmp:
        ws_root = Path(tmp) / "ws"
        shutil.copytree(root, ws_root)
        with open_workspace(ws_root) as ws:
            key = create_api_key(ws, "ada", label="peak", actor="ada", now=NOW)[1]
        headers = {"X-API-Key": key}
        server, port = start_server(ws_root, serve_args, dict(os.environ))
        base = f"http://127.0.0.1:{port}"
        try:
            listed = httpx.get(f"{base}/api/recommendations?limit=5000", headers=headers, timeout=60).json()
            recs = [r["id"] for r in listed["recommendations"]]
            job = {"id": ""}
            if not args.no_plan:
                job = httpx.post(f"{base}/api/jobs", json={"kind": "plan"}, headers=headers, timeout=60).json()
                while (
                    httpx.get(f"{base}/api/jobs/{job['id']}", headers=headers, timeout=60).json()["status"] == "queued"
                ):
                    time.sleep(0.2)

            def plan_running() -> bool:
                if args.no_plan:
                    return True
                state = httpx.get(f"{base}/api/jobs/{job['id']}", headers=headers, timeout=60).json()
                return bool(state["status"] == "running")

            load_before = os.getloadavg()[0]
            out = asyncio.run(peak_load(port, key, recs, args, plan_running))
            after = httpx.get(f"{base}/api/recommendations?status=approved&limit=5000", headers=headers,
                              timeout=60).json()["recommendations"]  # fmt: skip
            in_ledger = {r["id"]: r["decided_by"] for r in after}
            lost = [r for r in out.approved if in_ledger.get(r) != "ada"] + [r for r in in_ledger
                                                                              if r not in out.approved]  # fmt: skip
            final = "not started" if args.no_plan else httpx.get(
                f"{base}/api/jobs/{job['id']}", headers=headers, timeout=60).json()["status"]  # fmt: skip
        finally:
            server.terminate()
            server.wait(timeout=60)
    print(f"  {label}: {len(out.lists)} list requests, {len(out.decisions)} decisions, {len(out.errors)} errors "
          f"{out.errors[:3]}, lost {len(lost)}; plan {final} at the end")  # fmt: skip
    return {
        "seconds": out.seconds,
        "lists": len(out.lists),
        "rps": (len(out.lists) + len(out.decisions)) / out.seconds,
        "p50": statistics.median(out.lists),
        "p90": pct(out.lists, 0.90),
        "p99": pct(out.lists, 0.99),
        "max": max(out.lists),
        "decisions": len(out.decisions),
        "d50": statistics.median(out.decisions) if out.decisions else float("nan"),
        "d99": pct(out.decisions, 0.99) if out.decisions else float("nan"),
        "errors": len(out.errors),
        "lost": len(lost),
        "load": load_before,
    }


def peak(args: argparse.Namespace) -> None:
    """The peak benchmark: both designs on copies of one workspace, printed as a Markdown table."""
    with tempfile.TemporaryDirectory() as tmp:
        bench = build(Path(tmp) / "ws", args.recs, weeks=args.weeks)
        runs = {
            "single process (plan on a thread of it)": ["--web-workers", "1", "--inline-jobs"],
            "2 web workers + 1 job worker": ["--web-workers", "2", "--job-workers", "1"],
        }
        chosen = {k: v for k, v in runs.items() if args.only is None or (args.only == "single") == ("single" in k)}
        results = {label: run_peak(label, bench.root, cmd, args) for label, cmd in chosen.items()}
    print(f"\n{args.clients} users, think {args.think_ms:g} ms, one request in {args.decide_every} a decision, "
          f"while a plan job runs; {bench.recommendations} recommendations\n")  # fmt: skip
    print("| server | s | list req | req/s | list p50 ms | p90 | **p99** | max | decisions | decision p50 / p99 ms "
          "| errors | lost | load avg |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for label, r in results.items():
        print(f"| {label} | {r['seconds']:.0f} | {r['lists']:,} | {r['rps']:.0f} | {r['p50']:.0f} | {r['p90']:.0f} "
              f"| **{r['p99']:.0f}** | {r['max']:.0f} | {r['decisions']} | {r['d50']:.0f} / {r['d99']:.0f} "
              f"| {r['errors']} | {r['lost']} | {r['load']:.1f} |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--per-path", action="store_true", help="also print p50/p99 per endpoint")
    parser.add_argument("--think-ms", type=float, default=500.0, help="mean pause between a user's requests")
    parser.add_argument("--recs", type=int, default=500)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--peak", action="store_true", help="200 users on lists and decisions while a plan runs")
    parser.add_argument("--decide-every", type=int, default=10, help="peak: one request in N is a decision")
    parser.add_argument("--weeks", type=int, default=60, help="peak: weeks of demand history (the plan needs some)")
    parser.add_argument("--no-plan", action="store_true", help="peak: the same load with no plan running (reference)")
    parser.add_argument("--only", choices=["single", "workers"], default=None, help="peak: one of the two servers")
    args = parser.parse_args()
    if args.peak:
        peak(args)
        return
    results: dict[str, dict[str, dict[str, float]]] = {}
    if args.backend in ("sqlite", "both"):
        results["SQLite"] = run_backend("SQLite", None, args)
    if args.backend in ("postgres", "both"):
        url, _server = postgres_url()
        try:
            results["PostgreSQL 15"] = run_backend("PostgreSQL", url, args)
        finally:
            subprocess.run([str(ROOT / "scripts" / "pg-test-server"), "stop"], env=os.environ | PG_ENV, check=False)
    print(f"{args.seconds:g} s per run; endpoints in turn: {', '.join(ENDPOINTS)}\n")
    print("| ledger | load | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | load avg (2 cores) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, runs in results.items():
        for label, r in runs.items():
            print(f"| {name} | {label} | {r['requests']:,.0f} | {r['rps']:,.0f} | {r['p50']:.0f} | {r['p90']:.0f} "
                  f"| {r['p99']:.0f} | {r['max']:.0f} | {r['load']:.1f} |")  # fmt: skip


if __name__ == "__main__":
    main()
