"""The plan job over HTTP: a planner plans a small demo workspace in the background; a viewer may not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from hedgerow.services.workspace import open_workspace
from hedgerow.store.decide_models import PlanRow, RecommendationRow

from .conftest import make_app
from .demo_ws import AS_OF, demo_with_users

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("plan-job") / "demo"
    return root, demo_with_users(root)


def test_a_planner_plans_in_the_background_and_the_plan_is_recorded(demo: tuple[Path, dict[str, str]]) -> None:
    root, keys = demo
    pat, vic = ({"Authorization": f"Bearer {keys[u]}"} for u in ("pat", "vic"))
    app = make_app(root, web=False)
    with TestClient(app) as client:
        kinds = {k["kind"]: k for k in client.get("/api/jobs/kinds", headers=vic).json()}
        assert kinds["plan"]["params_schema"]["properties"]["as_of"]
        denied = client.post("/api/jobs", json={"kind": "plan"}, headers=vic)
        assert denied.status_code == 403
        assert "may not start plan jobs" in denied.json()["error"]["message"]
        bad = client.post("/api/jobs", json={"kind": "plan", "params": {"as_of": "next tuesday"}}, headers=pat)
        assert bad.status_code == 422
        assert bad.json()["error"]["field"] == "params.as_of"
        assert client.post("/api/jobs", json={"kind": "plan", "params": {"horizon": 3}}, headers=pat).status_code == 422
        with open_workspace(root) as ws, ws.session() as s:
            assert s.scalar(select(func.count()).select_from(PlanRow)) == 0

        started = client.post("/api/jobs", json={"kind": "plan"}, headers=pat)
        assert started.status_code == 202, started.text
        job_id = started.json()["id"]
        assert started.json()["status"] in ("queued", "running")
        done = app.state.hedgerow.jobs.wait(job_id, timeout_s=600)
        assert done["status"] == "succeeded", done["error"]
        result = done["result"]
        assert result["as_of"] == AS_OF.isoformat()
        assert result["recommendations"] > 0
        assert result["recorded"]["already_recorded"] is False
        assert done["result_link"] == f"/api/plans/{result['plan_id']}"
        assert (done["step"], done["fraction"]) == ("done", 1.0)
        polled = client.get(f"/api/jobs/{job_id}", headers=vic).json()
        assert polled["status"] == "succeeded"
        assert polled["user"] == "pat"

        # the ledger holds the plan, recorded by pat, with every recommendation proposed (or auto-approved)
        with open_workspace(root) as ws, ws.session() as s:
            plan = s.get(PlanRow, result["plan_id"])
            assert plan is not None
            assert plan.recorded_by == "pat"
            assert plan.seed == ws.settings.risk.seed
            rows = s.scalars(select(RecommendationRow).where(RecommendationRow.plan_id == plan.id)).all()
        assert len(rows) == result["recommendations"]
        assert sorted(r.rank for r in rows) == list(range(1, len(rows) + 1))
        assert json.loads(plan.snapshots_json).keys() >= {"demand", "items", "lanes", "holds"}

        # the API shows the plan and its ranked recommendations, each explanation with its projection fan
        shown = client.get(done["result_link"], headers=vic)
        assert shown.status_code == 200
        listed = client.get("/api/recommendations", params={"limit": 500}, headers=vic).json()["recommendations"]
        ours = [r for r in listed if r["plan_id"] == result["plan_id"]]
        assert {r["id"] for r in ours} <= {r.id for r in rows}
        assert ours, "the new plan's recommendations are in the queue"
        top = min(ours, key=lambda r: r["rank"])
        expl = client.get(f"/api/recommendations/{top['id']}/explanation", headers=vic).json()
        fan = expl["projection"]
        assert len(fan["periods"]) == expl["window_periods"]
        assert len(fan["with_action"]["p50"]) == len(fan["without_action"]["p95"]) == len(fan["periods"])
