"""Validation reports: every failing row, column, check and value of a table, and a plain-English summary.

Rows are numbered from 1 for the first row under the header (the first data row of a Parquet file), so
"row 17" is the 17th record whatever the format. A report is a frozen value; it is produced by pure
functions and rendered by the CLI (rich table), the API (JSON) and the web UI.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import pandas as pd

from hedgerow.domain.enums import Severity, TableName

#: How many characters of a failing value a report keeps.
MAX_VALUE_CHARS = 80


class CheckKind(StrEnum):
    """The checks a table can fail. Errors reject an import; the rest are data-quality warnings."""

    # structural errors: the file as a whole
    MISSING_COLUMN = "missing_column"
    EMPTY_TABLE = "empty_table"
    # cell errors
    TYPE = "type"
    REQUIRED = "required"
    MIN_VALUE = "min_value"
    MAX_VALUE = "max_value"
    ALLOWED_VALUES = "allowed_values"
    PATTERN = "pattern"
    FUTURE_DATE = "future_date"
    DATE_OUT_OF_RANGE = "date_out_of_range"
    TOO_LARGE = "too_large"
    # implausible exchange rates (contract/fx_checks.py): errors, or warnings when the import accepts them
    FX_JUMP = "fx_jump"
    FX_OUT_OF_BAND = "fx_out_of_band"
    # data-quality warnings
    DUPLICATE_KEY = "duplicate_key"
    UNKNOWN_REFERENCE = "unknown_reference"
    DEMAND_GAP = "demand_gap"
    IRREGULAR_PERIOD = "irregular_period"
    DELIVERED_BEFORE_SHIPPED = "delivered_before_shipped"
    ETA_BEFORE_SHIPPED = "eta_before_shipped"
    STALE_COUNT = "stale_count"
    STALE_FEED = "stale_feed"
    OUTLIER = "outlier"
    EXPIRED_HOLD = "expired_hold"
    NO_SCOPE = "no_scope"


@dataclass(frozen=True)
class Finding:
    """One failing cell, row or table.

    Attributes
    ----------
    check:
        Which check failed.
    severity:
        ``error`` rejects the import; ``warning`` is kept and lowers the table's trust score.
    what:
        The problem as a noun phrase shared by every finding of the same check and column, e.g.
        ``"a negative qty"``; summaries read "412 rows have a negative qty".
    column:
        The column concerned, or None for table-level findings.
    row:
        1-based data row (header excluded), or None for table-level findings.
    value:
        The failing value as text (truncated to 80 characters), or None.
    """

    check: CheckKind
    severity: Severity
    what: str
    column: str | None = None
    row: int | None = None
    value: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return {
            "check": self.check.value,
            "severity": self.severity.value,
            "what": self.what,
            "column": self.column,
            "row": self.row,
            "value": self.value,
        }


def article(noun: str) -> str:
    """``noun`` with its indefinite article: "an item_id", "a qty"."""
    return f"{'an' if noun[:1].lower() in 'aeio' else 'a'} {noun}"


def shortened(text: str, limit: int = MAX_VALUE_CHARS) -> str:
    """``text`` cut to ``limit`` characters, saying how long it was (a 4 KB "column name" is not echoed whole)."""
    return text if len(text) <= limit else f"{text[: limit - 1]}… ({len(text):,} characters)"


def value_text(value: Any) -> str | None:
    """Render a failing value for a report: None for missing, text truncated to :data:`MAX_VALUE_CHARS`.

    Timestamps at midnight print as dates (``2026-10-26``), whole floats without ``.0``.
    """
    if value is None:
        return None
    try:
        if value != value:  # NaN and NaT
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, pd.Timestamp | datetime):
        ts = pd.Timestamp(value)
        text = ts.date().isoformat() if ts == ts.normalize() else ts.isoformat()
    elif isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        text = str(int(value))
    else:
        text = str(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


@dataclass(frozen=True)
class FindingGroup:
    """All findings sharing a check, column and problem: the unit of a summary line."""

    check: CheckKind
    severity: Severity
    what: str
    column: str | None
    count: int
    first_row: int | None
    examples: tuple[str, ...]

    def sentence(self) -> str:
        """Plain-English line, e.g. ``412 rows have a negative qty; first at row 17 (value -3)``."""
        if self.first_row is None:
            return self.what[0].upper() + self.what[1:]
        verb = "row has" if self.count == 1 else "rows have"
        text = f"{self.count:,} {verb} {self.what}; first at row {self.first_row}"
        if self.examples:
            text += f" (value {self.examples[0]!r})"
        return text


@dataclass(frozen=True)
class ValidationReport:
    """Everything found in one table of one file.

    Attributes
    ----------
    table:
        Contract table the file was validated as.
    source:
        Name of the file (or sheet) read.
    rows:
        Data rows read.
    findings:
        Every error and warning, in row order within each check.
    trust_score:
        0–100: share of rows free of data-quality warnings (see :mod:`hedgerow.contract.quality`); None
        when the table was rejected.
    """

    table: TableName
    source: str
    rows: int
    findings: tuple[Finding, ...] = ()
    trust_score: float | None = None
    groups: tuple[FindingGroup, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "groups", _group(self.findings))

    @property
    def errors(self) -> tuple[Finding, ...]:
        """Findings that reject the import."""
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """Data-quality findings that are kept and lower trust."""
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    @property
    def ok(self) -> bool:
        """True when nothing rejects the table."""
        return not self.errors

    def warning_counts(self) -> dict[str, int]:
        """Number of warning findings per check."""
        return dict(Counter(f.check.value for f in self.warnings))

    def summary(self) -> str:
        """Plain-English summary headed by the verdict, one line per kind of problem."""
        n_err, n_warn = len(self.errors), len(self.warnings)
        if n_err:
            head = (
                f"{self.source}: rejected as table {self.table.value} — {n_err:,} "
                f"error{'s' if n_err != 1 else ''} in {self.rows:,} row{'s' if self.rows != 1 else ''}; "
                "nothing was imported."
            )
        else:
            head = f"{self.source}: {self.rows:,} row{'s' if self.rows != 1 else ''} valid as table {self.table.value}"
            head += f" with {n_warn:,} warning{'s' if n_warn != 1 else ''}." if n_warn else "."
        severity_order = {Severity.ERROR: 0, Severity.WARNING: 1}
        lines = [head] + [
            f"  {'error' if g.severity is Severity.ERROR else 'warning'}: {g.sentence()}"
            for g in sorted(self.groups, key=lambda g: severity_order[g.severity])
        ]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: verdict, summary, groups and every finding."""
        return {
            "table": self.table.value,
            "source": self.source,
            "rows": self.rows,
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "trust_score": self.trust_score,
            "summary": self.summary(),
            "groups": [
                {
                    "check": g.check.value,
                    "severity": g.severity.value,
                    "column": g.column,
                    "what": g.what,
                    "count": g.count,
                    "first_row": g.first_row,
                    "sentence": g.sentence(),
                }
                for g in self.groups
            ],
            "findings": [f.to_dict() for f in self.findings],
        }


def _group(findings: tuple[Finding, ...]) -> tuple[FindingGroup, ...]:
    order: dict[tuple[CheckKind, Severity, str, str | None], list[Finding]] = {}
    for f in findings:
        order.setdefault((f.check, f.severity, f.what, f.column), []).append(f)
    groups = []
    for (check, severity, what, column), members in order.items():
        members.sort(key=lambda m: m.row if m.row is not None else 0)
        rows = [m.row for m in members if m.row is not None]
        examples = tuple(m.value for m in members if m.value is not None)[:3]
        groups.append(
            FindingGroup(
                check=check,
                severity=severity,
                what=what,
                column=column,
                count=len(members),
                first_row=min(rows) if rows else None,
                examples=examples,
            )
        )
    return tuple(groups)
