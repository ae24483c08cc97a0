"""The queue over HTTP: list, filter, page, detail, explanation, trace, decisions with roles and locking."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from .conftest import Seeded, bearer


def queue(client: TestClient, seeded: Seeded, query: str = "") -> dict[str, Any]:
    r = client.get(f"/api/recommendations{query}", headers=bearer(seeded, "vic"))
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def small_and_large(client: TestClient, seeded: Seeded) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    recs = queue(client, seeded)["recommendations"]
    limit = client.get("/api/queue/summary", headers=bearer(seeded, "vic")).json()["approver_required_above"]
    return [r for r in recs if r["capital_base"] <= limit], [r for r in recs if r["capital_base"] > limit]


def test_the_queue_lists_the_seeded_plan_ranked(client: TestClient, seeded: Seeded) -> None:
    body = queue(client, seeded)
    ids = [r["id"] for r in body["recommendations"]]
    assert body["base_currency"] == "USD"
    assert sorted(ids) == sorted(seeded.rec_ids)
    assert [r["rank"] for r in body["recommendations"]] == list(range(1, len(ids) + 1))
    assert all(r["status"] == "proposed" and r["allowed"] == ["approve", "reject", "modify", "supersede"]
               for r in body["recommendations"])  # fmt: skip


def test_paging_and_filters(client: TestClient, seeded: Seeded) -> None:
    first = queue(client, seeded, "?limit=2")
    second = queue(client, seeded, "?limit=2&offset=2")
    assert first["count"] == 2
    assert first["next_offset"] == 2
    assert [r["id"] for r in first["recommendations"] + second["recommendations"]] == [
        r["id"] for r in queue(client, seeded)["recommendations"]
    ]
    location = first["recommendations"][0]["location_id"]
    only = queue(client, seeded, f"?location_id={location}")["recommendations"]
    assert only
    assert all(r["location_id"] == location for r in only)
    assert queue(client, seeded, "?status=approved")["count"] == 0
    assert queue(client, seeded, "?kind=transfer")["count"] == 0


def test_bad_query_values_are_422_naming_the_parameter(client: TestClient, seeded: Seeded) -> None:
    for query, name in (("?limit=0", "limit"), ("?limit=abc", "limit"), ("?status=maybe", "status"),
                        ("?offset=-1", "offset"), ("?kind=teleport", "kind")):  # fmt: skip
        r = client.get(f"/api/recommendations{query}", headers=bearer(seeded, "vic"))
        assert r.status_code == 422, query
        err = r.json()["error"]
        assert err["field"].startswith(name)
        assert name in err["message"]
        assert "query parameter" in err["message"]


def test_a_planner_approves_a_small_one_and_it_leaves_the_queue(client: TestClient, seeded: Seeded) -> None:
    small, _ = small_and_large(client, seeded)
    rec = small[0]
    r = client.post(
        f"/api/recommendations/{rec['id']}/decision", json={"decision": "approve"}, headers=bearer(seeded, "pat")
    )
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["decided_by"], r.json()["version"]) == ("approved", "pat", 2)
    assert rec["id"] not in [x["id"] for x in queue(client, seeded)["recommendations"]]
    assert [x["id"] for x in queue(client, seeded, "?status=approved")["recommendations"]] == [rec["id"]]
    detail = client.get(f"/api/recommendations/{rec['id']}", headers=bearer(seeded, "vic")).json()
    assert [(d["kind"], d["user"], d["role"]) for d in detail["decisions"]] == [("approve", "pat", "planner")]


def test_a_viewer_cannot_decide_and_a_planner_not_above_the_threshold(client: TestClient, seeded: Seeded) -> None:
    small, large = small_and_large(client, seeded)
    assert small
    assert large
    r = client.post(
        f"/api/recommendations/{small[0]['id']}/decision", json={"decision": "approve"}, headers=bearer(seeded, "vic")
    )
    assert r.status_code == 403
    assert "viewer" in r.json()["error"]["message"]
    r = client.post(
        f"/api/recommendations/{large[0]['id']}/decision", json={"decision": "approve"}, headers=bearer(seeded, "pat")
    )
    assert r.status_code == 403
    assert "approver" in r.json()["error"]["message"]
    r = client.post(
        f"/api/recommendations/{large[0]['id']}/decision", json={"decision": "approve"}, headers=bearer(seeded, "alex")
    )
    assert r.status_code == 200
    assert r.json()["decided_by"] == "alex"


def test_decision_mistakes_are_4xx_with_the_reason(client: TestClient, seeded: Seeded) -> None:
    small, _ = small_and_large(client, seeded)
    rid = small[0]["id"]
    url = f"/api/recommendations/{rid}/decision"
    pat = bearer(seeded, "pat")
    r = client.post(url, json={"decision": "reject"}, headers=pat)
    assert r.status_code == 400
    assert "reason category" in r.json()["error"]["message"]
    r = client.post(url, json={"decision": "modify", "reason_category": "budget", "reason": "less"}, headers=pat)
    assert r.status_code == 400
    assert "must change at least one" in r.json()["error"]["message"]
    r = client.post(url, json={"decision": "approve", "qty": -3}, headers=pat)
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "qty"
    r = client.post(url, json={"decision": "approve", "colour": "red"}, headers=pat)
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "colour"
    r = client.post(url, json={"decision": "export"}, headers=pat)
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "decision"
    r = client.post(url, content=b"{not json", headers=pat | {"content-type": "application/json"})
    assert r.status_code == 422
    r = client.post("/api/recommendations/R-nope/decision", json={"decision": "approve"}, headers=pat)
    assert r.status_code == 404
    assert "R-nope" in r.json()["error"]["message"]
    r = client.post(url, json={"decision": "close"}, headers=pat)
    assert r.status_code == 409
    assert "proposed" in r.json()["error"]["message"]


def test_optimistic_locking_gives_409(client: TestClient, seeded: Seeded) -> None:
    small, _ = small_and_large(client, seeded)
    rid = small[0]["id"]
    url = f"/api/recommendations/{rid}/decision"
    assert (
        client.post(url, json={"decision": "approve", "expected_version": 1}, headers=bearer(seeded, "pat")).status_code
        == 200
    )
    r = client.post(url, json={"decision": "reject", "reason_category": "budget", "reason": "x", "expected_version": 1},
                    headers=bearer(seeded, "alex"))  # fmt: skip
    assert r.status_code == 409
    assert r.json()["error"]["kind"] == "ConcurrentUpdate"
    assert "pat" in r.json()["error"]["message"]


def test_modify_records_the_changed_action(client: TestClient, seeded: Seeded) -> None:
    small, _ = small_and_large(client, seeded)
    rec = small[0]
    body = {"decision": "modify", "qty": rec["qty"] / 2, "reason_category": "risk_appetite", "reason": "half is enough"}
    r = client.post(f"/api/recommendations/{rec['id']}/decision", json=body, headers=bearer(seeded, "pat"))
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["decided_qty"]) == ("modified", rec["qty"] / 2)


def test_detail_explanation_trace_and_plans(client: TestClient, seeded: Seeded) -> None:
    rid = seeded.rec_ids[0]
    vic = bearer(seeded, "vic")
    detail = client.get(f"/api/recommendations/{rid}", headers=vic).json()
    assert detail["recommendation"]["id"] == rid
    assert {"summary", "alternatives", "drivers", "projection"} <= set(detail["explanation"])
    assert client.get(f"/api/recommendations/{rid}/explanation", headers=vic).json() == detail["explanation"]
    trace = client.get(f"/api/recommendations/{rid}/trace", headers=vic).json()
    assert trace["plan"]["plan_id"] == seeded.plan_id
    assert {d["table"] for d in trace["data"]} >= {"demand", "items"}
    plans = client.get("/api/plans", headers=vic).json()
    assert [(p["plan_id"], p["recommendations"]) for p in plans] == [
        (seeded.plan_id, {"proposed": len(seeded.rec_ids)})
    ]
    assert client.get(f"/api/plans/{seeded.plan_id}", headers=vic).json()["seed"] == 20261125
    assert client.get("/api/plans/nope", headers=vic).status_code == 404
    summary = client.get("/api/queue/summary", headers=vic).json()
    assert summary["proposed"] == len(seeded.rec_ids)
    assert summary["plans"] == 1


def test_a_plans_consignments_partition_its_queue_and_one_is_approved_whole(client: TestClient, seeded: Seeded) -> None:
    recs = queue(client, seeded)["recommendations"]
    plan_id = recs[0]["plan_id"]
    r = client.get(f"/api/plans/{plan_id}/consignments", headers=bearer(seeded, "vic"))
    assert r.status_code == 200, r.text
    cons = r.json()
    assert sorted(i for c in cons for i in c["recommendation_ids"]) == sorted(x["id"] for x in recs)
    assert [c["rank"] for c in cons] == list(range(1, len(cons) + 1))
    by_id = {x["id"]: x for x in recs}
    for c in cons:
        assert abs(c["capital"] - sum(by_id[i]["capital_base"] for i in c["recommendation_ids"])) < 0.01
    assert client.get("/api/plans/nope/consignments", headers=bearer(seeded, "vic")).status_code == 404
    target = cons[0]
    url = f"/api/consignments/{target['id']}/decision"
    assert client.post(url, json={"decision": "approve"}, headers=bearer(seeded, "vic")).status_code == 403
    assert client.post(url, json={"decision": "modify"}, headers=bearer(seeded, "alex")).status_code == 422
    done = client.post(url, json={"decision": "approve"}, headers=bearer(seeded, "alex"))
    assert done.status_code == 200, done.text
    body = done.json()
    assert sorted(v["id"] for v in body["decided"]) == sorted(target["recommendation_ids"])
    assert {v["status"] for v in body["decided"]} == {"approved"}
    assert body["skipped"] == []
    again = client.post(url, json={"decision": "approve"}, headers=bearer(seeded, "alex")).json()
    assert again["decided"] == []
    assert [s["id"] for s in again["skipped"]] == target["recommendation_ids"]
