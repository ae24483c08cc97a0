"""Backtest and stress jobs over HTTP: the simulator's figures as the job result, its HTML report beside them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from .conftest import make_app
from .sim_ws import build_sim_workspace


@pytest.fixture(scope="module")
def sim_ws(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, str]]]:
    root, keys = build_sim_workspace(tmp_path_factory.mktemp("sim-jobs"))
    return root, {u: {"Authorization": f"Bearer {k}"} for u, k in keys.items()}


@pytest.fixture(scope="module")
def sim_app(sim_ws: tuple[Path, dict[str, dict[str, str]]]) -> Iterator[tuple[FastAPI, TestClient, dict[str, str]]]:
    """The app, a client and an admin's headers (heavy jobs need the planner's permission)."""
    app = make_app(sim_ws[0], web=False)
    with TestClient(app) as client:
        yield app, client, sim_ws[1]["ada"]


def embedded_figures(html: str) -> dict[str, object]:
    found = re.search(r'<script type="application/json" id="hedgerow-figures">(.*?)</script>', html, re.S)
    assert found is not None
    data: dict[str, object] = json.loads(found.group(1))
    return data


def test_a_planner_backtests_and_reads_the_report(
    sim_ws: tuple[Path, dict[str, dict[str, str]]], sim_app: tuple[FastAPI, TestClient, dict[str, str]]
) -> None:
    app, client, ada = sim_app
    kinds = {k["kind"]: k for k in client.get("/api/jobs/kinds", headers=ada).json()}
    assert kinds["backtest"]["permission"] == kinds["stress"]["permission"] == "record_plan"
    viewer = sim_ws[1]["vic"]
    for kind in ("backtest", "stress", "exposure"):
        denied = client.post("/api/jobs", json={"kind": kind, "params": {}}, headers=viewer)
        assert denied.status_code == 403, kind
        assert f"may not start {kind} jobs" in denied.json()["error"]["message"]
    bad = client.post("/api/jobs", json={"kind": "backtest", "params": {"policies": ["guesswork"]}}, headers=ada)
    assert bad.status_code == 422
    assert bad.json()["error"]["field"].startswith("params.policies")
    r = client.post(
        "/api/jobs", json={"kind": "backtest", "params": {"periods": 20, "policies": ["order_up_to"]}}, headers=ada
    )
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]
    done = app.state.hedgerow.jobs.wait(job_id, timeout_s=300)
    assert done["status"] == "succeeded", done["error"]
    fig = done["result"]
    assert fig["kind"] == "backtest"
    assert fig["summary"]["periods"] == 20
    assert set(fig["policies"]) == {"order_up_to"}
    assert 0.0 <= fig["policies"]["order_up_to"]["fill_rate"] <= 1.0
    assert done["result_link"] == f"/api/jobs/{job_id}/report"
    page = client.get(done["result_link"], headers=ada)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.text.startswith("<!DOCTYPE html>")
    assert "<svg" in page.text
    assert embedded_figures(page.text) == fig  # the page draws exactly the job's figures


def test_a_stress_job_compares_with_and_without_the_shock(
    sim_app: tuple[FastAPI, TestClient, dict[str, str]],
) -> None:
    app, client, ada = sim_app
    params = {"name": "port_closure", "weeks": 4, "periods": 20, "policies": ["order_up_to"]}
    r = client.post("/api/jobs", json={"kind": "stress", "params": params}, headers=ada)
    assert r.status_code == 202, r.text
    done = app.state.hedgerow.jobs.wait(r.json()["id"], timeout_s=300)
    assert done["status"] == "succeeded", done["error"]
    fig = done["result"]
    assert fig["kind"] == "stress"
    assert fig["shock"]["name"] == "port_closure"
    assert fig["shock"]["end"] - fig["shock"]["start"] == 4
    assert set(fig["deltas"]) == {"order_up_to"}
    page = client.get(f"/api/jobs/{done['id']}/report", headers=ada)
    assert page.status_code == 200
    assert "port_closure" in page.text
    # a shock setting it does not take fails the job with a message naming it (no 500)
    wrong = {"name": "demand_shift", "weeks": 3, "periods": 20, "policies": ["order_up_to"]}
    r = client.post("/api/jobs", json={"kind": "stress", "params": wrong}, headers=ada)
    failed = app.state.hedgerow.jobs.wait(r.json()["id"], timeout_s=300)
    assert failed["status"] == "failed"
    assert "weeks does not apply" in failed["error"]["message"]
    refused = client.get(f"/api/jobs/{failed['id']}/report", headers=ada)
    assert refused.status_code == 409
    assert "once it has succeeded" in refused.json()["error"]["message"]


def test_only_simulator_jobs_have_reports(sim_app: tuple[FastAPI, TestClient, dict[str, str]]) -> None:
    app, client, ada = sim_app
    assert client.get("/api/jobs/nope/report", headers=ada).status_code == 404
    r = client.post("/api/jobs", json={"kind": "exposure", "params": {"weeks": 2}}, headers=ada)
    app.state.hedgerow.jobs.wait(r.json()["id"])
    other = client.get(f"/api/jobs/{r.json()['id']}/report", headers=ada)
    assert other.status_code == 404
    assert "reports exist for backtest, stress jobs" in other.json()["error"]["message"]
    assert client.get(f"/api/jobs/{r.json()['id']}/report").status_code == 401
