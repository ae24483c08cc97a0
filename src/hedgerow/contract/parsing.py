"""Parse raw cells into the contract's logical types, collecting every cell that cannot be parsed.

Pure functions: a raw column in, a typed column and the failing rows out. Parsing is separate from the
range and membership checks (:mod:`hedgerow.contract.schemas`) so that a report says "not a number" once
for a cell, rather than a type error followed by confusing range failures on the same cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd

from hedgerow.contract.spec import ColumnSpec, ColumnType

_EXPECTED = {
    ColumnType.STRING: "text",
    ColumnType.NUMBER: "a number",
    ColumnType.INTEGER: "a whole number",
    ColumnType.DATE: "a date (YYYY-MM-DD)",
    ColumnType.DATETIME: "a date-time (YYYY-MM-DDTHH:MM:SS, UTC unless a zone is given)",
}


#: A number written with a decimal comma or thousands separators: ``12,50``, ``1,200``, ``1.200,50``.
_COMMA_NUMBER = re.compile(r"^[+-]?\d{1,3}([.,\s']\d{3})*(,\d+)?$|^[+-]?\d+,\d+$")
#: A day-first or month-first date: ``30/11/2026``, ``11-30-2026``, ``30.11.26``.
_NUMERIC_DATE = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})$")


#: The first and last day hedgerow stores: typed frames hold nanosecond timestamps, whose range (1677-09-21
#: 00:12 to 2262-04-11 23:47) these whole days lie inside. A date outside is rejected, never wrapped or clipped.
#: (Microsecond timestamps, so that the day after the last one can be compared with.)
FIRST_DAY, LAST_DAY = pd.Timestamp(datetime(1677, 9, 22)), pd.Timestamp(datetime(2262, 4, 11))
_AFTER_LAST_DAY = pd.Timestamp(datetime(2262, 4, 12))
#: How a report names the range.
DATE_RANGE_TEXT = f"the dates hedgerow stores ({FIRST_DAY.date()} to {LAST_DAY.date()})"


@dataclass(frozen=True)
class ParsedColumn:
    """A column in its logical type, the rows (frame index labels) whose cells could not be parsed, and a hint
    on how to fix them when their form is recognised (a decimal comma, a day-first date).

    ``out_of_range_rows`` are date cells that are real dates outside :data:`FIRST_DAY` .. :data:`LAST_DAY`
    (year 1500, 2500, 9999): they are NA in ``values`` and not in ``bad_rows``, so that a report says what is
    wrong with them rather than "not a date".
    """

    values: pd.Series
    bad_rows: pd.Index
    expected: str
    hint: str = ""
    out_of_range_rows: pd.Index = field(default_factory=lambda: pd.Index([]))


def number_hint(bad: pd.Series) -> str:
    """How to fix numbers written with a decimal comma or thousands separators ("" when none is)."""
    if not bad.astype(str).str.strip().str.fullmatch(_COMMA_NUMBER.pattern).any():
        return ""
    return "the decimal separator is a dot and numbers carry no thousands separator (12.50, 1200)"


def date_hint(bad: pd.Series) -> str:
    """The ``--date-format`` that reads day-first or month-first dates ("" when the cells are no such dates)."""
    found = bad.astype(str).str.strip().str.extract(_NUMERIC_DATE.pattern)
    found = found.dropna()
    if found.empty:
        return ""
    sep = str(found[1].iloc[0])
    year = "%Y" if len(str(found[3].iloc[0])) == 4 else "%y"
    first, second = found[0].astype(int), found[2].astype(int)
    day_first, month_first = f"%d{sep}%m{sep}{year}", f"%m{sep}%d{sep}{year}"
    if (first > 12).any():
        return f"the dates are day-first: import with --date-format {day_first}"
    if (second > 12).any():
        return f"the dates are month-first: import with --date-format {month_first}"
    return f"name the order of the dates: --date-format {day_first} (day first) or {month_first} (month first)"


def _as_text(raw: pd.Series) -> pd.Series:
    """Cells as stripped text with missing cells as NA; whole floats from spreadsheets lose their '.0'."""

    def one(v: object) -> object:
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT or v is pd.NA:
            return pd.NA
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        text = str(v).strip()
        return text if text else pd.NA

    return raw.map(one).astype("string")


def _parse_number(raw: pd.Series, integer: bool) -> tuple[pd.Series, pd.Index]:
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        values = raw.astype("float64")
        bad = pd.Index([])
    else:
        text = _as_text(raw)
        values = pd.to_numeric(text, errors="coerce").astype("float64")
        bad = raw.index[text.notna() & values.isna()]
    # inf parses as a number but is never a real quantity or price: report it as unparseable
    inf = np.isinf(values.to_numpy())
    if inf.any():
        bad = bad.union(raw.index[inf])
        values = values.mask(inf)
    if integer:
        frac = values.notna() & (values != np.floor(values.fillna(0)))
        bad = bad.union(raw.index[frac])
        values = values.mask(frac)
    return values, bad


def _is_date_outside_range(cell: object) -> bool:
    """Whether a cell pandas could not parse is an ISO 8601 date (any year 1-9999) outside the stored range."""
    try:
        when = datetime.fromisoformat(str(cell).strip()).replace(tzinfo=None)
    except ValueError:
        return False
    return when < FIRST_DAY.to_pydatetime() or when.date() > LAST_DAY.date()


def _parse_dates(raw: pd.Series, kind: ColumnType, date_format: str | None) -> tuple[pd.Series, pd.Index, pd.Index]:
    """Dates as naive UTC ``datetime64[ns]``, the unparseable rows and the rows of dates outside the range."""
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        values = raw  # typed (Parquet): any unit, possibly zoned, possibly beyond the nanosecond range
        bad = pd.Index([])
        outside_text = pd.Index([])
    else:
        text = _as_text(raw)
        fmt = date_format or "ISO8601"
        try:
            values = pd.to_datetime(text, format=fmt, errors="coerce", utc=True)
        except (ValueError, TypeError):  # mixed zone-aware and naive values
            values = pd.Series(
                [pd.to_datetime(v, format=fmt, errors="coerce", utc=True) for v in text], index=text.index
            )
            values = pd.to_datetime(values, utc=True)
        failed = raw.index[text.notna() & values.isna()]
        outside_text = pd.Index([row for row in failed if _is_date_outside_range(text.at[row])])
        bad = failed[~failed.isin(outside_text)]
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_convert("UTC").dt.tz_localize(None)
    outside = values.notna() & ((values < FIRST_DAY) | (values >= _AFTER_LAST_DAY))
    values = values.mask(outside).astype("datetime64[ns]")
    if kind is ColumnType.DATE:
        values = values.dt.normalize()
    return values, bad, outside_text.union(raw.index[outside.to_numpy()])


def parse_column(raw: pd.Series, spec: ColumnSpec, *, date_format: str | None = None) -> ParsedColumn:
    """Parse one raw column to the logical type of ``spec``.

    Parameters
    ----------
    raw:
        Cells as read (text for CSV; typed values for XLSX and Parquet).
    spec:
        The contract column.
    date_format:
        strptime format of date cells when they are not ISO 8601 (e.g. ``%d/%m/%Y``).

    Returns
    -------
    ParsedColumn
        Values as ``string``, ``float64`` or ``datetime64[ns]`` (UTC, naive) with NA where a cell was empty,
        unparseable or a date outside the stored range, and the index labels of those cells.
    """
    expected = _EXPECTED[spec.type]
    if spec.type is ColumnType.STRING:
        text = _as_text(raw)
        return ParsedColumn(text.str.upper() if spec.upper_case else text, pd.Index([]), expected)
    if spec.type in (ColumnType.NUMBER, ColumnType.INTEGER):
        values, bad = _parse_number(raw, integer=spec.type is ColumnType.INTEGER)
        return ParsedColumn(values, bad, expected, number_hint(raw.loc[bad]) if len(bad) else "")
    values, bad, outside = _parse_dates(raw, spec.type, date_format)
    if date_format is not None:
        expected = f"a date in the format {date_format}"
    hint = date_hint(raw.loc[bad]) if len(bad) and date_format is None else ""
    return ParsedColumn(values, bad, expected, hint, out_of_range_rows=outside)


def parse_extra_column(raw: pd.Series) -> pd.Series:
    """Keep an extra (non-contract) column: numeric when every non-empty cell is a number, else text."""
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        return raw.astype("float64")
    if pd.api.types.is_bool_dtype(raw.dtype):
        return raw.astype("float64")
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        return raw
    text = _as_text(raw)
    numbers = pd.to_numeric(text, errors="coerce")
    if bool((text.isna() | numbers.notna()).all()) and text.notna().any():
        return numbers.astype("float64")
    return text
