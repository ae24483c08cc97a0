"""The demo's past review: planned on what was known then, decided by demo people, scored by the scoreboard."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pandas as pd
import pytest

from hedgerow.demo import DemoSpec
from hedgerow.domain.actions import RecommendationStatus
from hedgerow.domain.enums import TableName
from hedgerow.services.demo import (
    DEMO_APPROVER,
    DEMO_PLANNER,
    HISTORY_SLACK_WEEKS,
    REVIEW_MAX_ITEM_LOCATIONS,
    DemoHistory,
    build_demo_workspace,
    history_as_of,
    record_demo_history,
)
from hedgerow.services.queue import explanation_of
from hedgerow.services.recommendations import list_recommendations
from hedgerow.services.scoreboard import Scoreboard, build_scoreboard

WINDOW = 8
#: The review, its scoreboard, the inventory counts, the statuses of its queue, the newest record it saw per table.
Replayed = tuple[
    DemoHistory, Scoreboard, pd.DataFrame, list[str], dict[str, str | None]
]  # [approval] hindsight_window_periods by default


def _spec(as_of: date, weeks: int = 60) -> DemoSpec:
    return DemoSpec(n_items=80, n_locations=5, weeks=weeks, as_of=as_of)


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory, as_of: date, seed: int) -> Replayed:
    root: Path = tmp_path_factory.mktemp("demo-history")
    now = datetime.combine(as_of, time(9), tzinfo=UTC)
    result = build_demo_workspace(root / "ws", _spec(as_of), seed=seed, now=now, user="demo")
    with result.workspace as ws:
        history = record_demo_history(ws, _spec(as_of), user="demo")
        assert history is not None
        queue = list_recommendations(ws, plan_id=history.plan_id)
        seen = {d["table"]: d["latest_record_at"] for d in explanation_of(ws, queue[0].id)["data"]}
        assert record_demo_history(ws, _spec(as_of), user="demo") is None  # users exist: a second past is never added
        counts = ws.current_frames()[TableName.INVENTORY]
        return history, build_scoreboard(ws), counts, [r.status for r in queue], seen


def test_the_review_is_as_of_a_past_monday_whose_window_the_history_covers(as_of: date) -> None:
    day = history_as_of(_spec(as_of), WINDOW)
    assert day == as_of - timedelta(weeks=WINDOW + HISTORY_SLACK_WEEKS)
    assert day is not None
    assert day.weekday() == 0
    assert history_as_of(_spec(as_of, weeks=30), WINDOW) is None  # too short to plan on


def test_the_review_plans_only_what_was_counted_by_then(
    replayed: Replayed,
) -> None:
    history, _, counts, _, _ = replayed
    before = counts[counts["counted_at"] <= pd.Timestamp(history.as_of)]
    counted = len(before.groupby(["item_id", "location_id"]))
    assert history.item_locations == min(counted, REVIEW_MAX_ITEM_LOCATIONS) > 0


def test_the_review_saw_only_what_was_known_on_its_day(replayed: Replayed) -> None:
    history, _, _, _, seen = replayed
    day = pd.Timestamp(history.as_of)
    for table in ("demand", "shipments", "inventory", "signals", "fx_rates"):
        assert seen[table] is not None
        assert pd.Timestamp(seen[table]) <= day, table  # imported ten weeks later, cut at the review's day


def test_every_recommendation_of_the_review_was_decided(
    replayed: Replayed,
) -> None:
    history, _, _, statuses, _ = replayed
    assert RecommendationStatus.PROPOSED.value not in statuses
    assert len(statuses) >= history.decisions >= 3  # the rest were approved automatically when recorded
    assert set(statuses) <= {
        RecommendationStatus.APPROVED.value,
        RecommendationStatus.MODIFIED.value,
        RecommendationStatus.REJECTED.value,
    }
    assert set(history.deciders) <= {DEMO_PLANNER, DEMO_APPROVER}


def test_the_scoreboard_scores_the_decisions_and_the_overrides(
    replayed: Replayed,
) -> None:
    history, board, _, _, _ = replayed
    assert board.pending == ()
    assert len(board.scores) >= history.decisions
    overrides = [s for s in board.scores if s.is_override]
    assert len(overrides) == history.overrides >= 1
    assert {s.reason_category for s in overrides} <= {"risk_appetite", "budget", "demand_knowledge"}
    assert any(abs(s.value_added_base) > 1.0 for s in overrides)  # hindsight tells an override's worth
    assert all(s.value_added_base == 0.0 for s in board.scores if not s.is_override)
    assert set(board.per_planner.index) == set(history.deciders)
    assert int(board.per_planner["overrides"].sum()) == history.overrides
