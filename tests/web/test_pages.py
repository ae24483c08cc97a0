"""The web pages through an HTTP client: sign-in, roles on every page, CSRF, inline decisions, graceful
explanations, security headers."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from hedgerow.decide.records import PlanRecord, RecommendationRecord
from hedgerow.domain.actions import Action, ActionKind
from hedgerow.services.recommendations import record_plan
from hedgerow.services.workspace import open_workspace

from ..api.conftest import PASSWORD, Seeded, bearer

PAGES = ["/", "/queue", "/holds", "/data", "/audit", "/scoreboard", "/reports"]
STATIC = Path(__file__).resolve().parents[2] / "src" / "hedgerow" / "web" / "static" / "vendor"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def sign_in(client: TestClient, user: str) -> str:
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"user": user, "password": PASSWORD, "csrf_token": token, "next": "/queue"},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    assert r.headers["location"] == "/queue"
    return csrf_of(client.get("/queue").text)


def test_pages_need_a_session(client: TestClient) -> None:
    for page in PAGES:
        r = client.get(page, follow_redirects=False)
        assert r.status_code == 303, page
        assert r.headers["location"].startswith("/login?next=")
    assert client.get("/queue", headers={"HX-Request": "true"}).headers["HX-Redirect"].startswith("/login")


def test_login_checks_csrf_password_and_next(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    no_csrf = client.post("/login", data={"user": "pat", "password": PASSWORD})
    assert no_csrf.status_code == 403
    wrong = client.post("/login", data={"user": "pat", "password": "nope nope nope", "csrf_token": token})
    assert wrong.status_code == 401
    assert "unknown user or wrong password" in wrong.text
    evil = client.post("/login", data={"user": "pat", "password": PASSWORD, "csrf_token": token,
                                       "next": "//evil.example/x"}, follow_redirects=False)  # fmt: skip
    assert evil.headers["location"] == "/"


@pytest.mark.parametrize("user", ["vic", "pat"])
def test_every_page_renders_for_each_role(client: TestClient, seeded: Seeded, user: str) -> None:
    sign_in(client, user)
    for page in [
        *PAGES,
        f"/recommendations/{seeded.rec_ids[0]}",
        "/queue?status=approved",
        "/queue?by=consignment",
        "/holds?all=true",
    ]:
        r = client.get(page)
        assert r.status_code == 200, (page, r.text[:500])
        assert f'{user} · <b class="role">' in r.text
    queue = client.get("/queue").text
    recs = client.get("/api/recommendations", headers=bearer(seeded, "vic")).json()["recommendations"]
    small = [r for r in recs if r["capital_base"] <= 25_000]
    assert 0 < len(small) < len(recs)
    assert queue.count('name="approve"') == (len(small) if user == "pat" else 0)
    assert ("New hold" in client.get("/holds").text) is (user == "pat")
    assert ("Upload and import" in client.get("/data").text) is (user == "pat")


def test_the_holds_page_prices_what_is_held(client: TestClient) -> None:
    sign_in(client, "vic")
    page = client.get("/holds").text
    # the fixture network's H-1: 300 CHG-65 at LAX, 11.40 USD a unit
    assert '<p id="held-money">In force: 1 hold worth 3,420 USD (LAX 3,420).</p>' in page
    assert '<th class="r">value (USD)</th>' in page


def test_a_viewer_cannot_decide_through_the_form(client: TestClient, seeded: Seeded) -> None:
    token = sign_in(client, "vic")
    r = client.post(f"/queue/{seeded.rec_ids[0]}/decision", data={"decision": "approve", "csrf_token": token})
    assert r.status_code == 403
    assert "viewer" in r.text
    assert client.get(f"/queue/{seeded.rec_ids[0]}/form").status_code == 403


def test_a_planner_approves_inline_and_the_row_leaves(client: TestClient, seeded: Seeded) -> None:
    token = sign_in(client, "pat")
    small = min(client.get("/api/recommendations", headers=bearer(seeded, "vic")).json()["recommendations"],
                key=lambda r: r["capital_base"])  # fmt: skip
    assert f'id="row-{small["id"]}"' in client.get("/queue").text
    no_token = client.post(f"/queue/{small['id']}/decision", data={"decision": "approve"})
    assert no_token.status_code == 403
    r = client.post(f"/queue/{small['id']}/decision", data={"decision": "approve", "expected_version": "1"},
                    headers={"HX-Request": "true", "X-CSRF-Token": token})  # fmt: skip
    assert r.status_code == 200
    assert f'<tr id="row-{small["id"]}" hx-swap-oob="delete">' in r.text
    assert "approved" in r.text
    assert f'id="row-{small["id"]}"' not in client.get("/queue").text
    assert f'id="row-{small["id"]}"' in client.get("/queue?status=approved").text


def test_reject_without_reason_shows_the_reason_and_changes_nothing(client: TestClient, seeded: Seeded) -> None:
    token = sign_in(client, "pat")
    rid = seeded.rec_ids[0]
    form = client.get(f"/queue/{rid}/form")
    assert form.status_code == 200
    assert "reason_category" in form.text
    r = client.post(f"/queue/{rid}/decision", data={"decision": "reject", "csrf_token": token},
                    headers={"HX-Request": "true"})  # fmt: skip
    assert r.status_code == 200  # the form again, in the decision panel, with the reason in place
    assert 'id="decision-error"' in r.text
    assert "reason category" in r.text
    bad_qty = client.post(f"/queue/{rid}/decision", data={"decision": "modify", "qty": "lots", "csrf_token": token})
    assert bad_qty.status_code == 422
    assert "qty" in bad_qty.text
    assert client.get("/api/recommendations", headers=bearer(seeded, "vic")).json()["count"] == len(seeded.rec_ids)


def test_the_explanation_page_shows_summary_alternatives_chart_and_lineage(client: TestClient, seeded: Seeded) -> None:
    sign_in(client, "vic")
    html = client.get(f"/recommendations/{seeded.rec_ids[0]}").text
    assert 'data-chart="fan-spec"' in html
    assert '"with the action"' in html
    assert "do nothing" in html
    assert "Break-even." in html
    assert "vega-embed.min.js" in html
    assert "fixture" not in html.lower() or "snapshot" in html
    assert "demand.csv" in html  # lineage: the source file of the demand snapshot


@pytest.mark.parametrize(
    "explanation",
    [{}, {"headline": "old style", "drivers": ["demand shift"]}, {"summary": 3, "alternatives": "x", "drivers": [None, 1],
     "projection": {"periods": ["a", "b"], "with_action": {"p50": [1, "x"]}}, "break_even": {"break_even_value": "y"}},
     {"explanation": {"summary": "nested Recommendation.to_dict()", "projection": {"periods": [1], "without_action": {"p50": [4.0]}}}}],
)  # fmt: skip
def test_an_odd_explanation_never_breaks_the_page(client: TestClient, seeded: Seeded, explanation: dict) -> None:  # type: ignore[type-arg]
    at = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
    rec = RecommendationRecord("R-ODD", 1, Action(ActionKind.KEEP_BUFFER, "CHG-65", "TYO", 12.0), 10.0, 20.0, 0.1, 0.0,
                               explanation)  # fmt: skip
    plan = PlanRecord("P-ODD", at, 1, 10, 4, "USD", {}, hashlib.sha256(b"x").hexdigest(), (rec,))
    with open_workspace(seeded.root) as ws:
        record_plan(ws, plan, user="pat", now=at)
    sign_in(client, "vic")
    r = client.get("/recommendations/R-ODD")
    assert r.status_code == 200
    assert "keep buffer 12 × CHG-65" in r.text


def test_security_headers_and_unknown_pages(client: TestClient) -> None:
    r = client.get("/login")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
    assert client.get("/nope").status_code == 404
    assert client.get("/api/nope").json()["error"]["kind"] == "NotFound"


def test_vendored_libraries_are_the_recorded_files(client: TestClient) -> None:
    readme = (STATIC / "README.md").read_text()
    rows = re.findall(r"\| [a-z.-]+ \| [\d.]+ \| (\S+) \| .* \| ([0-9a-f]{64}) \|", readme)
    assert len(rows) == 4
    for file, sha in rows:
        assert hashlib.sha256((STATIC / file).read_bytes()).hexdigest() == sha, file
        assert (STATIC / file).parent.joinpath("LICENSE").is_file()
        served = client.get(f"/static/vendor/{file}")
        assert served.status_code == 200
        assert hashlib.sha256(served.content).hexdigest() == sha


def test_audit_page_names_a_row_changed_behind_the_chain(client: TestClient, seeded: Seeded) -> None:
    sign_in(client, "vic")
    assert "ledger rows match the events that wrote them" in client.get("/audit").text
    with open_workspace(seeded.root) as ws, ws.engine.begin() as conn:
        conn.execute(text("UPDATE users SET role = 'admin' WHERE name = 'vic'"))
        vic = conn.execute(text("SELECT id FROM users WHERE name = 'vic'")).scalar_one()
    page = client.get("/audit").text
    assert "ledger rows do not match the events that wrote them" in page
    assert f"users row {vic}: role changed since event #" in page
