"""`hedgerow demo`: the demo network becomes a workspace imported like real data, reproducibly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hedgerow.domain.enums import TableName
from tests.cli.conftest import Invoke

SMALL = ("--items", "40", "--weeks", "30", "--as-of", "2026-11-23", "--no-plan")


def test_demo_builds_a_workspace_with_every_table(hedgerow: Invoke, tmp_path: Path) -> None:
    result = hedgerow("demo", str(tmp_path / "demo"), *SMALL, "--json")
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    status = payload["status"]
    assert status["ready_to_plan"] is True
    assert all(t["imported"] for t in status["tables"])
    assert {t["table"] for t in status["tables"]} == {t.value for t in TableName}
    demand = next(t for t in status["tables"] if t["table"] == "demand")
    assert demand["last"] <= "2026-11-23"
    assert (tmp_path / "demo" / "truth" / "true_demand.parquet").exists()
    assert (tmp_path / "demo" / "inbox" / "demand.csv").exists()


def test_same_seed_gives_the_same_snapshots(hedgerow: Invoke, tmp_path: Path) -> None:
    def snapshots(folder: str, *extra: str) -> dict[str, str]:
        result = hedgerow("demo", str(tmp_path / folder), *SMALL, *extra, "--json")
        assert result.exit_code == 0, result.stderr
        return {t["table"]: t["snapshot"] for t in json.loads(result.stdout)["status"]["tables"]}

    first = snapshots("a")
    assert snapshots("b") == first
    assert snapshots("c", "--format", "parquet") == first  # the inbox format does not change the data
    assert snapshots("d", "--seed", "7") != first


def test_force_replaces_only_a_workspace(hedgerow: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "demo"
    assert hedgerow("demo", str(target), *SMALL).exit_code == 0
    again = hedgerow("demo", str(target), *SMALL)
    assert again.exit_code == 1
    assert "pass --force" in again.stderr
    assert hedgerow("demo", str(target), *SMALL, "--force").exit_code == 0
    other = tmp_path / "photos"
    other.mkdir()
    (other / "cat.jpg").write_bytes(b"\xff\xd8\xff")
    refused = hedgerow("demo", str(other), *SMALL, "--force")
    assert refused.exit_code == 1
    assert "not a hedgerow workspace; --force only replaces a workspace" in refused.stderr
    assert (other / "cat.jpg").exists()


def test_bad_demo_sizes_are_usage_errors(hedgerow: Invoke, tmp_path: Path) -> None:
    result = hedgerow("demo", str(tmp_path / "d"), "--as-of", "2026-11-25")  # a Wednesday
    assert result.exit_code == 1
    assert "Monday" in result.stderr


def test_the_demo_plan_follows_a_past_review_that_the_scoreboard_scores(hedgerow: Invoke, tmp_path: Path) -> None:
    target = str(tmp_path / "demo")
    result = hedgerow("demo", target, "--items", "24", "--weeks", "60", "--as-of", "2026-11-23", "--json")
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    history = payload["history"]
    assert history["as_of"] == "2026-09-14"  # the 8-week scoring window ends two weeks before the as-of date
    assert history["decisions"] >= 2
    assert history["overrides"] >= 1
    board = hedgerow("--workspace", target, "scoreboard", "--json")
    assert board.exit_code == 0, board.stderr
    scored = json.loads(board.stdout)
    assert scored["pending"] == []
    assert len(scored["decisions"]) >= history["decisions"]
    assert sum(d["decision"] != "approve" for d in scored["decisions"]) == history["overrides"]
    # the review's planner held back part of the largest count: the hold is scored over the window
    (hold,) = scored["holds"]
    assert hold["owner"] == "k.tanaka"
    assert hold["periods"] == scored["window_periods"]
    assert hold["held_units"] > 0
    assert hold["carrying_base"] > 0
    assert hold["value_base"] == pytest.approx(hold["lost_sales_avoided_base"] - hold["carrying_base"])
    assert scored["holds_value_base"] == pytest.approx(hold["value_base"])
    assert {p["hold_id"] for p in scored["holds_pending"]}, "the demo's imported holds are current: not scored yet"
    # the person who built the demo is its admin: they decide the new plan's recommendations right away
    rec = payload["plan"]["plan"]["recommendations"][0]["id"]
    decided = hedgerow("--workspace", target, "decide", rec, "--approve")
    assert decided.exit_code == 0, decided.stderr
