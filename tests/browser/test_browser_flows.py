"""Focused flows in a real browser: a planner approves, a viewer cannot, a manager reads an explanation's chart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from ..api.conftest import PASSWORD, Seeded, bearer

pytestmark = pytest.mark.slow


def login(browser: Any, base: str, user: str, *, viewport: dict[str, int] | None = None) -> Any:
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/queue")
    assert "/login" in page.url
    page.fill("input[name=user]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/queue")
    return page


def proposed(base: str, seeded: Seeded) -> list[dict[str, Any]]:
    body = httpx.get(f"{base}/api/recommendations", headers=bearer(seeded, "vic")).json()
    return list(body["recommendations"])


def test_a_planner_approves_and_the_recommendation_leaves_the_queue(
    server: tuple[str, Seeded], browser: Any, artifacts: Path
) -> None:
    base, seeded = server
    before = proposed(base, seeded)
    target = min(before, key=lambda r: r["capital_base"])
    page = login(browser, base, "pat")
    row = page.locator(f"#row-{target['id']}")
    assert row.count() == 1
    page.screenshot(path=str(artifacts / "planner-queue-before.png"), full_page=True)
    row.locator("button[name=approve]").click()
    row.wait_for(state="detached", timeout=10_000)
    assert "approved" in page.locator("#flash").inner_text()
    assert page.locator("table#queue tbody tr").count() == len(before) - 1
    page.screenshot(path=str(artifacts / "planner-queue-after-approve.png"), full_page=True)
    after = {r["id"] for r in proposed(base, seeded)}
    assert target["id"] not in after
    page.reload()
    assert page.locator(f"#row-{target['id']}").count() == 0
    page.context.close()


def test_a_viewer_cannot_approve(server: tuple[str, Seeded], browser: Any, artifacts: Path) -> None:
    base, seeded = server
    page = login(browser, base, "vic")
    assert page.locator("table#queue tbody tr").count() >= 1
    assert page.locator("button[name=approve]").count() == 0
    page.screenshot(path=str(artifacts / "viewer-queue.png"), full_page=True)
    rec = proposed(base, seeded)[0]["id"]
    status = page.evaluate(
        """async (rec) => {
            const token = document.querySelector('input[name=csrf_token]').value;
            const body = new URLSearchParams({decision: 'approve', csrf_token: token});
            const r = await fetch(`/queue/${rec}/decision`, {method: 'POST', body});
            return r.status;
        }""",
        rec,
    )
    assert status == 403
    assert rec in {r["id"] for r in proposed(base, seeded)}
    page.context.close()


def test_a_manager_opens_an_explanation_and_sees_the_chart(
    server: tuple[str, Seeded], browser: Any, artifacts: Path
) -> None:
    base, seeded = server
    rec = proposed(base, seeded)[0]
    page = login(browser, base, "alex")
    page.click(f"#row-{rec['id']} a")
    page.wait_for_url(f"{base}/recommendations/{rec['id']}")
    chart = page.locator("#fan-chart.chart-ready svg")
    chart.wait_for(timeout=15_000)
    assert page.locator("#fan-chart svg .mark-area path").count() >= 1
    assert page.locator("#fan-chart svg .mark-line path").count() >= 1
    legend = page.locator("#fan-chart svg").text_content() or ""
    assert "with the action" in legend
    assert "without it" in legend
    assert "do nothing" in page.locator("section:has(h2:text('Alternatives'))").inner_text()
    page.screenshot(path=str(artifacts / "manager-explanation.png"), full_page=True)
    page.context.close()
    tablet = login(browser, base, "alex", viewport={"width": 768, "height": 1024})
    tablet.goto(f"{base}/recommendations/{rec['id']}")
    tablet.locator("#fan-chart.chart-ready svg").wait_for(timeout=15_000)
    width = tablet.evaluate("document.documentElement.scrollWidth")
    assert width <= 768
    tablet.screenshot(path=str(artifacts / "manager-explanation-tablet.png"), full_page=True)
    tablet.context.close()


def test_the_overview_draws_exposure_by_region_lane_and_currency(
    server: tuple[str, Seeded], browser: Any, artifacts: Path
) -> None:
    base, _seeded = server
    page = login(browser, base, "alex")
    page.goto(f"{base}/")
    assert "Not computed yet" in page.inner_text("body")
    page.click("form[action='/reports/exposure'] button")  # recompute: a job worker runs it, with progress
    charts = page.locator(".charts3 .chart.chart-ready svg")
    charts.nth(2).wait_for(timeout=300_000)  # the panel draws the charts when the job ends: no reload
    assert charts.count() == 3
    titles = " ".join(charts.nth(i).text_content() or "" for i in range(3))
    assert "By region" in titles
    assert "By lane" in titles
    assert "By currency" in titles
    assert page.locator(".charts3 svg .mark-rect path").count() >= 3
    page.screenshot(path=str(artifacts / "overview-exposure.png"), full_page=True)
    page.context.close()
