"""The queue by consignment (issue 14) through an HTTP client: one row per consignment of the newest plan, by value,
decided as a whole in place (htmx) or by redirect, within the decider's limit."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

from fastapi.testclient import TestClient

from hedgerow.services.consignments import plan_consignments
from hedgerow.services.recommendations import get_recommendation, record_plan
from hedgerow.services.workspace import open_workspace

from ..api.conftest import PLAN_AT, Seeded, bearer
from ..api.plans import sample_plan
from .test_pages import sign_in

VIEW = "/queue?by=consignment"
HTMX = {"HX-Request": "true"}
#: Lanes the split plan puts its lines on, in the plan's order (two lines share the first).
LANES = ("LANE-A", "LANE-A", "LANE-B", "LANE-C")


def shown(html: str) -> dict[str, list[str]]:
    """The consignments on the page, in order, each with the recommendations its lines link to."""
    bodies = re.findall(r'<tbody id="(con-[0-9a-f]+)" class="consignment">(.*?)</tbody>', html, re.S)
    return {con: re.findall(r'<a href="/recommendations/([^"]+)">', body) for con, body in bodies}


def status_of(seeded: Seeded, rec_id: str) -> str:
    with open_workspace(seeded.root) as ws:
        return get_recommendation(ws, rec_id).status


def record_split_plan(seeded: Seeded) -> str:
    """Record a newer plan whose lines travel on three lanes (the seeded plan has one); returns its id."""
    at = PLAN_AT + timedelta(hours=1)
    with open_workspace(seeded.root) as ws:
        plan = sample_plan(ws, "P-SPLIT", at)
        lines = tuple(
            replace(r, action=replace(r.action, lane_id=lane))
            for r, lane in zip(plan.recommendations, LANES, strict=True)
        )
        record_plan(ws, replace(plan, recommendations=lines), user="pat", now=at)
    return plan.plan_id


def test_the_view_partitions_the_newest_plans_lines_by_value_and_a_viewer_cannot_decide(
    client: TestClient, seeded: Seeded
) -> None:
    plan_id = record_split_plan(seeded)
    sign_in(client, "vic")
    html = client.get(VIEW).text
    cons = shown(html)
    with open_workspace(seeded.root) as ws:
        expected = plan_consignments(ws, plan_id)
    assert len(expected) == 3
    assert list(cons) == [c.id for c in expected]  # the newest plan's, in the service's order
    assert [c.value for c in expected] == sorted((c.value for c in expected), reverse=True)
    lines = [rec for recs in cons.values() for rec in recs]
    assert sorted(lines) == sorted(r for c in expected for r in c.recommendation_ids)  # each line once
    assert len(set(lines)) == len(LANES)
    assert {c.id: list(c.recommendation_ids) for c in expected} == cons
    assert "3 consignments for 4 lines of plan P-SPLIT" in html
    assert 'aria-current="page">By consignment' in html
    assert "/decision" not in html
    assert "Approve" not in html
    assert "Reject…" not in html


def test_an_approver_approves_a_consignment_in_place(client: TestClient, seeded: Seeded) -> None:
    token = sign_in(client, "alex")
    con = next(iter(shown(client.get(VIEW).text)))
    r = client.post(f"/queue/consignments/{con}/decision", data={"decision": "approve", "csrf_token": token},
                    headers=HTMX)  # fmt: skip
    assert r.status_code == 200
    assert f'<tbody id="{con}" class="consignment">' in r.text  # the consignment's rows, to swap in place
    assert "approved 4 of 4 lines of consignment 1." in r.text
    assert '<span class="muted" id="queue-count" hx-swap-oob="true">0 proposed</span>' in r.text
    assert {status_of(seeded, rec) for rec in seeded.rec_ids} == {"approved"}
    assert 'name="approve"' not in r.text  # nothing left to approve


def test_a_planner_sees_the_lines_above_the_limit_left_with_why(client: TestClient, seeded: Seeded) -> None:
    token = sign_in(client, "pat")
    with open_workspace(seeded.root) as ws:
        big = {r for r in seeded.rec_ids if get_recommendation(ws, r).capital_base > 25_000}
    assert big, "the seeded consignment has lines above the planner's limit"
    assert big != set(seeded.rec_ids), "and lines below it"
    con = next(iter(shown(client.get(VIEW).text)))
    r = client.post(f"/queue/consignments/{con}/decision", data={"decision": "approve", "csrf_token": token},
                    headers=HTMX)  # fmt: skip
    assert r.status_code == 200
    n = len(seeded.rec_ids)
    assert f"approved {n - len(big)} of {n} lines of consignment 1; left {len(big)}:" in r.text
    skipped = re.search(r'<ul class="skipped">(.*?)</ul>', r.text, re.S)
    assert skipped is not None
    for rec in big:
        assert re.search(rf'<a href="/recommendations/{rec}">{rec}</a>: [^<]*may not approve {rec}', skipped.group(1))
        assert status_of(seeded, rec) == "proposed"
    assert {status_of(seeded, rec) for rec in set(seeded.rec_ids) - big} == {"approved"}
    assert "an approver decides" in r.text  # what is left is not the planner's to approve
    assert 'name="approve"' not in r.text
    again = client.post(f"/queue/consignments/{con}/decision", data={"decision": "approve", "csrf_token": token},
                        follow_redirects=False)  # fmt: skip
    assert again.status_code == 303  # without JavaScript: back to the view, the same words as a message
    assert again.headers["location"] == VIEW
    page = client.get(VIEW).text
    assert f"decided 0 of {n} lines of consignment 1; left {n}" in page
    assert "it is approved" in page


def test_a_rejection_needs_a_reason_and_keeps_what_was_typed(client: TestClient, seeded: Seeded) -> None:
    token = sign_in(client, "alex")
    con = next(iter(shown(client.get(VIEW).text)))
    url = f"/queue/consignments/{con}/decision"
    typed = {"decision": "reject", "reason_category": "budget", "csrf_token": token}
    refused = client.post(url, data=typed, headers=HTMX)
    assert refused.status_code == 200
    assert re.search(r'<div class="flash error" role="alert"[^>]*>[^<]*needs a reason in words', refused.text)
    assert '<details class="con-reject" open>' in refused.text
    assert '<option value="budget" selected>' in refused.text
    assert {status_of(seeded, rec) for rec in seeded.rec_ids} == {"proposed"}
    done = client.post(url, data=typed | {"reason": "cash is short this month"}, headers=HTMX)
    assert f"rejected {len(seeded.rec_ids)} of {len(seeded.rec_ids)} lines" in done.text
    assert {status_of(seeded, rec) for rec in seeded.rec_ids} == {"rejected"}


def test_deciding_a_consignment_needs_the_role_and_the_csrf_token(client: TestClient, seeded: Seeded) -> None:
    token = sign_in(client, "vic")
    con = next(iter(shown(client.get(VIEW).text)))
    url = f"/queue/consignments/{con}/decision"
    assert client.post(url, data={"decision": "approve", "csrf_token": token}).status_code == 403
    client.cookies.clear()
    token = sign_in(client, "alex")
    assert client.post(url, data={"decision": "approve"}).status_code == 403  # no CSRF token
    assert {status_of(seeded, rec) for rec in seeded.rec_ids} == {"proposed"}
    done = client.post(url, data={"decision": "approve", "csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303
    assert {status_of(seeded, rec) for rec in seeded.rec_ids} == {"approved"}


def test_the_exported_lines_of_a_consignment_are_closed_at_once(client: TestClient, seeded: Seeded) -> None:
    token = sign_in(client, "alex")
    con = next(iter(shown(client.get(VIEW).text)))
    url = f"/queue/consignments/{con}/decision"
    assert 'name="close"' not in client.get(VIEW).text  # nothing exported yet
    client.post(url, data={"decision": "approve", "csrf_token": token}, headers=HTMX)
    assert client.post("/api/exports", json={"format": "csv"}, headers=bearer(seeded, "pat")).status_code == 201
    assert {status_of(seeded, rec) for rec in seeded.rec_ids} == {"exported"}
    page = client.get(VIEW).text
    assert 'name="close"' in page
    assert 'name="approve"' not in page
    done = client.post(url, data={"decision": "close", "csrf_token": token}, headers=HTMX)
    assert f"closed {len(seeded.rec_ids)} of {len(seeded.rec_ids)} lines" in done.text
    assert {status_of(seeded, rec) for rec in seeded.rec_ids} == {"closed"}
    assert 'name="close"' not in done.text
