"""The scoreboard on a replay of the demo network.

The demo network (``hedgerow.demo``) is generated with 40 weeks of history; we step back ten weeks, to a Monday
``D``, and replay the decisions of that week against the ten weeks that then really happened:

1. the stock on hand at ``D`` is reconstructed from the newest counts by the ledger identity, run backwards
   (on hand at D = counted − receipts − transfers in + transfers out + sales since D, with the reconciliation
   maths), and imported as a count at ``D``;
2. the planner plans week ``D`` through the whole chain (demand engine, supply model, joint scenarios) on the
   tables as they stood at ``D`` (:func:`hedgerow.contract.as_of.tables_as_of`), and the plan is recorded;
3. scripted people decide its orders: pat rejects some (budget) and halves others (risk appetite), alex approves
   some and raises others by half by air (demand knowledge); every other recommendation is approved;
4. the scoreboard scores every decision over eight weeks of actual demand.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from hedgerow.config import Settings
from hedgerow.contract.as_of import tables_as_of
from hedgerow.decide.lifecycle import DecisionKind, ReasonCategory
from hedgerow.decide.reconcile import reconcile
from hedgerow.decide.records import DecisionRequest, RecommendationRecord
from hedgerow.demo import DemoSpec, build_demo_network
from hedgerow.demo.files import write_demo_tables
from hedgerow.domain.actions import ActionKind
from hedgerow.domain.enums import Mode, TableName
from hedgerow.pipeline.chain import run_chain
from hedgerow.services.holds import holds_frame
from hedgerow.services.importing import import_sources, sources_from_folder
from hedgerow.services.planning import plan_record
from hedgerow.services.recommendations import decide, record_plan
from hedgerow.services.scoreboard import Scoreboard, build_scoreboard

from .conftest import make_workspace

AS_OF = date(2026, 11, 23)
D = datetime(2026, 9, 14, 9, 0, tzinfo=UTC)  # ten weeks before AS_OF, a Monday
WINDOW = 8


def _stock_at_d(tables: dict[TableName, pd.DataFrame]) -> pd.DataFrame:
    """On hand at D 00:00 per item-location, from each newest count by the ledger identity run backwards."""
    latest = tables[TableName.INVENTORY].sort_values("counted_at").groupby(["item_id", "location_id"]).tail(1)
    start = latest.assign(on_hand=0.0, counted_at=pd.Timestamp(D.date()))
    flows = reconcile(
        pd.concat([start, latest], ignore_index=True),
        tables[TableName.DEMAND],
        tables[TableName.SHIPMENTS],
        tables[TableName.LANES],
        set(tables[TableName.LOCATIONS]["location_id"]),
        {},
    ).lines
    # counted = 0 + flows + diff  →  diff is what must have been on hand at D
    out = flows[["item_id", "location_id"]].assign(on_hand=flows["diff_units"].clip(lower=0.0).round())
    return out.assign(counted_at=pd.Timestamp(D.date()))


def _decide_all(ws, recs: list[RecommendationRecord]) -> dict[str, str]:  # type: ignore[no-untyped-def]
    kinds: dict[str, str] = {}
    orders = [r for r in recs if r.action.kind is ActionKind.ORDER]
    for i, r in enumerate(r for r in recs if r.action.kind is not ActionKind.ORDER):
        decide(ws, r.rec_id, DecisionRequest(DecisionKind.APPROVE), user="alex", now=D + timedelta(seconds=i))
        kinds[r.rec_id] = "approve"
    for i, r in enumerate(orders):
        when = D + timedelta(minutes=i)
        if i % 4 == 0:
            decide(
                ws,
                r.rec_id,
                DecisionRequest(DecisionKind.REJECT, ReasonCategory.BUDGET, "quarter-end cash"),
                user="pat",
                now=when,
            )
            kinds[r.rec_id] = "reject"
        elif i % 4 == 1:
            more = DecisionRequest(
                DecisionKind.MODIFY,
                ReasonCategory.DEMAND_KNOWLEDGE,
                "customers are asking",
                qty=math.ceil(r.action.qty * 1.5),
                mode=Mode.AIR,
            )
            decide(ws, r.rec_id, more, user="alex", now=when)
            kinds[r.rec_id] = "modify"
        elif i % 4 == 2:
            less = DecisionRequest(
                DecisionKind.MODIFY, ReasonCategory.RISK_APPETITE, "too much", qty=math.floor(r.action.qty / 2)
            )
            decide(ws, r.rec_id, less, user="pat", now=when)
            kinds[r.rec_id] = "modify"
        else:
            decide(ws, r.rec_id, DecisionRequest(DecisionKind.APPROVE), user="alex", now=when)
            kinds[r.rec_id] = "approve"
    return kinds


@pytest.fixture(scope="module")
def replay(tmp_path_factory: pytest.TempPathFactory) -> tuple[Scoreboard, dict[str, str], Scoreboard]:
    network = build_demo_network(
        DemoSpec(n_items=24, n_locations=5, weeks=40, as_of=AS_OF), np.random.default_rng(20261123)
    )
    tables = network.tables
    stock = _stock_at_d(tables)
    root = tmp_path_factory.mktemp("replay")
    folder = root / "inbox"
    write_demo_tables(network, folder)
    counts = pd.concat([tables[TableName.INVENTORY], stock], ignore_index=True)
    counts.assign(counted_at=counts["counted_at"].dt.strftime("%Y-%m-%dT%H:%M:%S")).to_csv(
        folder / "inventory.csv", index=False
    )
    s = Settings()
    settings = replace(s, approval=replace(s.approval, hindsight_window_periods=WINDOW, approver_required_above=1e12))
    with make_workspace(root / "ws", settings=settings) as ws:
        sources, _ = sources_from_folder(folder)
        import_sources(ws, sources, user="pat", now=datetime.combine(AS_OF, datetime.min.time(), tzinfo=UTC))
        frames = tables_as_of(ws.current_frames(), D.replace(tzinfo=None, hour=0))
        frames[TableName.HOLDS] = holds_frame(ws, D.date())
        run = run_chain(frames, ws.settings, as_of=D.replace(tzinfo=None, hour=0))
        plan = plan_record(run.plan, ws.settings, created_at=D)
        record_plan(ws, plan, user="pat", now=D)
        kinds = _decide_all(ws, list(plan.recommendations))
        return build_scoreboard(ws), kinds, build_scoreboard(ws)


def test_every_decision_is_scored(replay: tuple[Scoreboard, dict[str, str], Scoreboard]) -> None:
    board, kinds, _ = replay
    assert sum(1 for k in kinds.values() if k != "approve") >= 10  # the plan had enough orders to override
    assert board.pending == ()
    assert {s.recommendation_id: s.decision for s in board.scores} == kinds


def test_approvals_add_nothing_and_overrides_move_money(replay: tuple[Scoreboard, dict[str, str], Scoreboard]) -> None:
    board, _, _ = replay
    approvals = [s for s in board.scores if s.decision == "approve"]
    overrides = [s for s in board.scores if s.decision != "approve"]
    assert all(s.value_added_base == 0.0 for s in approvals)
    assert all(s.recommended_cost_base >= 0 and s.decided_cost_base >= 0 for s in board.scores)
    assert sum(1 for s in overrides if abs(s.value_added_base) > 1.0) >= len(overrides) // 2
    # raising by half and flying it costs at least the air freight: never free
    air = [s for s in overrides if s.reason_category == "demand_knowledge"]
    assert all(s.decided_cost_base > 0 for s in air)


def test_totals_agree_per_planner_and_per_reason(replay: tuple[Scoreboard, dict[str, str], Scoreboard]) -> None:
    board, _, _ = replay
    total = sum(s.value_added_base for s in board.scores)
    assert board.per_planner["value_added_base"].sum() == pytest.approx(total)
    assert board.per_reason["value_added_base"].sum() == pytest.approx(total)
    assert set(board.per_planner.index) == {"pat", "alex"}
    assert set(board.per_reason.index) == {"budget", "demand_knowledge", "risk_appetite", "(approved as proposed)"}
    assert board.per_reason.loc["(approved as proposed)", "value_added_base"] == 0.0
    pat = [s for s in board.scores if s.decided_by == "pat"]
    assert board.per_planner.loc["pat", "decisions"] == len(pat)
    assert board.per_planner.loc["pat", "overrides"] == len(pat)


def test_replay_is_deterministic(replay: tuple[Scoreboard, dict[str, str], Scoreboard]) -> None:
    board, _, again = replay

    def digest(b: Scoreboard) -> str:
        return hashlib.sha256(json.dumps(b.to_dict(), sort_keys=True).encode()).hexdigest()

    assert digest(board) == digest(again)
