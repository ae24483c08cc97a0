"""The scoreboard on a replay of the demo network.

The demo network (``hedgerow.demo``) is generated with 40 weeks of history; we step back ten weeks, to a Monday
``D``, and replay the decisions of that week against the ten weeks that then really happened:

1. the stock on hand at ``D`` is reconstructed from the newest counts by the ledger identity, run backwards
   (on hand at D = counted − receipts − transfers in + transfers out + sales since D, with the reconciliation
   maths), and imported as a count at ``D``;
2. recommendations for week ``D`` come from a transparent order-up-to rule on the history before ``D`` (order up
   to ten weeks of mean demand on the supplier's ocean lane when the position is under six weeks) — a stand-in
   for the planner until its plans can be recorded here;
3. scripted people decide: pat rejects some (budget) and halves others (risk appetite), alex approves some and
   raises others by half by air (demand knowledge);
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
from hedgerow.decide.lifecycle import DecisionKind, ReasonCategory
from hedgerow.decide.reconcile import reconcile, unit_values_base
from hedgerow.decide.records import DecisionRequest, PlanRecord, RecommendationRecord
from hedgerow.demo import DemoSpec, build_demo_network
from hedgerow.demo.files import write_demo_tables
from hedgerow.domain.actions import Action, ActionKind
from hedgerow.domain.enums import Mode, TableName
from hedgerow.services.importing import import_sources, sources_from_folder
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


def _recommendations(tables: dict[TableName, pd.DataFrame], stock: pd.DataFrame) -> list[RecommendationRecord]:
    demand = tables[TableName.DEMAND]
    before = demand[
        (demand["period_start"] < pd.Timestamp(D.date()))
        & (demand["period_start"] >= pd.Timestamp(D.date()) - pd.Timedelta(weeks=8))
    ]
    mean = before.groupby(["item_id", "location_id"])["qty"].sum() / 8.0
    ships = tables[TableName.SHIPMENTS].merge(tables[TableName.LANES][["lane_id", "destination_id"]], on="lane_id")
    d0 = pd.Timestamp(D.date())
    open_ = ships[(ships["ship_date"] < d0) & ((ships["delivered_date"] >= d0) | ships["delivered_date"].isna())]
    in_transit = open_.groupby(["item_id", "destination_id"])["qty"].sum()
    items = tables[TableName.ITEMS].set_index("item_id")
    lanes = tables[TableName.LANES]
    values = unit_values_base(tables[TableName.ITEMS], tables[TableName.FX_RATES], "USD", d0)
    recs: list[RecommendationRecord] = []
    for row in stock.sort_values(["item_id", "location_id"]).itertuples():
        m = float(mean.get((row.item_id, row.location_id), 0.0))
        position = row.on_hand + float(in_transit.get((row.item_id, row.location_id), 0.0))
        supplier = items.loc[row.item_id, "supplier_id"]
        lane = lanes[
            (lanes["origin_id"] == supplier) & (lanes["destination_id"] == row.location_id) & (lanes["mode"] == "ocean")
        ]
        if m <= 0 or position >= 6 * m or lane.empty:
            continue
        qty = float(math.ceil(10 * m - position))
        recs.append(
            RecommendationRecord(
                rec_id=f"REC-{row.item_id}-{row.location_id}",
                rank=len(recs) + 1,
                action=Action(
                    ActionKind.ORDER,
                    row.item_id,
                    row.location_id,
                    qty,
                    origin_id=supplier,
                    lane_id=str(lane["lane_id"].iloc[0]),
                    mode=Mode.OCEAN,
                ),
                expected_cost_base=0.0,
                cvar_base=0.0,
                stockout_probability=0.1,
                capital_base=qty * values[row.item_id],
                explanation={
                    "rule": "order up to 10 weeks of mean demand when the position is under 6 weeks",
                    "mean_weekly": m,
                    "position": position,
                },
            )
        )
    return recs


def _decide_all(ws, recs: list[RecommendationRecord]) -> dict[str, str]:  # type: ignore[no-untyped-def]
    kinds: dict[str, str] = {}
    for i, r in enumerate(recs):
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
        recs = _recommendations(tables, stock)
        plan = PlanRecord("PLAN-D", D, 1, 1, WINDOW, "USD", {}, "rule", tuple(recs))
        record_plan(ws, plan, user="pat", now=D)
        kinds = _decide_all(ws, recs)
        return build_scoreboard(ws), kinds, build_scoreboard(ws)


def test_every_decision_is_scored(replay: tuple[Scoreboard, dict[str, str], Scoreboard]) -> None:
    board, kinds, _ = replay
    assert len(kinds) >= 20  # the rule found enough to decide on
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
