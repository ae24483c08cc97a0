"""Job-starting controls on the pages: the planner's plan button on the queue, backtest and stress reports."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ..api.conftest import make_app
from ..api.sim_ws import build_sim_workspace
from .test_pages import csrf_of, sign_in


def test_only_who_may_record_plans_gets_the_plan_button(app: FastAPI, client: TestClient) -> None:
    token = sign_in(client, "vic")
    assert 'id="make-plan"' not in client.get("/queue").text
    refused = client.post("/queue/plan", data={"csrf_token": token}, follow_redirects=False)
    assert refused.status_code == 403
    assert app.state.hedgerow.jobs.list("plan") == []
    client.post("/logout", data={"csrf_token": token})
    token = sign_in(client, "pat")
    assert 'id="make-plan"' in client.get("/queue").text
    assert client.post("/queue/plan", data={}, follow_redirects=False).status_code == 403  # no CSRF token
    assert app.state.hedgerow.jobs.list("plan") == []


@pytest.fixture(scope="module")
def sim_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, TestClient]]:
    root, _key = build_sim_workspace(tmp_path_factory.mktemp("sim-pages"))
    app = make_app(root)
    with TestClient(app) as client:
        yield app, client


def start(client: TestClient, path: str, data: dict[str, str]) -> str:
    r = client.post(path, data=data, follow_redirects=False)
    assert r.status_code == 303, r.text
    found = re.fullmatch(r"/reports\?job=([0-9a-f]+)", r.headers["location"])
    assert found is not None
    return found.group(1)


def test_a_viewer_may_not_start_heavy_jobs_from_the_pages(sim_client: tuple[FastAPI, TestClient]) -> None:
    app, client = sim_client
    token = sign_in(client, "vic")
    page = client.get("/reports").text
    assert 'id="backtest-form"' not in page
    assert 'id="stress-form"' not in page
    before = len(app.state.hedgerow.jobs.list())
    for path, data in (("/reports/backtest", {"periods": "20"}), ("/reports/stress", {"name": "strike"}),
                       ("/reports/exposure", {"weeks": "4"})):  # fmt: skip
        refused = client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)
        assert refused.status_code == 403, path
    assert len(app.state.hedgerow.jobs.list()) == before
    client.post("/logout", data={"csrf_token": token})


def test_an_admin_runs_a_backtest_and_a_stress_test_and_opens_the_reports(
    sim_client: tuple[FastAPI, TestClient],
) -> None:
    app, client = sim_client
    sign_in(client, "ada")
    page = client.get("/reports").text
    assert 'id="backtest-form"' in page
    assert "port_closure" in page
    token = csrf_of(page)
    job = start(client, "/reports/backtest", {"csrf_token": token, "periods": "20"})
    assert app.state.hedgerow.jobs.wait(job, timeout_s=300)["status"] == "succeeded"
    fragment = client.get(f"/jobs/{job}").text
    assert f'href="/reports/jobs/{job}"' in fragment
    report = client.get(f"/reports/jobs/{job}")
    assert report.status_code == 200
    assert report.text.startswith("<!DOCTYPE html>")
    assert "<svg" in report.text
    assert f'href="/reports/jobs/{job}"' in client.get("/reports").text  # listed among the reports

    stress = start(client, "/reports/stress", {"csrf_token": token, "name": "strike", "weeks": "3", "periods": "20"})
    done = app.state.hedgerow.jobs.wait(stress, timeout_s=300)
    assert done["status"] == "succeeded", done["error"]
    assert done["params"]["weeks"] == 3
    assert done["result"]["shock"]["name"] == "strike"
    assert client.get(f"/reports/jobs/{stress}").status_code == 200


def test_report_forms_name_the_bad_field(sim_client: tuple[FastAPI, TestClient]) -> None:
    app, client = sim_client
    token = sign_in(client, "ada")
    before = len(app.state.hedgerow.jobs.list())
    bad = client.post("/reports/backtest", data={"csrf_token": token, "periods": "many"})
    assert bad.status_code == 400
    assert "periods must be a whole number" in bad.text
    far = client.post("/reports/stress", data={"csrf_token": token, "name": "strike", "weeks": "900"})
    assert far.status_code == 400
    assert "weeks must be between 1 and 520, got 900" in far.text
    assert client.post("/reports/backtest", data={"periods": "20"}).status_code == 403  # no CSRF token
    assert len(app.state.hedgerow.jobs.list()) == before
    assert client.get("/reports/jobs/unknown").status_code == 404


def test_the_plan_button_can_assume_zero_stock(app: FastAPI, client: TestClient) -> None:
    token = sign_in(client, "pat")
    assert 'name="assume_zero_stock"' in client.get("/queue").text
    started = client.post(
        "/queue/plan", data={"csrf_token": token, "assume_zero_stock": "true"}, follow_redirects=False
    )
    assert started.status_code == 303
    assert [j["params"] for j in app.state.hedgerow.jobs.list("plan")] == [{"assume_zero_stock": True}]


def test_a_plan_job_with_gaps_lists_them() -> None:
    from hedgerow.web.render import Renderer

    gap = {"line": "Inventory: no count on record — assumed 0 units on hand", "item_locations": 1,
           "fix": "hedgerow import inventory.csv"}  # fmt: skip
    job = {"id": "j1", "kind": "plan", "status": "succeeded", "cancel_requested": False,
           "result": {"plan_id": "plan-1", "as_of": "2026-11-23", "recommendations": 2,
                      "recorded": {"already_recorded": False, "superseded": []}, "gaps": [gap]}}  # fmt: skip
    html = Renderer().env.get_template("_job.html").render(job=job, can_cancel=False, csrf="t")
    assert "Planned with data gaps:" in html
    assert "Inventory: no count on record — assumed 0 units on hand (1 item-location)." in html
    assert "<code>hedgerow import inventory.csv</code>" in html
