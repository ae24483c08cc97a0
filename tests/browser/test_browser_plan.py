"""In a real browser: a planner makes a plan from the queue page, follows its progress, then reads the ranked
queue and the explanation of the first recommendation with its projected-inventory fan chart."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hedgerow.services.queue_view import PAGE_ROWS

from ..api.demo_ws import demo_with_users
from .conftest import _require_chromium, serve
from .test_browser_flows import login

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """`hedgerow serve` on a small demo workspace that has no plan yet; yields its URL and the users' API keys."""
    _require_chromium()
    root = tmp_path_factory.mktemp("browser-plan") / "demo"
    keys = demo_with_users(root)
    with serve(root, tmp_path_factory.mktemp("browser-plan-log")) as base:
        yield base, keys


def test_a_planner_makes_a_plan_and_reads_the_first_explanation(
    demo_server: tuple[str, dict[str, str]], browser: Any, artifacts: Path
) -> None:
    base, keys = demo_server
    viewer = login(browser, base, "vic")
    assert viewer.locator("#make-plan").count() == 0  # a viewer is not offered the button
    viewer.context.close()

    page = login(browser, base, "pat")
    assert page.locator("table#queue").count() == 0  # nothing planned yet
    page.click("#make-plan")
    page.wait_for_url(f"{base}/queue?job=*")
    job = page.locator("#plan-card .job")
    job.wait_for(timeout=10_000)
    assert job.get_attribute("data-status") in ("queued", "running", "succeeded")
    page.screenshot(path=str(artifacts / "planner-plan-running.png"), full_page=True)
    page.wait_for_selector("#plan-card .job[data-status=succeeded]", timeout=600_000)
    summary = page.locator("#plan-card .job").inner_text()
    made = re.search(r"(\d+) recommendations in (\d+) consignments", summary)
    assert made is not None, summary
    page.click("#plan-queue-link")
    page.wait_for_url(f"{base}/queue?by=consignment")
    cons = page.locator("table#consignments > tbody.consignment")
    assert cons.count() == int(made.group(2)), summary  # the queue a manager clears: one row per consignment
    page.goto(f"{base}/queue?sort=rank")
    rows = page.locator("table#queue tbody tr")
    listed = httpx.get(f"{base}/api/recommendations", headers={"Authorization": f"Bearer {keys['vic']}"}).json()
    recs = sorted(listed["recommendations"], key=lambda r: r["rank"])
    assert recs
    assert rows.count() == min(len(recs), PAGE_ROWS)  # one page
    ranks = [int(rows.nth(i).locator("td.r").first.inner_text()) for i in range(rows.count())]
    assert ranks == sorted(ranks)
    page.screenshot(path=str(artifacts / "planner-queue-after-plan.png"), full_page=True)

    first = recs[0]["id"]
    page.click(f"#row-{first} a")
    page.wait_for_url(f"{base}/recommendations/{first}")
    page.locator("#fan-chart.chart-ready svg").wait_for(timeout=15_000)
    assert page.locator("#fan-chart svg .mark-area path").count() >= 1
    assert page.locator("#fan-chart svg .mark-line path").count() >= 1
    legend = page.locator("#fan-chart svg").text_content() or ""
    assert "with the action" in legend
    assert "without it" in legend
    page.screenshot(path=str(artifacts / "planner-explanation-real-plan.png"), full_page=True)
    page.context.close()
