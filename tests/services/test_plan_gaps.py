"""Missing data is loud (issue 14): a plan made without counts, shipments or signals says so at its top, in its
JSON and in the explanation of every recommendation that relies on the assumption; no counts at all refuse the
plan unless zero stock is assumed on purpose."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from hedgerow.domain.enums import TableName
from hedgerow.domain.gaps import DataGapKind
from hedgerow.errors import PlanningError
from hedgerow.services.importing import import_sources, sources_from_folder
from hedgerow.services.planning import PlanOutcome, make_workspace_plan
from hedgerow.services.workspace import Workspace, init_workspace
from tests.conftest import NOW

AS_OF = date(2026, 11, 23)


def _drop_lines(path: Path, marker: str) -> None:
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(line for line in lines if marker not in line))


def network_workspace(
    root: Path,
    network_dir: Path,
    *,
    drop: tuple[TableName, ...] = (),
    no_tokyo_count: bool = False,
    no_rates_for: str | None = None,
    edit: Callable[[Path], None] | None = None,
) -> Workspace:
    """The fixture network imported into ``root/ws`` without the tables ``drop``, the Tokyo count or the rates of
    a currency."""
    folder = root / "in"
    shutil.copytree(network_dir, folder)
    for table in drop:
        (folder / f"{table.value}.csv").unlink()
    if no_tokyo_count:
        _drop_lines(folder / "inventory.csv", ",TYO,")
    if no_rates_for is not None:
        _drop_lines(folder / "fx_rates.csv", f",{no_rates_for},")
    if edit is not None:
        edit(folder)
    ws = init_workspace(root / "ws")
    sources, _ = sources_from_folder(folder)
    import_sources(ws, sources, user="ana", now=NOW)
    return ws


@pytest.fixture(scope="module")
def gappy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, PlanOutcome]]:
    """The fixture network without shipments and signals, and without the Tokyo count, planned once."""
    root = tmp_path_factory.mktemp("gaps")
    network = Path(__file__).resolve().parents[1] / "fixtures" / "network"
    ws = network_workspace(root, network, drop=(TableName.SHIPMENTS, TableName.SIGNALS), no_tokyo_count=True)
    try:
        outcome = make_workspace_plan(ws, user="ana", now=NOW, as_of=AS_OF)
        yield ws.root, outcome
    finally:
        ws.close()


def test_the_plan_lists_its_gaps_with_what_it_assumed(gappy: tuple[Path, PlanOutcome]) -> None:
    _, outcome = gappy
    gaps = {g.kind: g for g in outcome.plan.gaps}
    assert list(gaps) == [DataGapKind.NO_INVENTORY, DataGapKind.NO_SHIPMENTS, DataGapKind.NO_SIGNALS]
    assert gaps[DataGapKind.NO_INVENTORY].affected == {("CHG-65", "TYO")}
    assert gaps[DataGapKind.NO_SHIPMENTS].item_locations == 5
    payload = outcome.to_dict()
    assert list(payload)[:3] == ["as_of", "headline", "gaps"]  # at the top of the JSON
    assert payload["gaps"][0] == {
        "kind": "no_inventory",
        "table": "inventory",
        "assumed": "no count on record — assumed 0 units on hand",
        "fix": "hedgerow import inventory.csv (one count per item-location: item_id, location_id, on_hand, counted_at)",
        "item_locations": 1,
        "line": "Inventory: no count on record — assumed 0 units on hand",
    }
    assert payload["plan"]["gaps"] == payload["gaps"]
    assert [g["kind"] for g in payload["gaps"][1:]] == ["no_shipments", "no_signals"]
    assert "assumed nothing in transit" in payload["gaps"][1]["assumed"]
    assert payload["gaps"][1]["fix"].startswith("hedgerow import shipments.csv")


def test_each_affected_explanation_carries_the_assumption(gappy: tuple[Path, PlanOutcome]) -> None:
    _, outcome = gappy
    recs = outcome.plan.recommendations
    tokyo = [r for r in recs if (r.action.item_id, r.action.location_id) == ("CHG-65", "TYO")]
    others = [r for r in recs if (r.action.item_id, r.action.location_id) != ("CHG-65", "TYO")]
    assert tokyo, "0 units assumed in Tokyo: the plan sends stock there"
    for rec in tokyo:
        lines = [g["line"] for g in rec.explanation.to_dict()["gaps"]]
        assert "Inventory: no count on record — assumed 0 units on hand" in lines
    for rec in others:
        kinds = {g.kind for g in rec.explanation.gaps}
        assert DataGapKind.NO_INVENTORY not in kinds or rec.action.origin_id == "TYO"
        assert DataGapKind.NO_SHIPMENTS in kinds  # no shipments table: every item-location relies on it


def test_no_counts_at_all_refuse_the_plan_with_the_import_command(tmp_path: Path, network_dir: Path) -> None:
    ws = network_workspace(tmp_path, network_dir, drop=(TableName.INVENTORY,))
    try:
        with pytest.raises(PlanningError) as refused:
            make_workspace_plan(ws, user="ana", now=NOW, as_of=AS_OF)
        message = str(refused.value)
        assert message.startswith("inventory is not imported: a plan needs a count of what is on hand at each of its 5")
        assert "hedgerow import inventory.csv" in message
        assert "hedgerow plan --assume-zero-stock" in message
        assumed = make_workspace_plan(ws, user="ana", now=NOW, as_of=AS_OF, assume_zero_stock=True)
    finally:
        ws.close()
    gap = next(g for g in assumed.plan.gaps if g.kind is DataGapKind.NO_INVENTORY)
    assert gap.item_locations == 5
    assert all(DataGapKind.NO_INVENTORY in {g.kind for g in r.explanation.gaps} for r in assumed.plan.recommendations)


def test_planning_in_the_past_before_any_count_is_refused_too(tmp_path: Path, network_dir: Path) -> None:
    ws = network_workspace(tmp_path, network_dir)
    try:
        with pytest.raises(PlanningError, match=r"inventory has no count on or before 2026-11-16"):
            make_workspace_plan(ws, user="ana", now=NOW, as_of=date(2026, 11, 16))
    finally:
        ws.close()


def test_a_plan_without_lanes_is_refused_before_demand_is_fitted(tmp_path: Path, network_dir: Path) -> None:
    ws = network_workspace(tmp_path, network_dir, drop=(TableName.LANES,))
    steps: list[str] = []
    try:
        with pytest.raises(PlanningError) as refused:
            make_workspace_plan(ws, user="ana", now=NOW, as_of=AS_OF, progress=lambda step, *_: steps.append(step))
    finally:
        ws.close()
    assert str(refused.value) == (
        "not ready to plan as of 2026-11-23: lanes is not imported; every plan needs it "
        "(docs/data-contract.md#lanes) (fix: hedgerow import lanes.csv). Nothing was planned; hedgerow status "
        "lists every gap"
    )
    assert steps == []  # refused before the first step (fitting demand)


def test_demand_that_ended_a_horizon_ago_is_refused_before_demand_is_fitted(tmp_path: Path, network_dir: Path) -> None:
    ws = network_workspace(tmp_path, network_dir)
    steps: list[str] = []
    try:
        with pytest.raises(PlanningError, match=r"demand ends 2026-11-16, 53 weeks before 2027-11-22") as refused:
            make_workspace_plan(
                ws, user="ana", now=NOW, as_of=date(2027, 11, 22), progress=lambda step, *_: steps.append(step)
            )
    finally:
        ws.close()
    assert "hedgerow plan --as-of 2026-11-23" in str(refused.value)
    assert steps == []


def test_a_currency_without_rates_leaves_out_what_it_touches_and_plans_the_rest(
    tmp_path: Path, network_dir: Path
) -> None:
    ws = network_workspace(tmp_path, network_dir, no_rates_for="CNY")
    try:
        outcome = make_workspace_plan(ws, user="ana", now=NOW, as_of=AS_OF)
    finally:
        ws.close()
    gap = next(g for g in outcome.plan.gaps if g.kind is DataGapKind.MISSING_FX)
    # SUP-CN is paid in CNY: its two items go, at both DCs; the laptop and its kit are planned
    assert gap.affected == {("CHG-65", "LAX"), ("CHG-65", "TYO"), ("CBL-1M", "LAX")}
    assert gap.assumed == "no exchange rate on record for CNY — left out of the plan"
    assert gap.fix.startswith("hedgerow import fx_rates.csv (units of each currency per one USD)")
    planned = {(r.action.item_id, r.action.location_id) for r in outcome.plan.recommendations}
    assert planned, "the rest of the network is planned"
    assert not planned & gap.affected
    assert (
        outcome.to_dict()["gaps"][-1]["line"] == "Fx rates: no exchange rate on record for CNY — left out of the plan"
    )


def test_a_location_currency_without_rates_leaves_out_that_location(tmp_path: Path, network_dir: Path) -> None:
    ws = network_workspace(tmp_path, network_dir, no_rates_for="JPY")
    try:
        outcome = make_workspace_plan(ws, user="ana", now=NOW, as_of=AS_OF)
    finally:
        ws.close()
    gap = next(g for g in outcome.plan.gaps if g.kind is DataGapKind.MISSING_FX)
    assert gap.affected == {("CHG-65", "TYO")}  # Tokyo keeps its books in yen; the LAX -> TYO lane goes with it
    assert all(r.action.location_id != "TYO" and r.action.origin_id != "TYO" for r in outcome.plan.recommendations)


def test_a_plan_with_nothing_left_without_the_missing_rates_is_refused_naming_them(
    tmp_path: Path, network_dir: Path
) -> None:
    ws = network_workspace(tmp_path, network_dir, no_rates_for="JPY")
    try:
        # in EUR every price, cost and lane of the network (USD, JPY) lacks a rate: nothing is left to plan
        ws.settings = replace(ws.settings, workspace=replace(ws.settings.workspace, base_currency="EUR"))
        with pytest.raises(PlanningError) as refused:
            make_workspace_plan(ws, user="ana", now=NOW, as_of=AS_OF)
    finally:
        ws.close()
    message = str(refused.value)
    assert message.startswith(
        "fx_rates has no exchange rate against EUR on or before 2026-11-23 for "
        "JPY (in 1 item_locations rows, 1 locations rows); USD (in 4 items rows, 4 item_locations rows, 4 lanes rows"
    )
    assert "none is left without them" in message
    assert "Import the rates: hedgerow import fx_rates.csv (units of each currency per one EUR)" in message


def test_stock_in_transit_on_a_lane_left_out_leaves_its_destination_out_and_what_it_feeds(
    tmp_path: Path, network_dir: Path
) -> None:
    def ocean_in_pounds(folder: Path) -> None:  # no GBP rate: the ocean lane carrying SH-003 (open) goes
        lanes = folder / "lanes.csv"
        lanes.write_text(
            lanes.read_text().replace("CN-LAX-OCN,SUP-CN,LAX,ocean,0.40,USD", "CN-LAX-OCN,SUP-CN,LAX,ocean,0.40,GBP")
        )

    ws = network_workspace(tmp_path, network_dir, edit=ocean_in_pounds)
    try:
        outcome = make_workspace_plan(ws, user="ana", now=NOW, as_of=AS_OF)
    finally:
        ws.close()
    gap = next(g for g in outcome.plan.gaps if g.kind is DataGapKind.MISSING_FX)
    # 2,500 chargers are on the water to LAX: planning LAX without them would understate its stock; Tokyo, which
    # only LAX supplies, goes with it; the cable still comes by air from SUP-CN and stays
    assert gap.affected == {("CHG-65", "LAX"), ("CHG-65", "TYO")}
    planned = {(r.action.item_id, r.action.location_id) for r in outcome.plan.recommendations}
    assert not planned & gap.affected
