"""The ledger commands end to end through the typer app (queue, decide, holds, users, audit)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from hedgerow.cli import app, common
from hedgerow.services.recommendations import record_plan
from hedgerow.services.workspace import Workspace

from .conftest import PlanFactory, rec

runner = CliRunner()


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("HEDGEROW_NOW", "2026-11-23T09:00:00Z")
    monkeypatch.delenv("HEDGEROW_USER", raising=False)
    width = common.console.width
    common.console.width = 250  # a wide terminal: tables are not wrapped
    yield
    common.console.width = width


def run(ws: Workspace, *args: str, input: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, ["--workspace", str(ws.root), *args], input=input)
    out = result.output
    return result.exit_code, out if "--json" in args else " ".join(out.split())  # undo terminal line wrapping


def test_queue_and_decisions(ws: Workspace, make_plan: PlanFactory, now: datetime) -> None:
    record_plan(
        ws, make_plan("P1", rec("R1"), rec("R2", item="I2", rank=2), rec("R3", item="I3", rank=3)), user="pat", now=now
    )
    code, out = run(ws, "recommendations", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["base_currency"] == "USD"
    assert [r["id"] for r in data["recommendations"]] == ["R1", "R2", "R3"]
    code, out = run(ws, "decide", "R1", "--approve", "--user", "pat", "--json")
    assert code == 0
    assert json.loads(out)["recommendation"]["status"] == "approved"
    code, out = run(ws, "decide", "R2", "--reject", "--user", "pat")
    assert code == 1
    assert "needs a reason category" in out
    code, out = run(
        ws, "decide", "R2", "--reject", "--reason-category", "budget", "--reason", "cash is tight", "--user", "pat"
    )
    assert (code, "R2 rejected by pat" in out) == (0, True)
    code, out = run(
        ws,
        "decide",
        "R3",
        "--modify",
        "qty=150",
        "--reason-category",
        "demand_knowledge",
        "--reason",
        "promo",
        "--user",
        "alex",
    )
    assert code == 0
    assert "R3 modified" in out
    assert "150 units by ocean to LA" in out
    code, out = run(ws, "decide", "R3", "--approve", "--user", "alex", "--expect-version", "1")
    assert code == 1
    assert "after you read it at version 1" in out
    code, out = run(
        ws, "decide", "R3", "--modify", "speed=9", "--reason-category", "other", "--reason", "x", "--user", "alex"
    )
    assert code == 1
    assert "keys: destination, lane, location, mode, qty" in out
    code, out = run(ws, "decide", "R3", "--approve", "--reject", "--user", "alex")
    assert code == 1
    assert "exactly one of" in out
    code, out = run(ws, "recommendations", "--status", "approved", "--status", "modified", "--json")
    assert [r["id"] for r in json.loads(out)["recommendations"]] == ["R1", "R3"]
    code, out = run(ws, "recommendations", "--all")
    assert code == 0
    assert "order 100→150 × I3 from SUP1 → LA by ocean" in out


def test_users_and_api_key_shown_once(ws: Workspace) -> None:
    code, out = run(
        ws,
        "users",
        "add",
        "zoe",
        "--role",
        "planner",
        "--password-stdin",
        "--user",
        "ada",
        input="a very long secret\n",
    )
    assert (code, out.strip()) == (0, "Added zoe as planner.")
    code, out = run(ws, "users", "api-key", "zoe", "--user", "ada", "--json")
    key = json.loads(out)["api_key"]
    assert key.startswith("hr_")
    code, out = run(ws, "users", "list", "--json")
    assert "a very long secret" not in out
    assert key not in out
    zoe = next(u for u in json.loads(out) if u["name"] == "zoe")
    assert (zoe["has_password"], zoe["api_keys"]) == (True, 1)
    code, out = run(ws, "users", "set-role", "zoe", "viewer", "--user", "pat")
    assert code == 1
    assert "may not manage users" in out


def test_users_revoke_key(ws: Workspace) -> None:
    from hedgerow.errors import PermissionDenied
    from hedgerow.services.users import authenticate_api_key

    code, out = run(ws, "users", "api-key", "pat", "--label", "ci", "--user", "pat", "--json")
    assert code == 0
    key_id, key = json.loads(out)["key_id"], json.loads(out)["api_key"]
    assert authenticate_api_key(ws, key).name == "pat"
    code, out = run(ws, "users", "api-keys", "pat", "--user", "ada", "--json")
    assert (code, [(k["key_id"], k["label"], k["revoked_at"]) for k in json.loads(out)]) == (0, [(key_id, "ci", None)])
    code, out = run(ws, "users", "revoke-key", key_id, "--user", "vic")
    assert code == 1
    assert f"no API key {key_id!r} of yours" in out
    code, out = run(ws, "users", "revoke-key", key_id, "--user", "ada")
    assert (code, out.strip()) == (0, f"API key {key_id} of pat revoked.")
    with pytest.raises(PermissionDenied, match="invalid API key"):
        authenticate_api_key(ws, key)
    code, out = run(ws, "users", "api-keys", "pat", "--user", "pat", "--json")
    assert json.loads(out)[0]["revoked_at"] == "2026-11-23T09:00:00+00:00"
    code, out = run(ws, "users", "api-keys", "pat", "--user", "pat")
    assert "revoked 2026-11-23" in out


def test_holds_commands(net_ws: Workspace) -> None:
    ws = net_ws
    code, out = run(
        ws,
        "holds",
        "add",
        "--item",
        "I1",
        "--location",
        "TK",
        "--qty",
        "5",
        "--reason",
        "launch",
        "--expires",
        "2026-11-25",
        "--id",
        "H1",
        "--user",
        "pat",
        "--json",
    )
    assert code == 0
    assert json.loads(out)["hold"]["days_left"] == 2
    code, out = run(ws, "holds", "list", "--json")
    listed = {h["hold_id"]: h for h in json.loads(out)}
    assert (listed["H1"]["expiring"], listed["HX1"]["expiring"]) == (True, False)
    assert run(ws, "holds", "extend", "H1", "--until", "2027-01-31", "--user", "pat")[0] == 0
    assert run(ws, "holds", "release", "H1", "--user", "pat")[0] == 0
    code, out = run(
        ws,
        "holds",
        "add",
        "--item",
        "I1",
        "--location",
        "TK",
        "--qty",
        "5",
        "--reason",
        "x",
        "--expires",
        "31/12/2026",
        "--user",
        "pat",
    )
    assert code == 1
    assert "--expires must be a date like 2026-12-31" in out


def test_audit_verify_trace_and_tamper_exit_code(ws: Workspace, make_plan: PlanFactory, now: datetime) -> None:
    record_plan(ws, make_plan("P1", rec("R1")), user="pat", now=now)
    assert run(ws, "decide", "R1", "--approve", "--user", "pat")[0] == 0
    code, out = run(ws, "audit", "verify", "--json")
    assert (code, json.loads(out)["ok"]) == (0, True)
    code, out = run(ws, "audit", "trace", "R1", "--json")
    assert [d["kind"] for d in json.loads(out)["decisions"]] == ["approve"]
    code, out = run(ws, "audit", "trace", "R1")
    assert "6. decisions" in out
    with ws.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET payload = '{}' WHERE seq = 3"))
    code, out = run(ws, "audit", "verify")
    assert code == 4
    assert "audit chain broken at event #3: edited" in out


def test_export_command(net_ws: Workspace, make_plan: PlanFactory, now: datetime, tmp_path: Path) -> None:
    ws = net_ws
    record_plan(ws, make_plan("P1", rec("R1"), rec("R2", item="I2")), user="pat", now=now)
    assert run(ws, "decide", "R1", "--approve", "--user", "pat")[0] == 0
    code, out = run(ws, "export", "csv", "--user", "pat", "--json")
    assert code == 0
    first = json.loads(out)
    assert (first["created"], first["recommendation_ids"]) == (True, ["R1"])
    assert Path(first["path"]).parent == ws.root / "exports"
    code, out = run(ws, "export", "csv", "--rec", "R1", "--user", "pat", "--json")
    assert (json.loads(out)["created"], json.loads(out)["export_id"]) == (False, first["export_id"])
    code, out = run(ws, "exports", "--json")
    assert [e["export_id"] for e in json.loads(out)] == [first["export_id"]]
    code, out = run(ws, "export", "odoo-purchase", "--user", "pat")
    assert code == 1
    assert "nothing to export as odoo-purchase" in out


def test_reconcile_command(net_ws: Workspace) -> None:
    code, out = run(net_ws, "reconcile", "--user", "pat", "--json")
    assert code == 0
    locs = {r["location_id"]: r for r in json.loads(out)["locations"]}
    assert round(locs["LA"]["trust_score"], 2) == 86.36
    code, out = run(net_ws, "reconcile", "--user", "pat")
    assert "reconciled before" in out
    cells = [c.strip() for c in out.replace("┃", "│").split("│")]
    i = cells.index("I2")
    assert cells[i : i + 11] == ["I2", "LA", "40", "20", "0", "0", "20", "40", "30", "-10", "-100"]


def test_scoreboard_command(net_ws: Workspace, make_plan: PlanFactory, now: datetime) -> None:
    record_plan(net_ws, make_plan("P1", rec("R1")), user="pat", now=now)
    assert run(net_ws, "decide", "R1", "--approve", "--user", "pat")[0] == 0
    code, out = run(net_ws, "scoreboard", "--json")
    assert code == 0
    assert json.loads(out)["pending"] == [
        {"recommendation_id": "R1", "why": "actual demand does not cover the scoring window yet"}
    ]
    code, out = run(net_ws, "scoreboard")
    assert "0 decisions scored over 8 periods of actual demand; 1 waiting for data" in out
