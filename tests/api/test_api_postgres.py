"""The API on a PostgreSQL ledger: the queue, a decision, totals, plans, holds and the audit log."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from .conftest import PASSWORD, bearer, build_seeded, make_app

pytestmark = pytest.mark.postgres


def test_the_api_on_postgresql(tmp_path: Path, pg_url: str) -> None:
    seeded = build_seeded(tmp_path / "ws", ledger_url=pg_url)
    app = make_app(seeded.root, ledger_url=pg_url)
    with TestClient(app) as client:
        vic, pat = bearer(seeded, "vic"), bearer(seeded, "pat")
        recs = client.get("/api/recommendations", headers=vic).json()["recommendations"]
        assert sorted(r["id"] for r in recs) == sorted(seeded.rec_ids)
        small = min(recs, key=lambda r: r["capital_base"])
        r = client.post(f"/api/recommendations/{small['id']}/decision", json={"decision": "approve"}, headers=pat)
        assert r.status_code == 200
        assert r.json()["status"] == "approved"
        summary = client.get("/api/queue/summary", headers=vic).json()
        assert summary["by_status"] == {"proposed": len(recs) - 1, "approved": 1}
        assert summary["proposed_capital_base"] == pytest.approx(
            sum(x["capital_base"] for x in recs) - small["capital_base"]
        )
        assert client.get("/api/plans", headers=vic).json()[0]["recommendations"] == summary["by_status"]
        assert client.get("/api/holds", headers=vic).json()[0]["hold_id"] == "H-1"
        assert client.get("/api/audit/verify", headers=vic).json()["ok"]
        assert client.post("/api/session", json={"user": "alex", "password": PASSWORD}).status_code == 200
        assert client.get("/queue").status_code == 200
