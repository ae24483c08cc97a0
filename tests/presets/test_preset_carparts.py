"""The carparts preset: monthly intermittent demand at one site, NA months left out."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from hedgerow.domain.enums import TableName
from hedgerow.services.readiness import GapKind, Verdict
from hedgerow.services.status import workspace_status
from hedgerow.services.workspace import open_workspace
from tests.conftest import ROOT
from tests.presets.preset_testing import CliImport, shared_cli_import, warning_checks

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory, worker_id: str, shared_data: Path) -> CliImport:
    return shared_cli_import(tmp_path_factory, worker_id, "carparts", shared_data / "carparts")


@pytest.fixture(scope="module")
def raw(shared_data: Path) -> pd.DataFrame:
    return pd.read_csv(shared_data / "carparts" / "carparts.csv", dtype={"Part": str}).set_index("Part")


@pytest.fixture(scope="module")
def demand(imported: CliImport) -> pd.DataFrame:
    with open_workspace(imported.workspace) as ws:
        frame = ws.current_frame(TableName.DEMAND)
    assert frame is not None
    return frame


def test_cli_exits_zero_without_errors_or_unknown_references(imported: CliImport) -> None:
    assert imported.exit_code == 0, imported.payload
    assert all(report["errors"] == 0 for report in imported.payload["reports"])
    for table, counts in warning_checks(imported.payload).items():
        assert "unknown_reference" not in counts, table


def test_row_counts(imported: CliImport, raw: pd.DataFrame) -> None:
    rows = {t["table"]: t["rows"] for t in imported.payload["tables"]}
    observed = int(raw.notna().sum().sum())
    assert rows == {"items": 2674, "locations": 1, "item_locations": 2674, "demand": observed}
    assert imported.payload["summary"]["na_cells_not_written"] == int(raw.isna().sum().sum()) == 6122


def test_known_cells(demand: pd.DataFrame, raw: pd.DataFrame) -> None:
    # carparts.csv row 1: 21029627,0,0,0,0,0,0,2,0,0,0,0,0,0,1, then NA from Mar-99
    series = demand[demand["item_id"] == "21029627"].set_index("period_start")["qty"]
    assert series[pd.Timestamp("1998-07-01")] == 2
    assert series[pd.Timestamp("1999-02-01")] == 1
    assert series.index.max() == pd.Timestamp("1999-02-01")  # NA months are not written as zeros
    assert len(series) == int(raw.loc["21029627"].notna().sum()) == 14
    assert set(demand["location_id"]) == {"CARPARTS-DC"}
    assert set(demand["period_start"].dt.day) == {1}
    total = demand.groupby("item_id")["qty"].sum()
    assert total.to_dict() == pytest.approx(raw.sum(axis=1, skipna=True).to_dict())


def test_monthly_rows_in_a_weekly_workspace_are_judged_by_their_own_cadence(
    imported: CliImport, raw: pd.DataFrame
) -> None:
    counts = warning_checks(imported.payload)["demand"]
    # a real gap is an unobserved (NA) month between two observed ones; month starts on varying weekdays are fine
    observed = raw.notna().to_numpy()
    internal_gaps = 0
    for row in observed:
        positions = row.nonzero()[0]
        internal_gaps += int((positions[1:] - positions[:-1] > 1).sum())
    assert counts.get("demand_gap", 0) == internal_gaps
    assert "irregular_period" not in counts
    assert imported.payload["summary"]["season_length_periods"] == 12


def test_what_the_import_and_status_say_matches_docs_presets(imported: CliImport) -> None:
    """Issue 20 item 11: docs/presets.md describes what the carparts import and `status` really say."""
    demand = next(r for r in imported.payload["reports"] if r["table"] == "demand")
    counts = warning_checks(imported.payload)["demand"]
    assert demand["warnings"] == sum(counts.values())  # every warning counted is listed in a group
    assert counts.get("outlier") == 2
    assert demand["trust_score"] > 99
    with open_workspace(imported.workspace) as ws:
        status = workspace_status(ws, datetime(2026, 12, 7, 12, tzinfo=UTC))
    readiness = status.readiness
    assert readiness.verdict is Verdict.NOT_READY
    blocking = {(g.kind, g.table) for g in readiness.gaps if g.blocking}
    assert blocking == {
        (GapKind.MISSING_TABLE, TableName.LANES),
        (GapKind.FREQUENCY, TableName.DEMAND),
        (GapKind.STALE, TableName.DEMAND),
        (GapKind.NO_INVENTORY, TableName.INVENTORY),  # no counts: a plan would assume zero stock everywhere
    }
    stale = next(g for g in readiness.gaps if g.kind is GapKind.STALE)
    assert stale.fix.endswith("hedgerow plan --as-of 2002-03-08")
    docs = (ROOT / "docs" / "presets.md").read_text(encoding="utf-8")
    assert "2 outliers" in docs
    assert "plan as of its end with `hedgerow plan --as-of 2002-03-08`" in docs
    assert "no inventory counts block too" in docs
