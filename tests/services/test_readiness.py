"""Readiness tells the truth: one test per gap, the facts cache, and agreement with what the plan refuses."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from hedgerow.config import Settings
from hedgerow.contract.facts import TableFacts, table_facts
from hedgerow.demand.frequency import default_season_length, normalize_freq
from hedgerow.domain.enums import Period, TableName
from hedgerow.errors import PlanningError
from hedgerow.pipeline.chain import run_chain
from hedgerow.services.importing import import_sources, sources_from_folder
from hedgerow.services.readiness import SEASON_PERIODS, GapKind, Readiness, Verdict, readiness_of_frames
from hedgerow.services.status import workspace_status
from hedgerow.services.workspace import Workspace

AS_OF = date(2026, 11, 23)  # the Monday of the fixture network's "today" (2026-11-25)


@pytest.fixture
def frames(workspace: Workspace, network_dir: Path, now: datetime) -> dict[TableName, pd.DataFrame]:
    sources, _ = sources_from_folder(network_dir)
    import_sources(workspace, sources, user="ana", now=now)
    return workspace.current_frames()


def _settings(base: str = "USD", period: Period = Period.WEEK) -> Settings:
    s = Settings()
    return replace(s, workspace=replace(s.workspace, base_currency=base, period=period))


def _kinds(readiness: Readiness) -> list[tuple[GapKind, TableName | None, bool]]:
    return [(g.kind, g.table, g.blocking) for g in readiness.gaps]


def _only(readiness: Readiness, kind: GapKind) -> str:
    found = [g for g in readiness.gaps if g.kind is kind]
    assert len(found) == 1, readiness.gaps
    return f"{found[0].message} | fix: {found[0].fix}"


def _without(frames: dict[TableName, pd.DataFrame], table: TableName) -> dict[TableName, pd.DataFrame]:
    return {t: f for t, f in frames.items() if t is not table}


def test_fixture_network_is_ready_with_one_gap_short_history(frames: dict[TableName, pd.DataFrame]) -> None:
    readiness = readiness_of_frames(frames, _settings(), AS_OF)
    assert readiness.verdict is Verdict.READY_WITH_GAPS
    assert _kinds(readiness) == [(GapKind.SHORT_HISTORY, TableName.DEMAND, False)]
    assert "the median item-location has 4 weeks of history, less than one season (52 weeks)" in _only(
        readiness, GapKind.SHORT_HISTORY
    )
    assert readiness.open_shipments == 1


def test_a_missing_table_blocks(frames: dict[TableName, pd.DataFrame]) -> None:
    readiness = readiness_of_frames(_without(frames, TableName.LANES), _settings(), AS_OF)
    assert readiness.verdict is Verdict.NOT_READY
    assert _kinds(readiness)[0] == (GapKind.MISSING_TABLE, TableName.LANES, True)
    assert _only(readiness, GapKind.MISSING_TABLE) == (
        "lanes is not imported; every plan needs it (docs/data-contract.md#lanes) | fix: hedgerow import lanes.csv"
    )


def test_a_currency_without_rates_blocks_and_the_plan_refuses_it_too(frames: dict[TableName, pd.DataFrame]) -> None:
    settings = _settings(base="EUR")
    readiness = readiness_of_frames(frames, settings, AS_OF)
    assert readiness.verdict is Verdict.NOT_READY
    text = _only(readiness, GapKind.MISSING_FX)
    assert "no exchange rate against EUR on or before 2026-11-23 for USD" in text
    assert "fx_rates has CNY, JPY" in text
    assert "hedgerow import-preset ecb" in text
    with pytest.raises(PlanningError, match=r"no exchange rate against EUR for USD on or before 2026-11-23"):
        run_chain(frames, settings, as_of=datetime(2026, 11, 23))


def test_a_supplier_currency_without_rates_leaves_its_items_out(frames: dict[TableName, pd.DataFrame]) -> None:
    fx = frames[TableName.FX_RATES]
    frames[TableName.FX_RATES] = fx[fx["currency"] != "CNY"]  # only the supplier SUP-CN is in CNY
    readiness = readiness_of_frames(frames, _settings(), AS_OF)
    assert readiness.verdict is Verdict.READY_WITH_GAPS  # the plan leaves SUP-CN's items out and plans the rest
    gap = next(g for g in readiness.gaps if g.kind is GapKind.MISSING_FX)
    assert not gap.blocking
    assert gap.assumed == "no exchange rate on record — left out of the plan"
    assert "for CNY (used by suppliers) (fx_rates has JPY): a plan leaves out the item-locations they touch" in (
        gap.message
    )


def test_too_short_fx_history_blocks(frames: dict[TableName, pd.DataFrame]) -> None:
    fx = frames[TableName.FX_RATES]
    frames[TableName.FX_RATES] = fx[fx["date"] < pd.Timestamp("2026-11-23")]  # two days of JPY
    readiness = readiness_of_frames(frames, _settings(), AS_OF)
    # CNY too: the supplier SUP-CN is in CNY, and the scenarios draw FX paths for it
    assert "fewer than 3 days of rates for CNY, JPY" in _only(readiness, GapKind.MISSING_FX)
    assert readiness.verdict is Verdict.NOT_READY


def test_no_inventory_blocks_and_uncounted_item_locations_are_gaps(frames: dict[TableName, pd.DataFrame]) -> None:
    none = readiness_of_frames(_without(frames, TableName.INVENTORY), _settings(), AS_OF)
    assert none.verdict is Verdict.NOT_READY
    assert _kinds(none)[0] == (GapKind.NO_INVENTORY, TableName.INVENTORY, True)
    text = _only(none, GapKind.NO_INVENTORY)
    assert "no inventory counts: a plan would assume 0 units on hand at every item-location" in text
    assert "fix: hedgerow import inventory.csv (one count per item-location" in text
    assert text.endswith("or, to plan on zero stock on purpose: hedgerow plan --assume-zero-stock")
    inventory = frames[TableName.INVENTORY]
    frames[TableName.INVENTORY] = inventory[inventory["location_id"] != "TYO"]
    some = readiness_of_frames(frames, _settings(), AS_OF)
    assert "1 of 5 item-locations have no count (0 on hand assumed), e.g. CHG-65 at TYO" in _only(
        some, GapKind.NO_INVENTORY
    )
    uncounted = next(g for g in some.gaps if g.kind is GapKind.NO_INVENTORY)
    assert not uncounted.blocking
    assert uncounted.assumed == "no count on record — assumed 0 units on hand"


def test_no_shipments_is_a_gap(frames: dict[TableName, pd.DataFrame]) -> None:
    readiness = readiness_of_frames(_without(frames, TableName.SHIPMENTS), _settings(), AS_OF)
    assert "no shipments: nothing is counted in transit" in _only(readiness, GapKind.NO_SHIPMENTS)
    assert readiness.open_shipments is None
    gap = next(g for g in readiness.gaps if g.kind is GapKind.NO_SHIPMENTS)
    assert gap.to_dict()["assumed"] == (
        "no shipments on record — assumed nothing in transit, lead times as the lanes state"
    )


def test_no_signals_is_a_gap_that_states_the_assumption(frames: dict[TableName, pd.DataFrame]) -> None:
    readiness = readiness_of_frames(_without(frames, TableName.SIGNALS), _settings(), AS_OF)
    assert readiness.verdict is Verdict.READY_WITH_GAPS
    assert "no signals: no port closure, strike or congestion is known" in _only(readiness, GapKind.NO_SIGNALS)
    gap = next(g for g in readiness.gaps if g.kind is GapKind.NO_SIGNALS)
    assert (gap.table, gap.blocking) == (TableName.SIGNALS, False)
    assert gap.assumed == "no signals on record — assumed no current disruption, lanes at their base rates"
    assert gap.fix.startswith("hedgerow import signals.csv")


def _monthly_demand(years: int) -> pd.DataFrame:
    months = pd.date_range("2024-11-01", periods=12 * years, freq="MS")
    months = months[months < pd.Timestamp("2026-11-23")]
    return pd.DataFrame({"item_id": "CHG-65", "location_id": "LAX", "period_start": months, "qty": 10.0})


def test_monthly_demand_in_a_weekly_workspace_blocks(frames: dict[TableName, pd.DataFrame]) -> None:
    frames[TableName.DEMAND] = _monthly_demand(2)
    readiness = readiness_of_frames(frames, _settings(), AS_OF)
    text = _only(readiness, GapKind.FREQUENCY)
    assert "demand is monthly (median 31 days between a series' periods) but [workspace] period is week" in text
    assert "fix: import demand with one row per week and item-location" in text
    assert readiness.verdict is Verdict.NOT_READY
    assert GapKind.SHORT_HISTORY not in {g.kind for g in readiness.gaps}  # two years span more than a season


def test_weekly_demand_in_a_daily_workspace_suggests_a_weekly_period(frames: dict[TableName, pd.DataFrame]) -> None:
    readiness = readiness_of_frames(frames, _settings(period=Period.DAY), AS_OF)
    assert 'fix: set [workspace] period = "week" in hedgerow.toml' in _only(readiness, GapKind.FREQUENCY)


def test_stale_feeds_are_measured_from_the_newest_record(frames: dict[TableName, pd.DataFrame]) -> None:
    later = readiness_of_frames(frames, _settings(), date(2026, 12, 28))  # 5 weeks after the last week of sales
    stale = {g.table: g for g in later.gaps if g.kind is GapKind.STALE}
    assert set(stale) == {TableName.DEMAND, TableName.INVENTORY, TableName.SIGNALS, TableName.FX_RATES}
    assert not any(g.blocking for g in stale.values())
    assert stale[TableName.DEMAND].message.startswith("demand ends 2026-11-16, 6 weeks before 2026-12-28")
    assert stale[TableName.INVENTORY].message == (
        "the newest inventory record is from 2026-11-22, 36 days before 2026-12-28 (stale after "
        "[quality] stale_inventory_days = 14 days)"
    )
    # JPY prices an item-location in Tokyo and CNY is the currency of the supplier SUP-CN: both need paths
    assert stale[TableName.FX_RATES].message.startswith(
        "the newest rates of CNY (2026-11-23), JPY (2026-11-23) are older than"
    )


def test_demand_older_than_the_horizon_blocks_and_points_to_plan_as_of(frames: dict[TableName, pd.DataFrame]) -> None:
    readiness = readiness_of_frames(frames, _settings(), date(2027, 11, 22))
    demand = next(g for g in readiness.gaps if g.kind is GapKind.STALE and g.table is TableName.DEMAND)
    assert demand.blocking
    assert "more than the plan's horizon (26 weeks)" in demand.message
    assert demand.fix.endswith("hedgerow plan --as-of 2026-11-23")


def test_season_lengths_agree_with_the_demand_engine() -> None:
    for period, season in SEASON_PERIODS.items():
        assert season == default_season_length(normalize_freq(period))


def test_facts_roundtrip_and_status_reads_them_without_the_tables(
    workspace: Workspace, frames: dict[TableName, pd.DataFrame], now: datetime
) -> None:
    for table, frame in frames.items():
        facts = table_facts(table, frame)
        assert TableFacts.from_dict(facts.to_dict()) == facts
    demand = table_facts(TableName.DEMAND, frames[TableName.DEMAND])
    assert (demand.rows, demand.first, demand.last, demand.days) == (20, date(2026, 10, 26), date(2026, 11, 16), 4)
    assert demand.demand is not None
    assert (demand.demand.series, demand.demand.median_step_days, demand.demand.median_span_days) == (5, 7.0, 21.0)
    record = workspace.current_imports()[TableName.DEMAND]
    facts_file = workspace.snapshots.facts_path(TableName.DEMAND, record.snapshot_sha256)
    assert facts_file.is_file()
    facts_file.unlink()  # a workspace from before facts: status computes and keeps them
    status = workspace_status(workspace, now)
    assert facts_file.is_file()
    assert status.readiness == readiness_of_frames(frames, workspace.settings, AS_OF)
