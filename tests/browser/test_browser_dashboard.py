"""Issue 15 in a real browser: axe-core on every page for every role, a phone at 390 × 844, API docs with the network
cut, the exposure charts drawn when their job ends (no reload) and still there after a restart with their age, a
running stress test cancelled from its page, the queue's layout with rows above the planner's limit, and its keys
(j / k / a). A second axe and phone pass runs once a backtest report exists and the exposure charts are drawn.

One `hedgerow serve` on a workspace with the simulator's network (enough history to replay), four users and a plan.
With ``HEDGEROW_DOC_SCREENSHOTS=1`` the screenshots docs/web.md shows are written to docs/images/ (else to
test-artifacts/).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest

from hedgerow.domain.actions import Role
from hedgerow.services.queue import explanation_of
from hedgerow.services.recommendations import record_plan
from hedgerow.services.users import add_user
from hedgerow.services.workspace import open_workspace

from ..api.conftest import NOW, PASSWORD, PLAN_AT
from ..api.plans import sample_plan
from ..api.sim_ws import build_sim_workspace
from ..conftest import ROOT
from .conftest import _require_chromium, serve
from .test_browser_flows import login

pytestmark = pytest.mark.slow

ROLES = {"ada": Role.ADMIN, "pat": Role.PLANNER, "alex": Role.APPROVER, "vic": Role.VIEWER}
PAGES = ["/", "/queue", "/holds", "/data", "/audit", "/scoreboard", "/reports"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DOCS_IMAGES = ROOT / "docs" / "images"
#: The elements that reach past the right edge of the screen (to name them when a page is too wide).
WIDEST = """() => Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
  .filter(e => !e.closest('.scroll'))
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""
#: The words of a table's cells that the browser split over two lines ("weekl/y"): each word's text range has boxes
#: on more than one line. Hyphens and spaces are break opportunities, so they separate words.
BROKEN_WORDS = r"""table => Array.from(table.querySelectorAll('td')).flatMap(td => {
  const broken = [];
  const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const m of node.textContent.matchAll(/[^\s\-\u2013\u2014]+/g)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const lines = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top)));
      if (lines.size > 1) broken.push(m[0]);
    }
  }
  return broken;
})"""
#: The narrowest label column (the first cell of each row) a phone may show, in px: room for a word like "demand".
MIN_LABEL_PX = 72
#: Keys a keyboard user may press from the queue's load to its first Approve (Tab, Enter on a skip link).
MAX_KEYS_TO_APPROVE = 5
#: Keys from a recommendation's load to its Record decision button (the skip link, then the form's seven fields).
MAX_KEYS_TO_RECORD = 10


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, dict[str, str], list[str]]]:
    """The server's URL, its workspace, the API keys and the plan's recommendation ids (some above the limit)."""
    _require_chromium()
    base_dir = tmp_path_factory.mktemp("dashboard")
    root, keys = build_sim_workspace(base_dir)
    with open_workspace(root) as ws:
        for name in ("pat", "alex"):
            add_user(ws, name, ROLES[name], password=PASSWORD, actor="ada", now=NOW)
        small = sample_plan(ws, "P-DASH", PLAN_AT)
        first = small.recommendations[0]
        big = [replace(first, rec_id=f"{first.rec_id}-{n}", rank=n + 1, capital_base=first.capital_base + 30_000 * n)
               for n in (1, 2)]  # above the planner's limit of 25,000  # fmt: skip
        plan = replace(small, recommendations=(*small.recommendations, *big))
        record_plan(ws, plan, user="pat", now=PLAN_AT)
    with serve(root, tmp_path_factory.mktemp("dashboard-log")) as base:
        yield base, root, keys, [r.rec_id for r in plan.recommendations]


def shot(page: Any, name: str, artifacts: Path) -> None:
    """A full-page screenshot for docs/web.md (docs/images with HEDGEROW_DOC_SCREENSHOTS=1, else test-artifacts)."""
    folder = DOCS_IMAGES if os.environ.get("HEDGEROW_DOC_SCREENSHOTS") == "1" else artifacts
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=False)


#: axe-core rules that Swagger UI's own markup and stylesheet break on ``/api/docs`` (the vendored bundle from
#: ``fastapi-offline``, not a template of ours): each is waived only for elements inside ``.swagger-ui``, so the same
#: fault anywhere else on that page (or on any other page) still fails.
SWAGGER_UI_WAIVERS = {
    "color-contrast": "Swagger UI's theme: grey version badges, method labels and syntax colours below 4.5:1",
    "nested-interactive": "Swagger UI renders each operation's summary as a button holding its own buttons",
}
#: True when the element an axe target names sits inside Swagger UI's root.
IN_SWAGGER_UI = "t => { const e = document.querySelector(t); return !!(e && e.closest('.swagger-ui')); }"


def axe_violations(page: Any, *, waived: dict[str, str] | None = None, inside: str = IN_SWAGGER_UI) -> list[str]:
    """axe-core's WCAG 2 A/AA violations on the page (the bundled axe.min.js: nothing is fetched).

    A node breaking a rule of ``waived`` is not counted when ``inside`` (a script given its selector) says so.
    """
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    out = []
    for v in result.response["violations"]:
        nodes = v["nodes"]
        if v["id"] in (waived or {}):
            nodes = [n for n in nodes if len(n["target"]) != 1 or not page.evaluate(inside, n["target"][0])]
        if nodes:
            out.append(f"{v['id']}: {v['help']} ({len(nodes)}× e.g. {nodes[0]['target']})")
    return out


def test_every_page_for_every_role_passes_axe_and_fits_a_phone(
    dashboard: tuple[str, Path, dict[str, str], list[str]], browser: Any, artifacts: Path
) -> None:
    base, _root, _keys, recs = dashboard
    found: dict[str, list[str]] = {}
    login_page = browser.new_page()
    login_page.goto(f"{base}/login")
    found["login"] = axe_violations(login_page)
    login_page.set_viewport_size(PHONE)
    login_page.reload()
    width = login_page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"/login is {width} px wide on a 390 px phone: {login_page.evaluate(WIDEST)}"
    login_page.close()
    for user, role in ROLES.items():
        pages = [*PAGES, f"/recommendations/{recs[0]}", "/queue?status=approved", "/queue?by=consignment"]
        if role is Role.ADMIN:
            pages.append("/admin")
        desk = login(browser, base, user, viewport=DESKTOP)
        for path in pages:
            desk.goto(f"{base}{path}")
            desk.wait_for_load_state("networkidle")
            found[f"{user} {path}"] = axe_violations(desk)
        desk.context.close()
        phone = login(browser, base, user, viewport=PHONE)
        for path in pages:
            phone.goto(f"{base}{path}")
            phone.wait_for_load_state("networkidle")
            width = phone.evaluate("document.documentElement.scrollWidth")
            wide = phone.evaluate(WIDEST)
            assert width <= PHONE["width"], f"{path} is {width} px wide for {user} on a 390 px phone: {wide}"
        phone.goto(f"{base}/queue")
        top = phone.locator("header.top").bounding_box()
        assert top["height"] < 120  # the navigation folds behind the Menu button
        if role in (Role.PLANNER, Role.APPROVER):
            approve = phone.locator("button[name=approve]").first
            box = approve.bounding_box()
            assert box is not None
            assert box["x"] >= 0
            assert box["x"] + box["width"] <= PHONE["width"]  # reachable without scrolling sideways
            shot(phone, f"phone-queue-{user}", artifacts)
            phone.click(".menu-toggle")
            assert phone.locator("#site-nav").is_visible()
        phone.context.close()
    assert {k: v for k, v in found.items() if v} == {}


def test_the_recommendation_tables_break_no_word_on_a_phone(
    dashboard: tuple[str, Path, dict[str, str], list[str]], browser: Any, artifacts: Path
) -> None:
    """On a 390 px phone the drivers and data-lineage tables wrap between words, never inside one ("weekl/y").

    The drivers table also fits its card whole, so its impact column is seen without scrolling sideways.
    """
    base, _root, _keys, recs = dashboard
    phone = login(browser, base, "vic", viewport=PHONE)
    phone.goto(f"{base}/recommendations/{recs[0]}")
    phone.wait_for_load_state("networkidle")
    for table in ("table#drivers", "table#lineage"):
        assert phone.locator(f"{table} tbody tr").count() > 0
        labels = phone.eval_on_selector_all(
            f"{table} tbody td:first-child", "cells => cells.map(c => Math.round(c.getBoundingClientRect().width))"
        )
        assert min(labels) >= MIN_LABEL_PX, f"{table}: label column {labels} px on a 390 px phone"
        assert phone.eval_on_selector(table, BROKEN_WORDS) == [], f"{table}: words broken mid-word"
    lane = phone.locator("table#drivers span[title]").first  # the lane driver: its name, the code on hover
    assert " → " in lane.inner_text()
    assert lane.get_attribute("title") not in phone.inner_text("table#drivers")
    drivers = phone.eval_on_selector("table#drivers", "t => [t.scrollWidth, t.parentElement.clientWidth]")
    assert drivers[0] <= drivers[1], f"the drivers table is {drivers[0]} px in a {drivers[1]} px card: impact hidden"
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.locator("table#drivers").scroll_into_view_if_needed()
    shot(phone, "phone-recommendation", artifacts)
    phone.context.close()


def test_the_break_even_on_a_rendered_page_is_one_sentence(
    dashboard: tuple[str, Path, dict[str, str], list[str]], browser: Any
) -> None:
    """The break-even line a browser shows is the planner's one sentence, not a sentence wrapped in another."""
    base, root, _keys, recs = dashboard
    with open_workspace(root) as ws:
        label = explanation_of(ws, recs[0])["break_even"]["label"]
    page = login(browser, base, "vic", viewport=DESKTOP)
    page.goto(f"{base}/recommendations/{recs[0]}")
    shown = page.locator("p.break-even").inner_text()
    assert shown.startswith("Break-even. ")
    sentence = shown.removeprefix("Break-even. ")
    assert sentence[0].isupper()
    assert sentence.endswith(".")
    assert len(re.findall(r"[.!?](?:\s|$)", sentence)) == 1, f"not one sentence: {sentence!r}"
    assert sentence == f"{label[0].upper()}{label[1:]}."  # the planner's sentence, as it stored it
    assert "The action pays while" not in shown
    page.context.close()


def keys_to_reach(page: Any, target: str, *, skip_link: str, limit: int = 60) -> int:
    """Keys pressed from the page's load until ``target`` (a selector: its first match) has the focus.

    Tab moves on; when a skip link whose text is ``skip_link`` has the focus, Enter follows it (a keyboard user
    takes the shortcut a page offers). Returns ``limit + 1`` when the target is never reached.
    """
    first = page.locator(target).first
    first.wait_for()
    keys = 0
    while keys <= limit:
        if first.evaluate("el => el === document.activeElement"):
            return keys
        if page.evaluate("() => document.activeElement.matches('a.skip')") and (
            page.evaluate("() => document.activeElement.textContent.trim()") == skip_link
        ):
            page.keyboard.press("Enter")
        else:
            page.keyboard.press("Tab")
        keys += 1
    return limit + 1


def test_a_keyboard_reaches_the_first_approve_in_a_few_keys(
    dashboard: tuple[str, Path, dict[str, str], list[str]], browser: Any
) -> None:
    """From the queue's load a keyboard reaches the first Approve in a few keys, and the decision's Record button."""
    base, _root, _keys, recs = dashboard
    page = login(browser, base, "pat", viewport=DESKTOP)
    page.goto(f"{base}/queue")
    keys = keys_to_reach(page, "table#queue button[name=approve]", skip_link="Skip to the queue")
    assert keys <= MAX_KEYS_TO_APPROVE, f"{keys} keys from the queue's load to its first Approve"
    page.goto(f"{base}/recommendations/{recs[0]}")
    keys = keys_to_reach(page, "#record-decision", skip_link="Skip to the decision")
    assert keys <= MAX_KEYS_TO_RECORD, f"{keys} keys from the recommendation's load to Record decision"
    page.context.close()


def test_the_queue_shows_buttons_and_keeps_its_layout_above_the_limit(
    dashboard: tuple[str, Path, dict[str, str], list[str]], browser: Any, artifacts: Path
) -> None:
    base, _root, _keys, _recs = dashboard
    page = login(browser, base, "pat", viewport=DESKTOP)
    body = page.inner_text("body")
    assert "<button" not in body
    assert "an approver decides" in body
    widths = page.eval_on_selector_all(
        "table#queue td.what", "cells => cells.map(c => c.getBoundingClientRect().width)"
    )
    assert min(widths) > 200  # the action column is not squeezed to a word per line
    assert page.locator("table#queue tbody tr").first.locator("td.what").inner_text().count("\n") <= 1
    shot(page, "queue-planner", artifacts)
    page.goto(f"{base}/recommendations/{page.locator('table#queue tbody tr').first.get_attribute('data-rec')}")
    page.select_option("select[name=decision]", "reject")
    page.click("#record-decision")
    assert page.locator("input[name=reason]:invalid").count() == 1  # marked required: nothing is sent
    page.select_option("select[name=decision]", "modify")
    page.select_option("select[name=reason_category]", "budget")
    page.fill("input[name=reason]", "cash is short this month")
    page.click("#record-decision")  # a modification that changes nothing: the server refuses, the form stays
    page.wait_for_selector("#decision-error")
    assert "must change at least one of qty" in page.inner_text("#decision-error")
    assert page.input_value("input[name=reason]") == "cash is short this month"
    assert page.input_value("select[name=reason_category]") == "budget"
    assert page.locator("#site-nav").count() == 1
    shot(page, "decision-refused", artifacts)
    page.context.close()


def test_api_docs_render_with_the_network_cut(
    dashboard: tuple[str, Path, dict[str, str], list[str]], browser: Any, artifacts: Path
) -> None:
    base, *_ = dashboard
    context = browser.new_context(viewport=DESKTOP)
    outside: list[str] = []

    def guard(route: Any) -> None:
        if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.goto(f"{base}/api/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=60_000)
    assert page.locator(".swagger-ui .opblock").count() > 30
    shot(page, "api-docs", artifacts)
    page.goto(f"{base}/api/redoc")
    page.wait_for_selector("[role=menuitem], .menu-content", timeout=60_000)
    assert "hedgerow" in page.inner_text("body")
    assert outside == []  # nothing was even asked of another host
    context.close()


def test_exposure_charts_draw_when_the_job_ends_and_outlive_a_restart(
    dashboard: tuple[str, Path, dict[str, str], list[str]],
    browser: Any,
    artifacts: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    base, root, _keys, _recs = dashboard
    page = login(browser, base, "pat", viewport=DESKTOP)
    page.goto(f"{base}/")
    assert "Not computed yet" in page.inner_text("#exposure-panel")
    page.evaluate("window.__sameDocument = true")
    page.click("#exposure-panel form button")
    page.wait_for_url(f"{base}/")
    page.evaluate("window.__sameDocument = true")  # the form post loaded the overview once; from here, no reload
    page.locator("#exposure-panel .charts3 .chart.chart-ready svg").nth(2).wait_for(timeout=300_000)
    assert page.evaluate("window.__sameDocument === true")
    assert "lost margin" in page.inner_text("#exposure-panel")
    assert "Shenzhen → Tokyo by air" in page.locator("#exposure-panel").inner_html()  # lanes by name, not CN-TYO-AIR
    shot(page, "overview-exposure", artifacts)
    page.context.close()
    with serve(root, tmp_path_factory.mktemp("dashboard-restart")) as again:
        later = login(browser, again, "vic", viewport=DESKTOP)
        later.goto(f"{again}/")
        later.locator("#exposure-panel .charts3 .chart.chart-ready svg").nth(2).wait_for(timeout=60_000)
        assert "computed" in later.inner_text("#exposure-age")
        assert "ago" in later.inner_text("#exposure-age") or "just now" in later.inner_text("#exposure-age")
        later.context.close()


def finished_job(base: str, key: str, kind: str, params: dict[str, Any], *, timeout: float = 300) -> str:
    """The id of a ``kind`` job started through the API with ``key`` once it has succeeded."""
    auth = {"Authorization": f"Bearer {key}"}
    job = httpx.post(f"{base}/api/jobs", json={"kind": kind, "params": params}, headers=auth).json()
    deadline = time.monotonic() + timeout
    while (state := httpx.get(f"{base}/api/jobs/{job['id']}", headers=auth).json())["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, f"{kind} job {job['id']} still {state['status']} after {timeout} s"
        time.sleep(0.5)
    assert state["status"] == "succeeded", state
    return str(job["id"])


def test_reports_api_docs_and_drawn_charts_pass_axe_and_fit_a_phone(
    dashboard: tuple[str, Path, dict[str, str], list[str]], browser: Any
) -> None:
    """With a backtest report and the exposure charts drawn, every role's overview, Reports page, the report itself
    and ``/api/docs`` pass axe-core (WCAG 2 A/AA) and fit a 390 px phone.

    The page-by-page test above runs before any job: it sees neither a report nor a chart.
    """
    base, _root, keys, _recs = dashboard
    if httpx.get(f"{base}/api/exposure", headers={"Authorization": f"Bearer {keys['vic']}"}).status_code == 404:
        finished_job(base, keys["ada"], "exposure", {"weeks": 4})  # when run alone, without the exposure test
    report = finished_job(base, keys["ada"], "backtest", {"periods": 8})
    drawn = "#exposure-panel .charts3 .chart.chart-ready svg"
    by_role = {"/": drawn, "/reports": "#simulator a[href^='/reports/jobs/']"}  # their forms differ by role
    same_for_all = {f"/reports/jobs/{report}": "table", "/api/docs": ".swagger-ui .opblock"}  # one HTML for all
    found: dict[str, list[str]] = {}
    widths: dict[str, int] = {}
    too_wide: dict[str, list[str]] = {}  # the elements past the right edge of a 390 px phone
    for n, user in enumerate(ROLES):
        for viewport in (DESKTOP, PHONE):
            page = login(browser, base, user, viewport=viewport)
            for path, selector in {**by_role, **(same_for_all if n == 0 else {})}.items():
                page.goto(f"{base}{path}")
                page.locator(selector).first.wait_for(timeout=60_000)
                if path == "/":
                    page.locator(drawn).nth(2).wait_for(timeout=60_000)  # all three charts drawn
                if viewport is DESKTOP:
                    waived = SWAGGER_UI_WAIVERS if path == "/api/docs" else None
                    found[f"{user} {path}"] = axe_violations(page, waived=waived)
                else:
                    widths[f"{user} {path}"] = page.evaluate("document.documentElement.scrollWidth")
                    if widths[f"{user} {path}"] > PHONE["width"]:
                        too_wide[f"{user} {path}"] = page.evaluate(WIDEST)
            page.context.close()
    assert len(found) == len(widths) == len(ROLES) * len(by_role) + len(same_for_all)
    violations = {k: v for k, v in found.items() if v}
    assert violations == {}, "\n".join(f"{k}: {line}" for k, v in violations.items() for line in v)
    assert too_wide == {}, widths


def test_a_running_stress_test_is_cancelled_from_its_page(
    dashboard: tuple[str, Path, dict[str, str], list[str]], browser: Any, artifacts: Path
) -> None:
    base, _root, keys, _recs = dashboard
    page = login(browser, base, "pat", viewport=DESKTOP)
    page.goto(f"{base}/reports")
    page.select_option("#stress-form select[name=name]", "strike")
    page.fill("#stress-form input[name=periods]", "40")
    page.click("#stress-form button")
    job = page.locator(".job").first
    job.locator(".cancel-job").wait_for(timeout=60_000)
    page.wait_for_function("() => { const p = document.querySelector('.job progress'); return p && p.value > 0; }",
                           timeout=120_000)  # fmt: skip
    shot(page, "stress-running", artifacts)
    job.locator(".cancel-job").click()
    page.wait_for_selector(".job[data-status=cancelled]", timeout=60_000)
    assert "cancelled by pat" in page.locator(".job[data-status=cancelled]").inner_text()
    jobs = httpx.get(f"{base}/api/jobs?kind=stress", headers={"Authorization": f"Bearer {keys['vic']}"}).json()
    assert jobs[0]["status"] == "cancelled"
    page.context.close()


def test_the_queue_keys_move_the_selection_and_approve_after_the_prompt(
    dashboard: tuple[str, Path, dict[str, str], list[str]], browser: Any
) -> None:
    """On the queue j and k move the selected row, a asks for a reason and approves it (Cancel leaves it), and the
    counts drop without a reload."""
    base, _root, keys, _recs = dashboard
    page = login(browser, base, "ada", viewport=DESKTOP)  # an admin approves rows of any size
    rows = page.locator("table#queue tbody tr[data-rec]")
    before = rows.count()
    assert before >= 2
    count = int(page.inner_text("#queue-count").split()[0].replace(",", ""))
    selected = "table#queue tbody tr.current"
    page.keyboard.press("j")
    assert page.locator(selected).count() == 1
    assert page.locator(selected).get_attribute("data-rec") == rows.nth(0).get_attribute("data-rec")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    target = rows.nth(1).get_attribute("data-rec")
    assert page.locator(selected).count() == 1
    assert page.locator(selected).get_attribute("data-rec") == target
    assert page.evaluate("document.activeElement.dataset.rec") == target  # the selected row has the focus
    prompts: list[str] = []
    page.once("dialog", lambda d: (prompts.append(d.message), d.dismiss()))
    page.keyboard.press("a")
    assert prompts == ["Approve this recommendation. Reason (optional):"]
    assert page.locator(f"#row-{target}").count() == 1  # cancelled: nothing sent
    page.evaluate("window.__sameDocument = true")
    page.once("dialog", lambda d: d.accept("approved from the keyboard"))
    page.keyboard.press("a")
    page.locator(f"#row-{target}").wait_for(state="detached", timeout=30_000)
    assert rows.count() == before - 1
    assert page.inner_text("#queue-count") == f"{count - 1:,} proposed"
    assert page.inner_text("#queue-note") == f"{count - 1:,} proposed match the filters"
    assert page.evaluate("window.__sameDocument === true")  # no reload
    auth = {"Authorization": f"Bearer {keys['vic']}"}
    shown = httpx.get(f"{base}/api/recommendations/{target}", headers=auth).json()
    assert shown["recommendation"]["status"] == "approved"
    assert [(d["user"], d["reason"]) for d in shown["decisions"]] == [("ada", "approved from the keyboard")]
    page.context.close()
