"""Holds, exports, audit, status, scoreboard, reconciliation and background jobs over HTTP."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from .conftest import NETWORK, Seeded, bearer

#: Longest a test thread waits for another (s): only reached when the server is blocked, which fails the test.
WAIT_S = 30.0


def test_holds_create_extend_release_and_mistakes(client: TestClient, seeded: Seeded) -> None:
    pat, vic = bearer(seeded, "pat"), bearer(seeded, "vic")
    body = {"item_id": "CHG-65", "location_id": "TYO", "qty": 40, "reason": "launch event", "expires_on": "2026-12-10"}
    assert client.post("/api/holds", json=body, headers=vic).status_code == 403
    r = client.post("/api/holds", json=body | {"hold_id": "H-T1"}, headers=pat)
    assert r.status_code == 201, r.text
    assert (r.json()["owner"], r.json()["days_left"], r.json()["expiring"]) == ("pat", 15, False)
    assert r.json()["value_base"] == pytest.approx(40 * 11.40)  # CHG-65 costs 11.40 USD a unit
    assert client.post("/api/holds", json=body | {"hold_id": "H-T1"}, headers=pat).status_code == 400
    assert client.post("/api/holds", json=body | {"item_id": "NOPE"}, headers=pat).status_code == 404
    past = client.post("/api/holds", json=body | {"expires_on": "2026-01-01"}, headers=pat)
    assert past.status_code == 400
    assert "before today" in past.json()["error"]["message"]
    bad = client.post("/api/holds", json=body | {"qty": 0}, headers=pat)
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "qty"
    r = client.post("/api/holds/H-T1/extend", json={"until": "2027-01-31"}, headers=pat)
    assert r.status_code == 200
    assert r.json()["expires_on"] == "2027-01-31"
    assert r.json()["version"] == 2
    assert client.post("/api/holds/H-T1/extend", json={"until": "2027-01-01"}, headers=pat).status_code == 400
    assert client.post("/api/holds/H-T1/release", json={"expected_version": 1}, headers=pat).status_code == 409
    assert client.post("/api/holds/H-T1/release", headers=pat).json()["status"] == "released"
    assert client.post("/api/holds/H-T1/release", headers=pat).status_code == 409
    listed = {h["hold_id"] for h in client.get("/api/holds", headers=vic).json()}
    assert "H-T1" not in listed
    assert "H-T1" in {h["hold_id"] for h in client.get("/api/holds?all=true", headers=vic).json()}


def test_export_download_audit_and_verify(client: TestClient, seeded: Seeded) -> None:
    pat, vic = bearer(seeded, "pat"), bearer(seeded, "vic")
    nothing = client.post("/api/exports", json={"format": "csv"}, headers=pat)
    assert nothing.status_code == 400
    assert "nothing to export" in nothing.json()["error"]["message"]
    recs = client.get("/api/recommendations", headers=vic).json()["recommendations"]
    small = min(recs, key=lambda r: r["capital_base"])
    client.post(f"/api/recommendations/{small['id']}/decision", json={"decision": "approve"}, headers=pat)
    assert client.post("/api/exports", json={"format": "csv"}, headers=vic).status_code == 403
    r = client.post("/api/exports", json={"format": "csv"}, headers=pat)
    assert r.status_code == 201
    assert r.json()["recommendation_ids"] == [small["id"]]
    assert r.json()["created"] is True
    again = client.post("/api/exports", json={"format": "csv", "recommendation_ids": [small["id"]]}, headers=pat)
    assert again.json()["export_id"] == r.json()["export_id"]
    assert again.json()["created"] is False
    file = client.get(r.json()["download"], headers=vic)
    assert file.status_code == 200
    assert small["id"] in file.text
    assert client.get("/api/exports", headers=vic).json()[0]["export_id"] == r.json()["export_id"]
    assert client.get("/api/exports/EX-nope/file", headers=vic).status_code == 404
    events = client.get("/api/audit/events?limit=3", headers=vic).json()
    assert [e["kind"] for e in events] == ["export", "decision", "decision"]
    assert events[0]["seq"] > events[1]["seq"]
    assert events[0]["prev_hash"] == events[1]["hash"]
    older = client.get(f"/api/audit/events?limit=1&before_seq={events[2]['seq']}", headers=vic).json()
    assert older[0]["seq"] == events[2]["seq"] - 1
    verify = client.get("/api/audit/verify", headers=vic).json()
    assert verify["ok"]
    assert verify["head_hash"] == events[0]["hash"]


def test_status_trust_reconcile_scoreboard(client: TestClient, seeded: Seeded) -> None:
    vic, pat = bearer(seeded, "vic"), bearer(seeded, "pat")
    status = client.get("/api/status", headers=vic).json()
    assert {t["table"] for t in status["tables"] if t["imported"]} >= {"demand", "items", "inventory"}
    assert client.get("/api/reconciliations/latest", headers=vic).status_code == 404
    assert client.post("/api/reconciliations", headers=vic).status_code == 403
    r = client.post("/api/reconciliations", headers=pat)
    assert r.status_code in (200, 400), r.text  # the fixture network has two counts per item-location or says why
    board = client.get("/api/scoreboard", headers=vic)
    assert board.status_code == 200
    assert set(board.json()) >= {"per_planner", "per_reason", "pending"}


def test_exposure_job_and_result(app: FastAPI, client: TestClient, seeded: Seeded) -> None:
    vic = bearer(seeded, "vic")
    assert client.get("/api/exposure", headers=vic).status_code == 404
    kinds = {k["kind"]: k for k in client.get("/api/jobs/kinds", headers=vic).json()}
    assert set(kinds) == {"import", "exposure", "plan", "backtest", "stress"}
    assert kinds["plan"]["permission"] == "record_plan"
    assert kinds["exposure"]["params_schema"]["properties"]["weeks"]
    bad = client.post("/api/jobs", json={"kind": "exposure", "params": {"weeks": 500}}, headers=bearer(seeded, "pat"))
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "params.weeks"
    unknown = client.post("/api/jobs", json={"kind": "forecast"}, headers=vic)
    assert unknown.status_code == 404
    assert "plan" in unknown.json()["error"]["message"]
    assert client.post("/api/jobs", json={"kind": "import"}, headers=bearer(seeded, "pat")).status_code == 400
    assert client.post("/api/jobs", json={"kind": "exposure", "params": {"weeks": 2}}, headers=vic).status_code == 403
    r = client.post("/api/jobs", json={"kind": "exposure", "params": {"weeks": 2}}, headers=bearer(seeded, "pat"))
    assert r.status_code == 202
    done = app.state.hedgerow.jobs.wait(r.json()["id"])
    assert done["status"] == "succeeded", done["error"]
    polled = client.get(r.json()["status_url"], headers=vic).json()
    assert polled["fraction"] == 1.0
    assert polled["result_link"] == "/api/exposure"
    exposure = client.get("/api/exposure", headers=vic).json()
    assert exposure["weeks"] == 2
    assert exposure["rows"]
    assert {"by_lane", "by_region", "by_currency"} <= set(exposure["summary"])
    lanes = {row["element_id"] for row in exposure["rows"] if row["element_type"] == "lane"}
    assert {r["lane_id"] for r in exposure["summary"]["by_lane"]} == lanes


def test_upload_import_job_success_and_rejection(app: FastAPI, client: TestClient, seeded: Seeded) -> None:
    pat = bearer(seeded, "pat")
    files = [("files", ("holds.csv", (NETWORK / "holds.csv").read_bytes(), "text/csv"))]
    assert client.post("/api/imports", files=files, headers=bearer(seeded, "vic")).status_code == 403
    r = client.post("/api/imports", files=files, headers=pat)
    assert r.status_code == 202, r.text
    done = app.state.hedgerow.jobs.wait(r.json()["id"])
    assert done["status"] == "succeeded"
    assert done["result"]["tables"][0]["table"] == "holds"
    broken = b"hold_id,item_id,location_id,qty,owner,reason,expires_at\nH-9,CHG-65,LAX,-5,me,x,2026-12-31\n"
    r = client.post("/api/imports", files=[("files", ("holds.csv", broken, "text/csv"))], headers=pat)
    failed = app.state.hedgerow.jobs.wait(r.json()["id"])
    assert failed["status"] == "failed"
    assert failed["error"]["kind"] == "ValidationFailed"
    finding = failed["error"]["reports"][0]["findings"][0]
    assert (finding["column"], finding["row"], finding["value"]) == ("qty", 1, "-5")
    unknown = client.post("/api/imports", files=[("files", ("notes.csv", b"a\n1\n", "text/csv"))], headers=pat)
    assert unknown.status_code == 400
    assert "cannot tell which table" in unknown.json()["error"]["message"]
    exe = client.post("/api/imports", files=[("files", ("demand.exe", b"MZ", "x"))], headers=pat)
    assert exe.status_code == 400
    report = client.post(
        "/api/validate", files={"file": ("holds.csv", broken, "text/csv")}, headers=bearer(seeded, "vic")
    )
    assert report.status_code == 200
    assert report.json()["ok"] is False
    assert report.json()["errors"] == 1
    history = client.get("/api/imports?table=holds", headers=pat).json()
    assert history[0]["table"] == "holds"
    assert history[0]["imported_by"] == "pat"


def test_validate_neither_blocks_the_server_nor_takes_any_size(seeded: Seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    """A validation runs beside other requests (issue 16: a 17 MiB upload stalled /api/health), within a cap."""
    import threading

    from hedgerow.api.app import create_app
    from hedgerow.api.config import ServerConfig
    from hedgerow.api.routes import data

    from .conftest import NOW, SECRET

    entered, release = threading.Event(), threading.Event()
    real = data.validate_frame
    waits: list[bool] = []

    def held(*args: object, **kwargs: object) -> object:
        entered.set()
        # released once /api/health has answered; on a blocked event loop it never is, and the wait times out
        waits.append(release.wait(WAIT_S))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(data, "validate_frame", held)
    vic = bearer(seeded, "vic")
    body = (NETWORK / "holds.csv").read_bytes()
    cap = len(body) + 1
    config = ServerConfig(session_secret=SECRET, max_validate_bytes=cap)
    with TestClient(create_app(seeded.root, config, clock=lambda: NOW, inline_workers=1)) as client:
        results: list[int] = []
        worker = threading.Thread(
            target=lambda: results.append(
                client.post("/api/validate", files={"file": ("holds.csv", body, "text/csv")}, headers=vic).status_code
            )
        )
        worker.start()
        assert entered.wait(WAIT_S), "the validation never started"
        health = client.get("/api/health")
        release.set()
        worker.join(WAIT_S)
        assert health.status_code == 200
        assert waits == [True], "/api/health was not served while a validation ran"
        assert results == [200]
        big = client.post("/api/validate", files={"file": ("holds.csv", b"x" * (cap + 1), "text/csv")}, headers=vic)
        assert big.status_code == 400
        assert f"larger than {cap:,} bytes" in big.json()["error"]["message"]
        assert "hedgerow validate FILE" in big.json()["error"]["message"]
