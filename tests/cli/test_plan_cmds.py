"""`hedgerow demo` ends with a plan; `hedgerow plan` records it (idempotently); `hedgerow explain` tells why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hedgerow.services.recommendations import plan_of
from hedgerow.services.workspace import open_workspace
from tests.cli.conftest import Invoke

AS_OF = "2026-11-23"
#: A recorded line's value is rounded to a cent (base currency).
CENT = 0.01
SMALL = ("--items", "24", "--weeks", "60", "--as-of", AS_OF)


@pytest.fixture(scope="module")
def demo_plan(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    """A small demo workspace built (and planned) once for the module: (folder, the demo's JSON output)."""
    from typer.testing import CliRunner

    from hedgerow.cli import app
    from tests.conftest import NOW

    root = tmp_path_factory.mktemp("plan") / "demo"
    env = {"COLUMNS": "220", "HEDGEROW_NOW": NOW.isoformat(), "HEDGEROW_USER": "tester"}
    result = CliRunner().invoke(app, ["demo", str(root), *SMALL, "--json"], env=env)
    assert result.exit_code == 0, result.output
    return root, json.loads(result.stdout)


def test_demo_ends_with_a_recorded_ranked_plan(demo_plan: tuple[Path, dict[str, object]]) -> None:
    root, out = demo_plan
    payload = out["plan"]
    assert isinstance(payload, dict)
    plan = payload["plan"]
    recs = plan["recommendations"]
    assert recs, "the demo network always has something worth doing"
    assert [r["rank"] for r in recs] == list(range(1, len(recs) + 1))
    assert plan["as_of"] == AS_OF
    assert payload["recorded"]["recommendations"] == len(recs)
    # the plan is better than doing nothing, in expectation and in the tail
    assert plan["totals"]["objective"] < plan["do_nothing"]["objective"]
    for rec in recs:
        expl = rec["explanation"]
        kinds = [a["kind"] for a in expl["alternatives"]]
        assert kinds[0] == "recommended"
        assert len(kinds) >= 2
        assert len(expl["summary"].split()) <= 120
        assert {d["table"] for d in expl["data"]} >= {"demand", "items", "lanes"}
    with open_workspace(root) as ws:
        row = plan_of(ws, plan["id"])
        imports = ws.current_imports()
        seed = ws.settings.risk.seed
    assert row.seed == seed == plan["seed"]
    snapshots = json.loads(row.snapshots_json)
    assert snapshots["demand"] == imports[next(t for t in imports if t.value == "demand")].snapshot_sha256


def test_plan_again_gives_the_same_plan_and_records_nothing_new(
    demo_plan: tuple[Path, dict[str, object]], hedgerow: Invoke
) -> None:
    root, out = demo_plan
    first = out["plan"]["plan"]  # type: ignore[index]
    again = hedgerow("plan", "--workspace", str(root), "--as-of", AS_OF, "--json")
    assert again.exit_code == 0, again.output
    second = json.loads(again.stdout)
    assert second["recorded"]["already_recorded"] is True
    assert second["plan"]["id"] == first["id"]
    assert [r["id"] for r in second["plan"]["recommendations"]] == [r["id"] for r in first["recommendations"]]


def test_explain_prints_the_recorded_explanation(demo_plan: tuple[Path, dict[str, object]], hedgerow: Invoke) -> None:
    root, out = demo_plan
    top = out["plan"]["plan"]["recommendations"][0]  # type: ignore[index]
    shown = hedgerow("explain", top["id"], "--workspace", str(root), "--json")
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    assert data["explanation"] == top["explanation"]
    assert data["recommendation"]["status"] in {"proposed", "approved"}
    text = hedgerow("explain", top["id"], "--workspace", str(root))
    assert text.exit_code == 0
    assert top["explanation"]["summary"].split(".")[0] in " ".join(text.stdout.split())
    assert "Alternatives" in text.stdout


def test_explain_unknown_id_names_it(demo_plan: tuple[Path, dict[str, object]], hedgerow: Invoke) -> None:
    root, _ = demo_plan
    result = hedgerow("explain", "rec-nope", "--workspace", str(root))
    assert result.exit_code != 0
    assert "rec-nope" in result.output


def test_a_new_hold_changes_the_plan_and_is_never_moved(
    demo_plan: tuple[Path, dict[str, object]], hedgerow: Invoke, tmp_path: Path
) -> None:
    import shutil

    src, out = demo_plan
    root = tmp_path / "copy"
    shutil.copytree(src, root)
    first = out["plan"]["plan"]  # type: ignore[index]
    target = next((r for r in first["recommendations"] if r["action"]["kind"] == "transfer"), None)
    # hold everything the first transfer would move out of its origin (or a whole item-location's stock)
    item = target["action"]["item_id"] if target else first["recommendations"][0]["action"]["item_id"]
    origin = target["action"]["origin_id"] if target else first["recommendations"][0]["action"]["location_id"]
    # the demo made its runner (HEDGEROW_USER=tester) the admin
    added = hedgerow(
        "holds", "add", "--workspace", str(root), "--item", item, "--location", origin, "--qty", "100000",
        "--reason", "promised to a key account", "--expires", "2027-03-01",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    replanned = hedgerow("plan", "--workspace", str(root), "--as-of", AS_OF, "--json")
    assert replanned.exit_code == 0, replanned.output
    plan = json.loads(replanned.stdout)["plan"]
    assert plan["id"] != first["id"]
    moved_out = [
        r
        for r in plan["recommendations"]
        if r["action"]["kind"] == "transfer" and r["action"]["item_id"] == item and r["action"]["origin_id"] == origin
    ]
    assert moved_out == []


def test_the_plan_is_read_by_consignment_and_one_is_decided_whole(
    demo_plan: tuple[Path, dict[str, object]], hedgerow: Invoke, tmp_path: Path
) -> None:
    import shutil

    src, out = demo_plan
    plan = out["plan"]["plan"]  # type: ignore[index]
    cons = plan["consignments"]
    lines = {r["id"]: r for r in plan["recommendations"]}
    assert sorted(rid for c in cons for rid in c["recommendation_ids"]) == sorted(lines)
    assert len(cons) < len(lines), "several lines share a lane in the demo"
    assert [c["value"] for c in cons] == sorted((c["value"] for c in cons), reverse=True)
    shipped = sum(1 for c in cons if c["kind"] != "keep_buffer")
    root = tmp_path / "copy"
    shutil.copytree(src, root)
    text = hedgerow("plan", "--workspace", str(root), "--as-of", AS_OF)
    assert text.exit_code == 0, text.output
    flat = " ".join(text.stdout.split())
    assert f"in {len(cons)} decisions: " in flat  # the headline counts what a manager decides
    folded = plan["folded"]["actions"]
    assert not folded or "were left out ([plan] min_value)" in flat or "was left out ([plan] min_value)" in flat
    assert f"in {shipped} consignment" in flat
    assert "Consignments" in flat
    assert cons[0]["id"] in flat
    lane = next(c for c in cons if c["lines"] > 1 and c["kind"] in ("order", "transfer"))
    # the demo made its runner (HEDGEROW_USER=tester) the admin
    decided = hedgerow("decide", lane["id"], "--approve", "--workspace", str(root), "--json")
    assert decided.exit_code == 0, decided.output
    body = json.loads(decided.stdout)
    assert sorted(v["id"] for v in body["decided"]) == sorted(lane["recommendation_ids"])
    assert {v["status"] for v in body["decided"]} == {"approved"}
    rest = hedgerow("recommendations", "--all", "--workspace", str(root), "--json")
    statuses = {r["id"]: r["status"] for r in json.loads(rest.stdout)["recommendations"]}
    assert all(statuses[rid] == "approved" for rid in lane["recommendation_ids"])
    assert any(s == "proposed" for rid, s in statuses.items() if rid not in lane["recommendation_ids"])
    queue = json.loads(hedgerow("queue", "--workspace", str(root), "--json").stdout)
    assert queue["plan_id"] == plan["id"]
    assert queue["lines"] == len(lines)
    assert [(c["id"], c["lines"]) for c in queue["consignments"]] == [(c["id"], c["lines"]) for c in cons]
    for got, made in zip(queue["consignments"], cons, strict=True):  # the ledger groups as the plan did
        assert got["value"] == pytest.approx(made["value"], abs=CENT * (made["lines"] + 1))  # lines and sum to a cent
    listed = {c["id"]: c for c in queue["consignments"]}
    assert listed[lane["id"]]["open_lines"] == 0
    assert listed[lane["id"]]["statuses"] == {"approved": lane["lines"]}
    still_open = hedgerow("queue", "--open", "--ids", "--workspace", str(root)).stdout.split()
    assert still_open == [c["id"] for c in cons if c["id"] != lane["id"]]
    table = " ".join(hedgerow("queue", "--limit", "3", "--workspace", str(root)).stdout.split())
    assert f"{len(cons)} consignments for {len(lines)} recommendation lines" in table
    assert cons[0]["id"] in table
    assert cons[3]["id"] not in table
