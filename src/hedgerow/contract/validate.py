"""Validate a raw table against the contract: lazy and complete, every failing cell in one report.

Pure: a raw frame, the table spec and the import time in; a typed frame and the error findings out. Data
quality warnings (duplicates, gaps, unknown references, ...) are computed afterwards by
:mod:`hedgerow.contract.quality` on the typed frame.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from difflib import get_close_matches

import pandas as pd
import pandera.pandas as pa

from hedgerow.contract.parsing import DATE_RANGE_TEXT, parse_column, parse_extra_column
from hedgerow.contract.report import CheckKind, Finding, article, shortened, value_text
from hedgerow.contract.schemas import build_schema
from hedgerow.contract.spec import TableSpec
from hedgerow.domain.enums import Severity


@dataclass(frozen=True)
class TypedTable:
    """A table parsed to its logical types, and the errors that reject it (empty when it is valid).

    ``frame`` has the contract columns first, in contract order, then the extra columns in file order; its
    index is the 1-based data row number in the source file.
    """

    frame: pd.DataFrame
    errors: tuple[Finding, ...]
    extra_columns: tuple[str, ...]


#: Column names listed in a missing-column message, and characters kept of each.
LISTED_COLUMNS, COLUMN_NAME_CHARS = 20, 40


def _column_list(columns: list[str]) -> str:
    if not columns:
        return "none"
    shown = ", ".join(shortened(c, COLUMN_NAME_CHARS) for c in columns[:LISTED_COLUMNS])
    return shown + (f" and {len(columns) - LISTED_COLUMNS:,} more" if len(columns) > LISTED_COLUMNS else "")


def _missing_column_findings(spec: TableSpec, columns: list[str]) -> list[Finding]:
    out = []
    lowered = {c.lower().replace(" ", "_"): c for c in columns}
    found = _column_list(columns)
    for name in spec.required_columns:
        if name in columns:
            continue
        near = lowered.get(name) or next(iter(get_close_matches(name, columns, n=1, cutoff=0.75)), None)
        hint = f" (the file has {shortened(near, COLUMN_NAME_CHARS)!r}; rename it to {name!r})" if near else ""
        out.append(
            Finding(
                check=CheckKind.MISSING_COLUMN,
                severity=Severity.ERROR,
                what=f"required column {name!r} is missing{hint}; the file's columns are: {found}",
                column=name,
            )
        )
    return out


def _schema_findings(
    spec: TableSpec, typed: pd.DataFrame, raw: pd.DataFrame, now: pd.Timestamp, skip: set[tuple[str, int]]
) -> list[Finding]:
    present = {c.name for c in spec.columns if c.name in typed.columns}
    contract = build_schema(spec, now, present)
    try:
        with warnings.catch_warnings():
            # pandera concatenates its failure tables with all-NA columns; pandas 2.x warns about a future
            # change of the result dtypes, which does not affect the failure values we read.
            warnings.filterwarnings("ignore", "The behavior of DataFrame concatenation", FutureWarning)
            contract.schema.validate(typed, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return []
    out: list[Finding] = []
    for case in cases.itertuples(index=False):
        column = str(case.column)
        row = None if pd.isna(case.index) else int(case.index)
        if row is not None and (column, row) in skip:
            continue  # the cell was reported as unparseable already
        if case.check == "not_nullable":
            kind, what = CheckKind.REQUIRED, f"an empty {column}"
        elif case.check_number is not None and not pd.isna(case.check_number):
            meaning = contract.meanings[column][int(case.check_number)]
            kind, what = meaning.kind, meaning.what
        else:  # pragma: no cover - dtype failures cannot happen after parsing
            kind, what = CheckKind.TYPE, f"{article(column)} of the wrong type ({case.check})"
        out.append(
            Finding(
                check=kind,
                severity=Severity.ERROR,
                what=what,
                column=column,
                row=row,
                value=value_text(raw.at[row, column] if row is not None else case.failure_case),
            )
        )
    return out


def validate_frame(
    spec: TableSpec, raw: pd.DataFrame, *, now: pd.Timestamp, date_format: str | None = None
) -> TypedTable:
    """Parse and check a raw table against ``spec``.

    Parameters
    ----------
    spec:
        The contract table.
    raw:
        The frame as read; its index must be the 1-based data row number.
    now:
        Import time, UTC (naive or aware); dates marked ``not_in_future`` must not be later.
    date_format:
        strptime format of date cells that are not ISO 8601.

    Returns
    -------
    TypedTable
        The typed frame and every error finding, in the order: structure, unparseable cells, checks.
    """
    if now.tzinfo is not None:
        now = now.tz_convert("UTC").tz_localize(None)
    columns = [str(c) for c in raw.columns]
    errors: list[Finding] = _missing_column_findings(spec, columns)
    if len(raw) == 0:
        errors.append(Finding(check=CheckKind.EMPTY_TABLE, severity=Severity.ERROR, what="the file has no data rows"))
    typed: dict[str, pd.Series] = {}
    unparseable: set[tuple[str, int]] = set()
    for col in spec.columns:
        if col.name not in raw.columns:
            continue
        parsed = parse_column(raw[col.name], col, date_format=date_format)
        typed[col.name] = parsed.values
        for row in parsed.bad_rows:
            unparseable.add((col.name, int(row)))
            errors.append(
                Finding(
                    check=CheckKind.TYPE,
                    severity=Severity.ERROR,
                    what=f"{article(col.name)} that is not {parsed.expected}"
                    + (f"; {parsed.hint}" if parsed.hint else ""),
                    column=col.name,
                    row=int(row),
                    value=value_text(raw.at[row, col.name]),
                )
            )
        for row in parsed.out_of_range_rows:
            unparseable.add((col.name, int(row)))
            errors.append(
                Finding(
                    check=CheckKind.DATE_OUT_OF_RANGE,
                    severity=Severity.ERROR,
                    what=f"{article(col.name)} outside {DATE_RANGE_TEXT}",
                    column=col.name,
                    row=int(row),
                    value=value_text(raw.at[row, col.name]),
                )
            )
    extra = tuple(c for c in columns if c not in spec.column_by_name)
    for name in extra:
        typed[name] = parse_extra_column(raw[name])
    frame = pd.DataFrame(typed, index=raw.index)
    if len(raw):
        errors.extend(_schema_findings(spec, frame, raw, now, unparseable))
    return TypedTable(frame=frame, errors=tuple(errors), extra_columns=extra)
