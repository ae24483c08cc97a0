"""The capital page in a real browser (issue 19): reached from the nav, the ladder drawn as an SVG chart whose last
point is the plan's capital, the region table beside it; axe-core finds nothing and the page fits a 390 px phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from ..api.conftest import Seeded, bearer
from .test_browser_consignments import fits_a_phone
from .test_browser_dashboard import DESKTOP, axe_violations
from .test_browser_flows import login

pytestmark = pytest.mark.slow


def test_the_capital_page_draws_the_ladder(server: tuple[str, Seeded], browser: Any, artifacts: Path) -> None:
    base, seeded = server
    api = httpx.get(f"{base}/api/capital", headers=bearer(seeded, "vic")).json()
    page = login(browser, base, "vic", viewport=DESKTOP)
    page.click("nav#site-nav >> text=Capital")
    page.wait_for_url(f"{base}/capital")
    chart = page.locator("#ladder-chart")
    page.wait_for_function("document.getElementById('ladder-chart').dataset.rendered === 'done'", timeout=15_000)
    assert chart.locator("svg").count() == 1
    # the spec the browser drew: one point per action plus the origin, ending at the plan's capital
    points = page.evaluate("JSON.parse(document.getElementById('ladder-spec').textContent).data.values")
    assert len(points) == len(seeded.rec_ids) + 1
    assert points[-1]["cumulative_capital"] == api["capital"]
    rows = page.locator("#ladder tbody tr")
    assert rows.count() == len(seeded.rec_ids)
    assert rows.first.locator("a").get_attribute("href") == f"/recommendations/{api['ladder'][0]['recommendation_id']}"
    regions = page.locator("#regions tbody tr")
    assert regions.count() == len(api["regions"])
    assert page.locator("#region-chart svg").count() == 1
    page.screenshot(path=str(artifacts / "capital-ladder.png"), full_page=True)
    assert axe_violations(page) == []
    fits_a_phone(page)
    page.context.close()
