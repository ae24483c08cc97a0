"""The long demand table becomes a panel; awkward series are repaired and reported, never fatal."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from hedgerow.demand.series import IssueKind, build_panel
from hedgerow.errors import DemandDataError


def _rows(item: str, dates: list[str], qty: list[float], **extra: list[float]) -> pd.DataFrame:
    frame = pd.DataFrame({"item_id": item, "location_id": "L", "period_start": pd.to_datetime(dates), "qty": qty})
    for name, values in extra.items():
        frame[name] = values
    return frame


def _weeks(start: str, n: int) -> list[str]:
    return [d.strftime("%Y-%m-%d") for d in pd.date_range(start, periods=n, freq="7D")]


def test_absent_weeks_are_zero_and_drivers_are_kept() -> None:
    weeks = _weeks("2024-01-03", 6)  # Wednesdays
    frame = _rows("A", [weeks[0], weeks[2], weeks[5]], [3.0, 4.0, 5.0], price=[2.0, 1.5, 2.0])
    panel = build_panel(frame, freq="W")
    np.testing.assert_array_equal(panel.y[0], [3, 0, 4, 0, 0, 5])
    assert panel.driver_names == ("price",)
    np.testing.assert_array_equal(panel.drivers[0, :, 0], [2.0, 2.0, 1.5, 2.0, 2.0, 2.0])  # gaps: usual value
    assert panel.period_dates(6, 2) == [date(2024, 2, 14), date(2024, 2, 21)]  # Wednesdays kept
    assert panel.is_count[0]


def test_planned_drivers_extend_past_the_history() -> None:
    weeks = _weeks("2024-01-01", 5)
    demand = _rows("A", weeks[:3], [1.0, 2.0, 3.0], promo=[0.0, 0.0, 0.0])
    plan = pd.DataFrame(
        {"item_id": ["A"], "location_id": ["L"], "period_start": pd.to_datetime([weeks[4]]), "promo": [1.0]}
    )
    panel = build_panel(demand, freq="W", drivers=plan)
    future = panel.future_drivers(3, 3)
    np.testing.assert_array_equal(future[0, :, 0], [0.0, 1.0, 0.0])


def test_awkward_series_are_repaired_and_reported() -> None:
    weeks = _weeks("2010-01-04", 600)
    frames = [
        _rows("one-point", [weeks[-1]], [4.0]),
        _rows("zeros", weeks[-10:], [0.0] * 10),
        _rows("nan", weeks[-5:], [1.0, np.nan, 2.0, 3.0, 1.0]),
        _rows("negative", weeks[-4:], [2.0, -3.0, 1.0, 2.0]),
        _rows("gap", [weeks[0], weeks[1], *weeks[-3:]], [5.0, 5.0, 1.0, 2.0, 3.0]),
        _rows("dup", [weeks[-2], weeks[-2], weeks[-1]], [1.0, 2.0, 3.0]),
    ]
    panel = build_panel(pd.concat(frames), freq="W")
    kinds = {(i.item_id, i.kind) for i in panel.issues}
    assert ("zeros", IssueKind.ALL_ZERO) in kinds
    assert ("nan", IssueKind.MISSING_QTY) in kinds
    assert ("negative", IssueKind.NEGATIVE_SALES) in kinds
    assert ("gap", IssueKind.GAP_TRUNCATED) in kinds
    assert ("dup", IssueKind.DUPLICATE_PERIODS) in kinds
    assert ("one-point", IssueKind.SHORT_HISTORY) in kinds
    row = panel.index_of("gap", "L")
    assert np.isfinite(panel.y[row]).sum() == 3  # history before the 10-year gap dropped
    assert np.nanmin(panel.y) >= 0
    assert np.isnan(panel.y[panel.index_of("nan", "L"), -4])
    assert panel.y[panel.index_of("dup", "L"), -2] == 3.0


def test_monthly_frequency_and_season_length() -> None:
    months = [d.strftime("%Y-%m-%d") for d in pd.date_range("2020-01-01", periods=30, freq="MS")]
    panel = build_panel(_rows("A", months, list(range(30))), freq="M")
    assert panel.season_length == 12
    assert panel.n_periods == 30
    assert panel.period_dates(30, 1) == [date(2022, 7, 1)]


def test_missing_columns_are_named() -> None:
    with pytest.raises(DemandDataError, match="missing: qty"):
        build_panel(pd.DataFrame({"item_id": ["A"], "location_id": ["L"], "period_start": ["2024-01-01"]}))
    with pytest.raises(DemandDataError, match="frequency 'fortnightly'"):
        build_panel(_rows("A", ["2024-01-01"], [1.0]), freq="fortnightly")
