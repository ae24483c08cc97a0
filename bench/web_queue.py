"""Benchmark: the queue page with 5,000 recommendations, rendered server-side (issue 8 target: < 300 ms).

A demo workspace gets a plan of 5,000 recommendations (full explanation JSON each, as the planner will store
them). The page ``GET /queue`` is requested in-process through the ASGI app (session, middleware, ledger query of
all 5,000, their values and names, sorted by value; render of the first page of rows with the page template; no
network), and compared side by side with the **baseline**: the same 5,000 rows as a plain JSON list from
``GET /api/recommendations?limit=5000`` (same query, pydantic serialisation instead of HTML). Also timed apart: the
ledger query alone and the rendering alone (the rows and the page template, with the context the page builds from
the same service calls).

Run: ``python -m bench.web_queue [--recs 5000] [--repeat 20]`` (prints a Markdown table; about a minute).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi.testclient import TestClient
from jinja2 import Template

from bench.web_common import NOW, PASSWORD, build
from hedgerow.api import ServerConfig, create_app
from hedgerow.api.deps import AppState
from hedgerow.decide.roles import Permission, has_permission
from hedgerow.domain.actions import ActionKind, RecommendationStatus, Role
from hedgerow.services.queue import queue_summary
from hedgerow.services.queue_view import PAGE_ROWS, QueueFilter, QueueSort, plan_headline, queue_page
from hedgerow.services.recommendations import list_recommendations
from hedgerow.services.users import ActingUser
from hedgerow.web.queue_pages import plan_jobs
from hedgerow.web.queue_rows import queue_rows
from hedgerow.web.render import Renderer


class ServerTime:
    """ASGI middleware that keeps, per request, the server-side time from receiving it to sending the last byte."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.last_ms = 0.0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        start = time.perf_counter()

        async def timed_send(message: Any) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                self.last_ms = (time.perf_counter() - start) * 1000

        await self.app(scope, receive, timed_send)


def server_side(timer: ServerTime, fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and 95th percentile of the server-side time of ``fn``'s request, milliseconds."""
    fn()
    fn()
    values = []
    for _ in range(repeat):
        fn()
        values.append(timer.last_ms)
    values.sort()
    return statistics.median(values), values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]


def timings(fn: Callable[[], object], repeat: int) -> tuple[float, float, float]:
    """Median and 95th percentile of ``fn``'s wall time and the median of the process's CPU time (all threads),
    milliseconds, after two warm-up calls. On a shared machine the wall time includes waiting for a core; the
    CPU time is what the request costs on a core of its own."""
    fn()
    fn()
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    wall.sort()
    return statistics.median(wall), wall[min(len(wall) - 1, round(0.95 * (len(wall) - 1)))], statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--recs", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench = build(Path(tmp) / "ws", args.recs)
        app = create_app(bench.root, ServerConfig(session_secret="b" * 48), clock=lambda: NOW)
        timer = ServerTime(app)
        with TestClient(timer) as client:
            assert client.post("/api/session", json={"user": "vic", "password": PASSWORD}).status_code == 200
            page = client.get("/queue")
            assert page.status_code == 200
            assert page.text.count('<tr id="row-') == min(PAGE_ROWS, bench.recommendations)
            api = client.get(f"/api/recommendations?limit={args.recs}")
            assert api.status_code == 200
            assert api.json()["count"] == bench.recommendations
            state: AppState = app.state.hedgerow
            ws = state.ws
            renderer: Renderer = app.state.hedgerow_web
            template: Template = renderer.env.get_template("queue.html")
            # what GET /queue builds before rendering (hedgerow.web.queue_pages.queue), for a reader who may decide
            # recommendations of any size, so that every row has its decision form, with the default filters
            user = ActingUser("bench", Role.APPROVER)
            role = user.role
            assert role is not None
            where = QueueFilter(status=RecommendationStatus.PROPOSED)
            sort = QueueSort.VALUE
            result = queue_page(ws, where, sort=sort, page=1)
            can_decide = has_permission(role, Permission.DECIDE)
            pick = can_decide and where.status is RecommendationStatus.PROPOSED
            threshold = ws.settings.approval.approver_required_above
            currency = ws.settings.workspace.base_currency
            csrf = "x" * 43
            filters = {"status": where.status.value, "kind": "", "region": "", "item_class": "", "location_id": "",
                       "item_id": "", "needs": "", "sort": sort.value}  # fmt: skip
            link = {k: v for k, v in filters.items() if v}
            context = {
                # Renderer.context
                "request": None, "user": user, "can": lambda p: has_permission(role, Permission(p)), "csrf": csrf,
                "path": "/queue", "workspace": ws.settings.workspace.name, "currency": currency, "flash": None,
                "now": state.clock(),
                # the queue page's own
                "result": result, "filters": filters, "page_url": lambda n: "/queue?" + urlencode(link | {"page": n}),
                "statuses": [s.value for s in RecommendationStatus], "kinds": [k.value for k in ActionKind],
                "sorts": [s.value for s in QueueSort], "summary": queue_summary(ws), "headline": plan_headline(ws),
                "can_decide": can_decide, "pick": pick,
                "can_plan": has_permission(role, Permission.RECORD_PLAN), "plan_jobs": plan_jobs(state, None),
                "by": "line",
            }  # fmt: skip

            def render() -> str:
                html = queue_rows(result.rows, csrf=csrf, role=role, threshold=threshold, currency=currency, pick=pick)
                return template.render(context | {"rows_html": html})

            served = {
                "GET /queue (HTML page)": server_side(timer, lambda: client.get("/queue"), args.repeat),
                "baseline: GET /api/recommendations?limit=N (JSON)": server_side(
                    timer, lambda: client.get(f"/api/recommendations?limit={args.recs}"), args.repeat
                ),
            }
            results = {
                "GET /queue (HTML page)": timings(lambda: client.get("/queue"), args.repeat),
                "baseline: GET /api/recommendations?limit=N (JSON)": timings(
                    lambda: client.get(f"/api/recommendations?limit={args.recs}"), args.repeat
                ),
                "  ledger query alone (list_recommendations)": timings(
                    lambda: list_recommendations(ws, statuses=[RecommendationStatus.PROPOSED], limit=args.recs),
                    args.repeat,
                ),
                "  rendering alone (one page of rows with their forms, page template)": timings(render, args.repeat),
            }
            size_kb = len(page.content) / 1024
    print(f"Queue page with {bench.recommendations:,} recommendations ({size_kb:,.0f} KB of HTML), "
          f"{args.repeat} repeats, {platform.python_version()} on {platform.machine()}:\n")  # fmt: skip
    print("Server-side time (request received → last byte sent, inside the ASGI app):\n")
    print("| what | median ms | p95 ms |")
    print("|---|---|---|")
    for name, (median, p95) in served.items():
        print(f"| {name} | {median:.0f} | {p95:.0f} |")
    print("\nIn-process request through the test client (includes the client reading the body):\n")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    print("| what | median ms | p95 ms | median CPU ms |")
    print("|---|---|---|---|")
    for name, (median, p95, cpu) in results.items():
        print(f"| {name} | {median:.0f} | {p95:.0f} | {cpu:.0f} |")
    page, base = served["GET /queue (HTML page)"], served["baseline: GET /api/recommendations?limit=N (JSON)"]
    print(f"\nserver-side ratio page / JSON baseline (medians): {page[0] / base[0]:.2f}; target: page < 300 ms")
    sys.exit(0)


if __name__ == "__main__":
    main()
