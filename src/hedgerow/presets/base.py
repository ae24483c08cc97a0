"""Shared pieces of the import recipes: what a mapping returns, what it may know, and checked source reading.

A preset turns a public data set into contract tables in two steps:

1. ``load(folder)`` (I/O): read the data set's files and check they are the expected data set — every file
   present, every expected column there — raising :class:`~hedgerow.errors.InputFileError` that names the
   data set, the file and the expected columns otherwise;
2. ``map_tables(raw, context)`` (pure): frames in, :class:`PresetTables` out — no files, no clock.

The import itself (temporary files, validation, atomic snapshot write, lineage) is done by
:mod:`hedgerow.services.presets` through the normal import service.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hedgerow.domain.enums import Period, TableName
from hedgerow.errors import InputFileError

#: Raw frames of a data set, keyed by file name (e.g. ``"transactions.csv.gz"``).
RawFiles = Mapping[str, pd.DataFrame]

#: Cumulative-revenue (or volume) share up to which items are class A, and B (ABC analysis).
ABC_A_SHARE = 0.80
ABC_B_SHARE = 0.95


@dataclass(frozen=True)
class PresetContext:
    """What a mapping may know about the workspace it is imported into.

    Attributes
    ----------
    base_currency:
        The workspace's base currency (ISO 4217), e.g. for FX rates quoted against it.
    period:
        The workspace's planning period (the mappings never change it; see docs/presets.md).
    """

    base_currency: str = "USD"
    period: Period = Period.WEEK


@dataclass(frozen=True)
class PresetTables:
    """What a mapping produced.

    Attributes
    ----------
    tables:
        Contract tables, in the order they are imported.
    summary:
        Counts that explain the mapping: rows read, rows written, rows dropped per reason, rows filled, ...
        (plain JSON values; shown by ``hedgerow import-preset`` and recorded nowhere else).
    """

    tables: dict[TableName, pd.DataFrame]
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SourceFile:
    """One file a data set must contain and the columns it must carry."""

    name: str
    columns: tuple[str, ...]
    read: Callable[[Path], pd.DataFrame]


@dataclass(frozen=True)
class DataSet:
    """A public data set: how people know it, the folder it usually sits in, and its files."""

    title: str
    folder: str
    files: tuple[SourceFile, ...]

    def locate(self, path: Path) -> Path:
        """The folder holding the data set's files: ``path`` itself, ``path/<folder>``, or the folder of a file.

        Raises
        ------
        InputFileError
            When neither place holds every file, naming the data set and the files expected.
        """
        candidates = [path.parent] if path.is_file() else [path, path / self.folder]
        for folder in candidates:
            if all((folder / f.name).is_file() for f in self.files):
                return folder
        expected = ", ".join(f.name for f in self.files)
        if not path.exists():
            raise InputFileError(f"{path}: no such file or folder; expected the {self.title} folder holding {expected}")
        looked = " or ".join(str(c) for c in candidates)
        missing = [f.name for f in self.files if not (candidates[0] / f.name).is_file()]
        raise InputFileError(
            f"{path}: not the {self.title} data set: expected the files {expected} in {looked}; "
            f"missing: {', '.join(missing)}"
        )

    def load(self, path: Path) -> dict[str, pd.DataFrame]:
        """Read every file of the data set and check its columns.

        Raises
        ------
        InputFileError
            When a file is missing, unreadable or lacks an expected column.
        """
        folder = self.locate(path)
        out: dict[str, pd.DataFrame] = {}
        for spec in self.files:
            file = folder / spec.name
            try:
                frame = spec.read(file)
            except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
                raise InputFileError(
                    f"{file}: cannot be read as the {self.title} file {spec.name}: {type(exc).__name__}: {exc}"
                ) from None
            require_columns(frame, spec.columns, file, self.title)
            out[spec.name] = frame
        return out


def require_columns(frame: pd.DataFrame, columns: tuple[str, ...], file: Path | str, title: str) -> None:
    """Raise :class:`InputFileError` naming what was expected when ``frame`` lacks any of ``columns``."""
    present = [str(c) for c in frame.columns]
    missing = [c for c in columns if c not in present]
    if missing:
        raise InputFileError(
            f"{file}: not the {title} file: expected the columns {', '.join(columns)}; missing: "
            f"{', '.join(missing)}; the file has: {', '.join(present) if present else 'no columns'}"
        )


def abc_classes(value: pd.Series) -> pd.Series:
    """ABC class of each entry from its share of the total ``value`` (revenue or volume).

    Entries sorted by value, largest first; those whose cumulative share *before* them is below
    :data:`ABC_A_SHARE` (80 %) are A, below :data:`ABC_B_SHARE` (95 %) B, the rest C. Counting the share
    before an entry makes the largest entry A even when it alone exceeds 80 %. Entries with zero value are C.

    Parameters
    ----------
    value:
        Non-negative value per entry (index = entry id), e.g. revenue in currency or units sold.

    Returns
    -------
    pandas.Series
        "A", "B" or "C" per entry, same index as ``value``.
    """
    ordered = value.sort_values(ascending=False, kind="mergesort")
    total = float(ordered.sum())
    if total <= 0:
        return pd.Series("C", index=value.index, dtype="object")
    before = (ordered.cumsum() - ordered) / total
    classes = np.where(before < ABC_A_SHARE, "A", np.where(before < ABC_B_SHARE, "B", "C"))
    classes = np.where(ordered.to_numpy() > 0, classes, "C")
    return pd.Series(classes, index=ordered.index, dtype="object").reindex(value.index)


def slug(text: str) -> str:
    """An identifier from free text: upper-case letters and digits joined by single hyphens."""
    out: list[str] = []
    word = []
    for ch in text.upper():
        if ch.isascii() and ch.isalnum():
            word.append(ch)
        elif word:
            out.append("".join(word))
            word = []
    if word:
        out.append("".join(word))
    return "-".join(out)
