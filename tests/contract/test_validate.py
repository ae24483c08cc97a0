"""Every table validates when good, and each contract check rejects at least one bad case with the right
row, column, check and value."""

from __future__ import annotations

import pandas as pd
import pytest

from hedgerow.contract.report import CheckKind
from hedgerow.contract.spec import TABLES, ColumnType, table_spec
from hedgerow.contract.validate import validate_frame
from hedgerow.domain.enums import Severity, TableName
from tests.contract.helpers import NOW_NAIVE, raw_table, validate, with_cell


@pytest.mark.parametrize("table", [t.value for t in TableName])
def test_every_fixture_table_is_valid(table: str) -> None:
    result = validate(table, raw_table(table))
    assert result.errors == ()
    assert len(result.frame) == len(raw_table(table))


@pytest.mark.parametrize("table", [t.value for t in TableName])
def test_typed_columns_have_their_logical_types(table: str) -> None:
    frame = validate(table, raw_table(table)).frame
    for col in TABLES[TableName(table)].columns:
        if col.name not in frame.columns:
            continue
        dtype = frame[col.name].dtype
        if col.type is ColumnType.NUMBER:
            assert dtype == "float64", col.name
        elif col.type in (ColumnType.DATE, ColumnType.DATETIME):
            assert str(dtype) == "datetime64[ns]", col.name
        else:
            assert str(dtype) == "string", col.name


# (table, row, column, bad value, expected check)
BAD_CELLS = [
    ("items", 2, "unit_cost", "abc", CheckKind.TYPE),
    ("items", 1, "unit_cost", "-1", CheckKind.MIN_VALUE),
    ("items", 3, "cost_currency", "us$", CheckKind.PATTERN),
    ("items", 4, "name", None, CheckKind.REQUIRED),
    ("items", 1, "weight_kg", "1e13", CheckKind.TOO_LARGE),
    ("locations", 1, "country", "USA", CheckKind.PATTERN),
    ("locations", 2, "holding_cost_rate_per_year", "12", CheckKind.MAX_VALUE),
    ("locations", 2, "currency", None, CheckKind.REQUIRED),
    ("item_locations", 3, "unit_price", "9,99", CheckKind.TYPE),
    ("item_locations", 1, "price_currency", "EURO", CheckKind.PATTERN),
    ("suppliers", 2, "country", "vnm", CheckKind.PATTERN),
    ("suppliers", 1, "supplier_id", None, CheckKind.REQUIRED),
    ("lanes", 2, "mode", "boat", CheckKind.ALLOWED_VALUES),
    ("lanes", 1, "transit_days", "0", CheckKind.MIN_VALUE),
    ("lanes", 3, "cost_per_unit", "inf", CheckKind.TYPE),
    ("shipments", 1, "qty", "0", CheckKind.MIN_VALUE),
    ("shipments", 2, "ship_date", "2026-02-30", CheckKind.TYPE),
    ("shipments", 3, "delivered_date", "2027-01-05", CheckKind.FUTURE_DATE),
    ("inventory", 1, "on_hand", "-5", CheckKind.MIN_VALUE),
    ("inventory", 2, "counted_at", "2026-12-01T00:00:00Z", CheckKind.FUTURE_DATE),
    ("inventory", 3, "counted_at", "yesterday", CheckKind.TYPE),
    ("demand", 17, "qty", "-3", CheckKind.MIN_VALUE),
    ("demand", 5, "qty", "99999999999999", CheckKind.TOO_LARGE),
    ("demand", 2, "period_start", "2030-01-07", CheckKind.FUTURE_DATE),
    ("demand", 7, "stockout_fraction", "1.5", CheckKind.MAX_VALUE),
    ("demand", 8, "stockout_fraction", "-0.1", CheckKind.MIN_VALUE),
    ("demand", 9, "item_id", None, CheckKind.REQUIRED),
    ("drivers", 1, "period_start", "next week", CheckKind.TYPE),
    ("bundles", 2, "qty_per_bundle", "0", CheckKind.MIN_VALUE),
    ("signals", 1, "kind", "earthquake", CheckKind.ALLOWED_VALUES),
    ("signals", 2, "scope_type", "city", CheckKind.ALLOWED_VALUES),
    ("signals", 1, "probability", "-0.2", CheckKind.MIN_VALUE),
    ("signals", 3, "observed_at", "2027-03-01", CheckKind.FUTURE_DATE),
    ("signals", 2, "delay_days", "4000", CheckKind.MAX_VALUE),
    ("fx_rates", 1, "units_per_base", "0", CheckKind.MIN_VALUE),
    ("fx_rates", 2, "date", "2026-13-01", CheckKind.TYPE),
    ("freight_rates", 1, "rate_per_unit", "0", CheckKind.MIN_VALUE),
    ("freight_rates", 4, "mode", "barge", CheckKind.ALLOWED_VALUES),
    ("freight_rates", 2, "date", "2027-02-01", CheckKind.FUTURE_DATE),
    ("holds", 1, "qty", "-1", CheckKind.MIN_VALUE),
    ("holds", 1, "expires_at", None, CheckKind.REQUIRED),
    ("shipments", 2, "ship_date", "1500-06-01", CheckKind.DATE_OUT_OF_RANGE),
    ("inventory", 1, "counted_at", "1000-01-01T00:00:00Z", CheckKind.DATE_OUT_OF_RANGE),
    ("holds", 1, "expires_at", "9999-12-31", CheckKind.DATE_OUT_OF_RANGE),
]


@pytest.mark.parametrize(("table", "row", "column", "value", "check"), BAD_CELLS)
def test_bad_cell_is_reported_with_row_column_check_and_value(
    table: str, row: int, column: str, value: object, check: CheckKind
) -> None:
    result = validate(table, with_cell(raw_table(table), row, column, value))
    assert [(f.row, f.column, f.check) for f in result.errors] == [(row, column, check)]
    finding = result.errors[0]
    assert finding.severity is Severity.ERROR
    assert finding.value == (None if value is None else str(value))


def test_every_table_has_a_bad_case_and_every_cell_check_is_exercised() -> None:
    assert {t for t, *_ in BAD_CELLS} == {t.value for t in TableName}
    cell_checks = {
        CheckKind.TYPE,
        CheckKind.REQUIRED,
        CheckKind.MIN_VALUE,
        CheckKind.MAX_VALUE,
        CheckKind.ALLOWED_VALUES,
        CheckKind.PATTERN,
        CheckKind.FUTURE_DATE,
        CheckKind.TOO_LARGE,
        CheckKind.DATE_OUT_OF_RANGE,
    }
    assert {c for *_, c in BAD_CELLS} == cell_checks


def test_dates_beyond_the_stored_range_are_named_so_not_called_unparseable() -> None:
    """Typed (Parquet) timestamps in any unit and zone, and ISO text, outside 1677-09-22 .. 2262-04-11."""
    frame = raw_table("demand")
    typed = pd.Series(pd.to_datetime(frame["period_start"]).astype("datetime64[s]"), index=frame.index)
    typed[1] = pd.Timestamp("1677-09-21").as_unit("s")
    typed[2] = pd.Timestamp("2262-04-12").as_unit("s")
    typed[3] = pd.Timestamp("2262-04-11").as_unit("s")  # the last day stored: in the future, not out of range
    for column in (typed, typed.dt.tz_localize("UTC")):
        result = validate("demand", frame.assign(period_start=column))
        assert [(f.row, f.check) for f in result.errors] == [
            (1, CheckKind.DATE_OUT_OF_RANGE),
            (2, CheckKind.DATE_OUT_OF_RANGE),
            (3, CheckKind.FUTURE_DATE),
        ]
        assert result.errors[0].what == "a period_start outside the dates hedgerow stores (1677-09-22 to 2262-04-11)"
        assert result.errors[1].value == "2262-04-12"
        assert str(result.frame["period_start"].dtype) == "datetime64[ns]"
        assert result.frame["period_start"].iloc[:2].isna().all()


def test_an_iso_date_read_with_another_date_format_is_unparseable_not_out_of_range() -> None:
    frame = with_cell(raw_table("demand"), 1, "period_start", "2026-11-02")
    result = validate_frame(table_spec("demand"), frame, now=NOW_NAIVE, date_format="%d/%m/%Y")
    assert {(f.row, f.check) for f in result.errors if f.row == 1} == {(1, CheckKind.TYPE)}


def test_missing_required_column_names_it_and_suggests_the_near_match() -> None:
    frame = raw_table("demand").rename(columns={"item_id": "Item ID"})
    result = validate("demand", frame)
    missing = [f for f in result.errors if f.check is CheckKind.MISSING_COLUMN]
    assert len(missing) == 1
    assert missing[0].column == "item_id"
    assert "'Item ID'" in missing[0].what
    assert "rename it to 'item_id'" in missing[0].what


def test_missing_columns_do_not_hide_cell_errors_elsewhere() -> None:
    frame = with_cell(raw_table("demand"), 3, "qty", "x").drop(columns=["location_id"])
    checks = {(f.check, f.column) for f in validate("demand", frame).errors}
    assert checks == {(CheckKind.MISSING_COLUMN, "location_id"), (CheckKind.TYPE, "qty")}


def test_header_only_file_is_an_empty_table_error() -> None:
    frame = raw_table("items").iloc[0:0]
    assert [f.check for f in validate("items", frame).errors] == [CheckKind.EMPTY_TABLE]


def test_every_failing_row_is_listed_not_only_the_first() -> None:
    frame = raw_table("demand")
    for row in (2, 5, 11, 17):
        frame = with_cell(frame, row, "qty", "-1")
    rows = [f.row for f in validate("demand", frame).errors]
    assert rows == [2, 5, 11, 17]


def test_extra_columns_are_kept_numeric_ones_as_numbers() -> None:
    frame = with_cell(raw_table("demand"), 1, "display", "1")
    frame = with_cell(frame, 1, "buyer_note", "call Ann")
    result = validate("demand", frame)
    assert result.errors == ()
    assert result.extra_columns == ("price", "promo", "display", "buyer_note")
    assert result.frame["promo"].dtype == "float64"
    assert result.frame["buyer_note"].dtype == "string"
    assert result.frame.at[1, "buyer_note"] == "call Ann"


def test_custom_date_format() -> None:
    frame = raw_table("fx_rates")
    frame["date"] = ["19/11/2026", "19/11/2026", "20/11/2026", "20/11/2026", "23/11/2026", "23/11/2026"]
    from hedgerow.contract.spec import table_spec
    from hedgerow.contract.validate import validate_frame
    from tests.contract.helpers import NOW_NAIVE

    result = validate_frame(table_spec("fx_rates"), frame, now=NOW_NAIVE, date_format="%d/%m/%Y")
    assert result.errors == ()
    assert result.frame["date"].iloc[-1] == pd.Timestamp("2026-11-23")


def test_timestamps_with_zones_are_converted_to_utc() -> None:
    frame = validate("inventory", raw_table("inventory")).frame
    # row 2 was counted at 09:00 in Tokyo (+09:00), i.e. midnight UTC
    assert frame.at[2, "counted_at"] == pd.Timestamp("2026-11-22T00:00:00")


def test_report_summary_reads_like_the_issue_example() -> None:
    from hedgerow.contract.report import ValidationReport

    frame = raw_table("demand")
    for row in (17, 18, 19):
        frame = with_cell(frame, row, "qty", "-2")
    result = validate("demand", frame)
    report = ValidationReport(table=TableName.DEMAND, source="demand.csv", rows=len(frame), findings=result.errors)
    assert "3 rows have a negative qty; first at row 17 (value '-2')" in report.summary()
    assert report.summary().startswith("demand.csv: rejected as table demand — 3 errors in 20 rows")
