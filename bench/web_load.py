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
            request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: {key}\r\n\r\n".encode()
            start = time.perf_counter()
            writer.write(request)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
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
        port = free_port()
        env |= {"HEDGEROW_NOW": NOW.isoformat(), "HEDGEROW_SESSION_SECRET": "l" * 48}
        cmd = [sys.executable, "-c", "from hedgerow.cli import main; main()", "serve", "--port", str(port),
               "--workspace", str(bench.root)]  # fmt: skip
        server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("hedgerow serve did not start")
                time.sleep(0.2)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--per-path", action="store_true", help="also print p50/p99 per endpoint")
    parser.add_argument("--think-ms", type=float, default=500.0, help="mean pause between a user's requests")
    parser.add_argument("--recs", type=int, default=500)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
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
