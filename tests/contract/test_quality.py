"""Data-quality warnings: each check flags the rows it should, and trust scores follow the formula."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hedgerow.config import QualitySettings
from hedgerow.contract.quality import QualityContext, quality_findings, trust_score
from hedgerow.contract.report import CheckKind, Finding
from hedgerow.contract.spec import TABLES, table_spec
from hedgerow.demand.series import build_panel
from hedgerow.domain.enums import MissingPeriods, Period, Severity, TableName
from tests.contract.helpers import NOW_NAIVE, raw_table, validate, with_cell


def _context(**overrides: pd.DataFrame) -> QualityContext:
    tables = {
        t: validate(t.value, raw_table(t.value)).frame
        for t in (TableName.ITEMS, TableName.LOCATIONS, TableName.SUPPLIERS, TableName.LANES, TableName.ITEM_LOCATIONS)
    }
    tables.update({TableName(k): v for k, v in overrides.items()})
    return QualityContext(tables=tables, settings=QualitySettings(), period=Period.WEEK, now=NOW_NAIVE)


def _findings(table: str, frame: pd.DataFrame, ctx: QualityContext | None = None) -> list[Finding]:
    typed = validate(table, frame)
    assert typed.errors == ()
    return quality_findings(table_spec(table), typed.frame, ctx or _context())


def _checks(findings: list[Finding]) -> list[tuple[CheckKind, int | None]]:
    return [(f.check, f.row) for f in findings]


@pytest.mark.parametrize("table", [t.value for t in TableName])
def test_fixture_network_has_no_warnings(table: str) -> None:
    assert _findings(table, raw_table(table)) == []


def test_duplicate_key_flags_the_earlier_row() -> None:
    frame = pd.concat([raw_table("items"), raw_table("items").loc[[2]]])
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    assert _checks(_findings("items", frame)) == [(CheckKind.DUPLICATE_KEY, 2)]


def test_unknown_item_in_demand() -> None:
    frame = with_cell(raw_table("demand"), 6, "item_id", "NOPE")
    found = _findings("demand", frame)
    assert (CheckKind.UNKNOWN_REFERENCE, 6) in _checks(found)
    assert next(f for f in found if f.check is CheckKind.UNKNOWN_REFERENCE).what == (
        "an item_id not found in items.item_id"
    )


def test_lane_origin_may_be_a_supplier_or_a_location_but_not_unknown() -> None:
    frame = with_cell(raw_table("lanes"), 4, "origin_id", "MARS")
    assert _checks(_findings("lanes", frame)) == [(CheckKind.UNKNOWN_REFERENCE, 4)]


def test_references_are_not_checked_when_the_target_table_is_absent() -> None:
    ctx = QualityContext(tables={}, settings=QualitySettings(), period=Period.WEEK, now=NOW_NAIVE)
    frame = with_cell(raw_table("demand"), 6, "item_id", "NOPE")
    assert [f for f in _findings("demand", frame, ctx) if f.check is CheckKind.UNKNOWN_REFERENCE] == []


def test_signal_scope_matching_nothing_is_flagged() -> None:
    frame = with_cell(raw_table("signals"), 1, "scope_id", "XXNOP")
    assert _checks(_findings("signals", frame)) == [(CheckKind.UNKNOWN_REFERENCE, 1)]


def test_gap_in_demand_history() -> None:
    frame = raw_table("demand").drop(index=2)  # CHG-65@LAX loses 2026-11-02
    assert _checks(_findings("demand", frame)) == [(CheckKind.DEMAND_GAP, 3)]


def test_period_on_another_weekday() -> None:
    frame = with_cell(raw_table("demand"), 20, "period_start", "2026-11-18")
    assert _checks(_findings("demand", frame)) == [(CheckKind.IRREGULAR_PERIOD, 20)]


def test_outlier_needs_enough_history_and_a_robust_z_beyond_the_threshold() -> None:
    rows = [
        {"item_id": "CHG-65", "location_id": "LAX", "period_start": d.date().isoformat(), "qty": str(q)}
        for d, q in zip(
            pd.date_range("2026-08-03", periods=12, freq="7D"),
            [40, 42, 38, 41, 39, 40, 43, 37, 41, 40, 900, 39],
            strict=True,
        )
    ]
    frame = pd.DataFrame(rows, index=pd.RangeIndex(1, 13))
    assert _checks(_findings("demand", frame)) == [(CheckKind.OUTLIER, 11)]
    # with fewer than 8 points the same spike is not judged
    short = frame.iloc[6:].copy()
    assert _findings("demand", short) == []


def test_shipment_delivered_before_shipped_and_eta_before_ship() -> None:
    frame = with_cell(raw_table("shipments"), 2, "delivered_date", "2026-07-30")
    frame = with_cell(frame, 3, "eta_date", "2026-10-01")
    assert sorted(_checks(_findings("shipments", frame))) == sorted(
        [(CheckKind.DELIVERED_BEFORE_SHIPPED, 2), (CheckKind.ETA_BEFORE_SHIPPED, 3)]
    )


def test_stale_inventory_count_only_for_the_latest_count() -> None:
    frame = with_cell(raw_table("inventory"), 4, "counted_at", "2026-10-01T00:00:00Z")
    assert _checks(_findings("inventory", frame)) == [(CheckKind.STALE_COUNT, 4)]


def test_stale_feeds_are_table_level() -> None:
    frame = raw_table("fx_rates")
    frame["date"] = ["2026-10-01", "2026-10-01", "2026-10-02", "2026-10-02", "2026-10-05", "2026-10-05"]
    found = _findings("fx_rates", frame)
    assert _checks(found) == [(CheckKind.STALE_FEED, None)]
    assert found[0].what == "the newest date is 51 days old (stale after 7 days)"


def test_expired_hold() -> None:
    frame = with_cell(raw_table("holds"), 1, "expires_at", "2026-11-01")
    assert _checks(_findings("holds", frame)) == [(CheckKind.EXPIRED_HOLD, 1)]


def test_every_warning_check_is_exercised_somewhere() -> None:
    import inspect

    import tests.contract.test_quality as me

    source = inspect.getsource(me)
    warning_checks = [
        c
        for c in CheckKind
        if c.value
        in {
            "duplicate_key",
            "unknown_reference",
            "demand_gap",
            "irregular_period",
            "delivered_before_shipped",
            "eta_before_shipped",
            "stale_count",
            "stale_feed",
            "outlier",
            "expired_hold",
        }
    ]
    for check in warning_checks:
        assert f"CheckKind.{check.name}" in source


def _warning(row: int | None) -> Finding:
    return Finding(check=CheckKind.OUTLIER, severity=Severity.WARNING, what="x", row=row)


def test_trust_score_formula() -> None:
    assert trust_score(10, []) == 100.0
    # two distinct rows flagged out of 10 (row 3 twice counts once) -> 80
    assert trust_score(10, [_warning(3), _warning(3), _warning(7)]) == 80.0
    # a table-level warning halves the score
    assert trust_score(10, [_warning(None)]) == 50.0
    assert trust_score(10, [_warning(1), _warning(None), _warning(None)]) == 22.5
    assert trust_score(0, []) == 0.0


def test_monthly_history_is_judged_by_its_own_cadence() -> None:
    months = pd.date_range("2025-01-01", periods=14, freq="MS")
    rows = [
        {"item_id": "CHG-65", "location_id": "LAX", "period_start": d.date().isoformat(), "qty": "3"}
        for i, d in enumerate(months)
        if i != 9  # October 2025 is missing: one real gap
    ]
    frame = pd.DataFrame(rows, index=pd.RangeIndex(1, len(rows) + 1))
    found = _findings("demand", frame)
    # month starts fall on every weekday: no irregular-weekday warnings; 28-31 day steps are not gaps
    assert _checks(found) == [(CheckKind.DEMAND_GAP, 10)]


@pytest.mark.parametrize(
    ("reading", "words"),
    [
        (MissingPeriods.ZERO, "the missing periods count as zero sales"),
        (MissingPeriods.UNKNOWN, "the missing periods are unknown, skipped by the models"),
    ],
)
def test_gap_warning_says_how_the_engine_reads_missing_periods(reading: MissingPeriods, words: str) -> None:
    """Issue 20 item 12: the import message and the demand engine agree on what a missing period is."""
    demand = pd.DataFrame(
        {
            "item_id": "A",
            "location_id": "L",
            "period_start": pd.to_datetime(["2026-09-28", "2026-10-05", "2026-10-12", "2026-11-02"]),
            "qty": [4.0, 5.0, 6.0, 7.0],
        },
        index=pd.RangeIndex(1, 5),
    )
    ctx = QualityContext(
        tables={}, settings=QualitySettings(), period=Period.WEEK, now=NOW_NAIVE, missing_periods=reading
    )
    gaps = [f for f in quality_findings(TABLES[TableName.DEMAND], demand, ctx) if f.check is CheckKind.DEMAND_GAP]
    assert [f.row for f in gaps] == [4]
    assert words in gaps[0].what
    panel = build_panel(demand, freq="W", missing_periods=reading)
    gap_weeks = panel.y[0, 3:5]  # 2026-10-19 and 2026-10-26 have no row
    if reading is MissingPeriods.ZERO:
        assert gap_weeks.tolist() == [0.0, 0.0]
    else:
        assert np.isnan(gap_weeks).all()
    assert panel.y[0, [0, 1, 2, 5]].tolist() == [4.0, 5.0, 6.0, 7.0]


def test_a_freight_rate_with_neither_lane_nor_mode_or_an_unknown_lane_is_flagged() -> None:
    frame = with_cell(raw_table("freight_rates"), 2, "lane_id", None)  # row 2 then names no lane and no mode
    frame = with_cell(frame, 3, "lane_id", "XX-NOWHERE")
    assert sorted(_checks(_findings("freight_rates", frame)), key=lambda c: c[1] or 0) == [
        (CheckKind.NO_SCOPE, 2),
        (CheckKind.UNKNOWN_REFERENCE, 3),
    ]
