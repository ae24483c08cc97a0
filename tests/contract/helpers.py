"""Helpers to load fixture tables and break them one cell at a time."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hedgerow.contract.readers import read_table_file
from hedgerow.contract.spec import table_spec
from hedgerow.contract.validate import TypedTable, validate_frame
from tests.conftest import NETWORK, NOW

NOW_NAIVE = pd.Timestamp(NOW).tz_convert("UTC").tz_localize(None)


def raw_table(table: str) -> pd.DataFrame:
    """The fixture network's raw (text) frame of ``table``, indexed by 1-based row number."""
    return read_table_file(NETWORK / f"{table}.csv").frame


def with_cell(frame: pd.DataFrame, row: int, column: str, value: object) -> pd.DataFrame:
    """A copy of ``frame`` with one cell replaced (adds the column when absent)."""
    out = frame.copy()
    if column not in out.columns:
        out[column] = pd.NA
    out[column] = out[column].astype(object)
    out.at[row, column] = value
    return out


def validate(table: str, frame: pd.DataFrame) -> TypedTable:
    """Validate ``frame`` as ``table`` at the fixture network's pinned time."""
    return validate_frame(table_spec(table), frame, now=NOW_NAIVE)


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write a raw frame as CSV (no index) and return the path."""
    frame.to_csv(path, index=False)
    return path
