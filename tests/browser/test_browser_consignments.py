"""The queue by consignment in a real browser (issue 14): a planner approves a whole consignment and reads, in place,
how many lines were approved and which were left for an approver and why; axe-core finds nothing before and after,
and the page fits a 390 px phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from ..api.conftest import Seeded, bearer
from .test_browser_dashboard import DESKTOP, PHONE, WIDEST, axe_violations
from .test_browser_flows import login

pytestmark = pytest.mark.slow


def fits_a_phone(page: Any) -> None:
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{width} px wide on a 390 px phone: {page.evaluate(WIDEST)}"
    page.set_viewport_size(DESKTOP)


def test_a_planner_approves_a_consignment_and_reads_what_was_left_in_place(
    server: tuple[str, Seeded], browser: Any, artifacts: Path
) -> None:
    base, seeded = server
    viewer = login(browser, base, "vic", viewport=DESKTOP)
    viewer.goto(f"{base}/queue?by=consignment")
    assert viewer.locator("tbody.consignment").count() == 1
    assert viewer.locator("tbody.consignment button").count() == 0
    assert axe_violations(viewer) == []
    viewer.context.close()

    page = login(browser, base, "pat", viewport=DESKTOP)
    page.click("nav.tabs >> text=By consignment")
    page.wait_for_url(f"{base}/queue?by=consignment")
    con = page.locator("tbody.consignment").first
    con.locator("details.con-lines summary").click()
    links = con.locator("details.con-lines a")
    assert links.count() == len(seeded.rec_ids)
    assert links.first.is_visible()
    assert axe_violations(page) == []
    fits_a_phone(page)
    con.locator("button[name=approve]").click()
    result = page.locator("tbody.consignment tr.con-result")
    result.wait_for(timeout=10_000)  # swapped in place: no reload
    text = result.inner_text()
    # the focus moves to the answer once htmx has settled the swap (a moment after the row appears)
    page.wait_for_function("document.activeElement?.closest('tr.con-result') != null", timeout=10_000)
    recs = httpx.get(f"{base}/api/recommendations", headers=bearer(seeded, "vic")).json()["recommendations"]
    left = {r["id"] for r in recs}  # still proposed: above the planner's limit
    assert left
    assert f"approved {len(seeded.rec_ids) - len(left)} of {len(seeded.rec_ids)} lines" in text
    for rec in left:
        assert f"{rec}: user 'pat' has role planner, which may not approve {rec}" in text
    assert page.locator("#queue-count").inner_text() == f"{len(left)} proposed"
    assert page.locator("tbody.consignment button[name=approve]").count() == 0  # the rest is an approver's
    page.screenshot(path=str(artifacts / "planner-consignment-approved.png"), full_page=True)
    assert axe_violations(page) == []
    fits_a_phone(page)
    page.context.close()
