"""Implausible exchange rates (issue 16, defect 6a): a rate of 1e11 or 1e-7 among real ones is named, by row, value
and the rates around it; the real ECB history (every currency against USD and EUR) raises nothing."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from hedgerow.config import QualitySettings
from hedgerow.contract.fx_checks import (
    FX_JUMP_FACTOR,
    FX_PLAUSIBLE_BAND,
    NearbyRate,
    SuspiciousRate,
    suspicious_rates,
)
from hedgerow.contract.quality import QualityContext, quality_findings
from hedgerow.contract.report import CheckKind, Finding
from hedgerow.contract.spec import table_spec
from hedgerow.domain.enums import Period, Severity, TableName
from hedgerow.presets import PresetContext, ecb
from tests.contract.helpers import NOW_NAIVE, raw_table, validate

#: The largest move between two rates of one pair at most a week apart in the ECB history, every cross of its 41
#: currencies and the euro (log 0.533: the Turkish lira's float, 2001-02-22); docs/data-contract.md.
ECB_LARGEST_WEEKLY_LOG_MOVE = 0.533


def _with_rows(*rows: tuple[str, str, str]) -> pd.DataFrame:
    """The fixture network's fx_rates (6 rows) with ``rows`` appended as rows 7, 8, ..."""
    extra = pd.DataFrame(list(rows), columns=["date", "currency", "units_per_base"], dtype="string")
    frame = pd.concat([raw_table("fx_rates"), extra])
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    return frame


def _findings(frame: pd.DataFrame, *, accept: bool = False, history: pd.DataFrame | None = None) -> list[Finding]:
    typed = validate("fx_rates", frame)
    assert typed.errors == ()
    ctx = QualityContext(
        tables={},
        settings=QualitySettings(),
        period=Period.WEEK,
        now=NOW_NAIVE,
        history={} if history is None else {TableName.FX_RATES: history},
        accept_fx_jumps=accept,
        base_currency="USD",
    )
    return [
        f for f in quality_findings(table_spec("fx_rates"), typed.frame, ctx) if f.check is not CheckKind.STALE_FEED
    ]


def test_rates_of_1e11_and_1e_minus_7_are_errors_naming_row_value_and_neighbours() -> None:
    frame = _with_rows(("2026-11-21", "CNY", "1e11"), ("2026-11-21", "JPY", "1e-7"))
    found = _findings(frame)
    assert [(f.check, f.severity, f.row, f.column, f.value) for f in found] == [
        (CheckKind.FX_JUMP, Severity.ERROR, 7, "units_per_base", "100000000000"),
        (CheckKind.FX_JUMP, Severity.ERROR, 8, "units_per_base", "1e-07"),
    ]
    cny, jpy = found
    assert "CNY's accepted rates before it 7.22 on 2026-11-20 and after it 7.2 on 2026-11-23" in cny.what
    assert "JPY's accepted rates before it 155.9 on 2026-11-20 and after it 156.4 on 2026-11-23" in jpy.what
    assert "import with --accept-fx-jumps" in cny.what
    assert "units of the currency per one USD" in cny.what


def test_accepted_jumps_are_warnings() -> None:
    found = _findings(_with_rows(("2026-11-21", "CNY", "1e11")), accept=True)
    assert [(f.check, f.severity, f.row) for f in found] == [(CheckKind.FX_JUMP, Severity.WARNING, 7)]
    assert "kept because the import accepted such moves" in found[0].what


def test_a_real_move_within_the_factor_is_not_flagged() -> None:
    # the Turkish lira's float: 1.70 times in a day, the largest weekly move in the ECB history
    assert _findings(_with_rows(("2026-11-24", "CNY", str(7.20 * 1.70)))) == []
    assert _findings(_with_rows(("2026-11-24", "CNY", str(7.20 * FX_JUMP_FACTOR * 1.01)))) != []


def test_a_single_row_upserted_is_compared_with_the_workspace_history() -> None:
    history = validate("fx_rates", raw_table("fx_rates")).frame
    upload = pd.DataFrame({"date": ["2026-11-24"], "currency": ["CNY"], "units_per_base": ["7.2e11"]}, dtype="string")
    upload.index = pd.RangeIndex(1, 2)
    found = _findings(upload, history=history)
    assert [(f.check, f.row, f.value) for f in found] == [(CheckKind.FX_JUMP, 1, "720000000000")]
    assert "before it 7.2 on 2026-11-23" in found[0].what
    # the same row without history has nothing to jump from, and 7.2e11 is outside the plausible band
    alone = _findings(upload)
    assert [(f.check, f.row) for f in alone] == [(CheckKind.FX_OUT_OF_BAND, 1)]


def test_an_upsert_correcting_a_bad_row_is_not_flagged() -> None:
    history = validate("fx_rates", _with_rows(("2026-11-21", "CNY", "1e11"))).frame
    upload = pd.DataFrame({"date": ["2026-11-21"], "currency": ["CNY"], "units_per_base": ["7.215"]}, dtype="string")
    upload.index = pd.RangeIndex(1, 2)
    assert _findings(upload, history=history) == []


def test_a_bad_first_row_is_the_one_flagged_not_the_history_after_it() -> None:
    days = pd.date_range("2026-01-05", periods=6, freq="B")
    frame = pd.DataFrame({"date": days, "currency": "CNY", "units_per_base": [7.2e-5, 7.21, 7.22, 7.2, 7.19, 7.2]})
    frame.index = pd.RangeIndex(1, 7)
    assert suspicious_rates(frame) == [
        SuspiciousRate(1, "CNY", date(2026, 1, 5), 7.2e-5, None, NearbyRate(date(2026, 1, 6), 7.21))
    ]


def test_a_long_gap_widens_the_limit_like_a_random_walk() -> None:
    # ISK: no ECB quote from 2008-12 to 2018, then 0.84 in log; 20 times after ten years is no typo to flag
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(["2008-12-01", "2008-12-02", "2018-02-01", "2018-02-02"]),
            "currency": "ISK",
            "units_per_base": [290.0, 291.0, 290.0 / 20, 290.0 / 20],
        }
    )
    assert suspicious_rates(frame) == []


def test_the_factor_is_well_above_the_largest_real_move() -> None:
    assert math.log(FX_JUMP_FACTOR) > 4 * ECB_LARGEST_WEEKLY_LOG_MOVE
    low, high = FX_PLAUSIBLE_BAND
    assert low < 1e-7
    assert high < 1e11


@pytest.mark.realdata
@pytest.mark.parametrize("base", ["USD", "EUR"])
def test_the_real_ecb_history_has_no_implausible_rate(shared_data: Path, base: str) -> None:
    loaded = ecb.DATASET.load(shared_data / "ecb_fx_rates")
    fx = ecb.map_tables(loaded, PresetContext(base_currency=base)).tables[TableName.FX_RATES]
    assert len(fx) == 221_702  # 7,126 days, 41 currencies and the euro while quoted
    assert suspicious_rates(fx) == []


@pytest.mark.realdata
def test_the_ecb_history_with_two_bad_rows_flags_exactly_those(shared_data: Path) -> None:
    loaded = ecb.DATASET.load(shared_data / "ecb_fx_rates")
    fx = ecb.map_tables(loaded, PresetContext(base_currency="USD")).tables[TableName.FX_RATES]
    day = pd.Timestamp("2026-10-30")
    cny = fx.index[(fx["date"] == day) & (fx["currency"] == "CNY")][0]
    jpy = fx.index[(fx["date"] == pd.Timestamp("2015-06-01")) & (fx["currency"] == "JPY")][0]
    fx.loc[cny, "units_per_base"] = 1e11
    fx.loc[jpy, "units_per_base"] = 1e-7
    flagged = suspicious_rates(fx)
    assert sorted((s.index, s.currency, s.rate) for s in flagged) == sorted([(cny, "CNY", 1e11), (jpy, "JPY", 1e-7)])
    cny_flag = next(s for s in flagged if s.currency == "CNY")
    assert cny_flag.after is None  # the newest rate of the file
    assert cny_flag.before is not None
    assert cny_flag.before.day == date(2026, 10, 29)
    assert 6.5 < cny_flag.before.rate < 7.5
