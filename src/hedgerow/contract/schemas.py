"""pandera schemas derived from the contract specs.

Each column check is paired with the :class:`~hedgerow.contract.report.CheckKind` and the plain-English
problem phrase a report uses for it ("a negative qty"), so pandera's failure table maps back to findings
without parsing its check names.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

from hedgerow.contract.report import CheckKind, article
from hedgerow.contract.spec import MAX_ABS_NUMBER, ColumnSpec, ColumnType, TableSpec

_DTYPES = {
    ColumnType.STRING: "string",
    ColumnType.NUMBER: "float64",
    ColumnType.INTEGER: "float64",
    ColumnType.DATE: "datetime64[ns]",
    ColumnType.DATETIME: "datetime64[ns]",
}


@dataclass(frozen=True)
class CheckMeaning:
    """What a pandera check of a column stands for in a report."""

    kind: CheckKind
    what: str


@dataclass(frozen=True)
class ContractSchema:
    """A pandera schema for one table, and the meaning of each column's checks by position."""

    schema: pa.DataFrameSchema
    meanings: dict[str, tuple[CheckMeaning, ...]]


def _fmt(x: float) -> str:
    return f"{x:g}"


def _number_checks(col: ColumnSpec) -> list[tuple[pa.Check, CheckMeaning]]:
    out: list[tuple[pa.Check, CheckMeaning]] = []
    name = col.name
    if col.min_value is not None:
        lo = col.min_value
        if col.min_exclusive:
            what = f"{article(name)} that is zero or negative" if lo == 0 else f"{article(name)} not above {_fmt(lo)}"
            out.append((pa.Check.gt(lo), CheckMeaning(CheckKind.MIN_VALUE, what)))
        else:
            what = f"a negative {name}" if lo == 0 else f"{article(name)} below {_fmt(lo)}"
            out.append((pa.Check.ge(lo), CheckMeaning(CheckKind.MIN_VALUE, what)))
    if col.max_value is not None:
        what = f"{article(name)} above {_fmt(col.max_value)}"
        if col.max_value == 1 and col.min_value == 0:
            what = f"{article(name)} outside 0–1"
        out.append((pa.Check.le(col.max_value), CheckMeaning(CheckKind.MAX_VALUE, what)))
    out.append(
        (
            pa.Check(lambda s: s.abs() <= MAX_ABS_NUMBER),
            CheckMeaning(CheckKind.TOO_LARGE, f"{article(name)} too large to be real (beyond ±{MAX_ABS_NUMBER:g})"),
        )
    )
    if col.max_value == 1 and col.min_value == 0:
        # the MIN and MAX phrases should read alike for fractions and probabilities
        out[0] = (out[0][0], CheckMeaning(CheckKind.MIN_VALUE, f"{article(name)} outside 0–1"))
    return out


def _string_checks(col: ColumnSpec) -> list[tuple[pa.Check, CheckMeaning]]:
    out: list[tuple[pa.Check, CheckMeaning]] = []
    if col.allowed is not None:
        allowed = ", ".join(col.allowed)
        out.append(
            (
                pa.Check.isin(list(col.allowed)),
                CheckMeaning(CheckKind.ALLOWED_VALUES, f"{article(col.name)} that is not one of: {allowed}"),
            )
        )
    if col.pattern is not None:
        out.append(
            (
                pa.Check.str_matches(col.pattern),
                CheckMeaning(CheckKind.PATTERN, f"{article(col.name)} that is not a valid {col.unit}"),
            )
        )
    return out


def _date_checks(col: ColumnSpec, now: pd.Timestamp) -> list[tuple[pa.Check, CheckMeaning]]:
    if not col.not_in_future:
        return []
    return [(pa.Check.le(now), CheckMeaning(CheckKind.FUTURE_DATE, f"{article(col.name)} in the future"))]


def build_schema(spec: TableSpec, now: pd.Timestamp, present: set[str]) -> ContractSchema:
    """Build the pandera schema of ``spec`` for the contract columns ``present`` in a file.

    Parameters
    ----------
    spec:
        The table.
    now:
        The import time (UTC, naive); dates marked ``not_in_future`` must not be later.
    present:
        Contract columns the file carries; absent optional columns are not checked.
    """
    columns: dict[str, pa.Column] = {}
    meanings: dict[str, tuple[CheckMeaning, ...]] = {}
    for col in spec.columns:
        if col.name not in present:
            continue
        if col.type in (ColumnType.NUMBER, ColumnType.INTEGER):
            pairs = _number_checks(col)
        elif col.type is ColumnType.STRING:
            pairs = _string_checks(col)
        else:
            pairs = _date_checks(col, now)
        columns[col.name] = pa.Column(
            _DTYPES[col.type],
            checks=[check for check, _ in pairs],
            nullable=col.nullable,
            required=True,
        )
        meanings[col.name] = tuple(meaning for _, meaning in pairs)
    schema = pa.DataFrameSchema(columns, strict=False, name=spec.name.value)
    return ContractSchema(schema=schema, meanings=meanings)
