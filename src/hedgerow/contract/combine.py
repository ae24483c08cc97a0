"""Combine an imported table with the current snapshot of its table: replace, append or upsert.

Pure: the table's spec, its current frame and the imported frame in; the combined frame and an account of
what the import adds, replaces and removes out. The import service refuses an append that meets existing
keys and a replace that would lose history unless forced (docs/imports.md):

- ``upsert`` (every table's default): rows with a new key are added, a row whose key is already in the table
  replaces it; nothing is removed.
- ``append``: rows are added; a key already in the table is a conflict (use upsert to correct rows).
- ``replace``: the file becomes the whole table. It is *destructive* when the table shrinks to less than half
  its rows, or when a table that keeps history loses dates it had.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from hedgerow.contract.spec import TableSpec
from hedgerow.domain.enums import ImportMode

#: A replace that leaves fewer than this share of the table's rows needs ``--force``.
MIN_KEPT_SHARE = 0.5
#: Keys quoted as examples in a message.
EXAMPLES = 3


@dataclass(frozen=True)
class Combined:
    """The table after an import, and what the import did to it.

    Attributes
    ----------
    frame:
        The new current table.
    mode:
        How it was combined.
    before_rows:
        Rows of the table before the import (0 when it was never imported).
    added, replaced, removed:
        Rows whose key was new; rows that replaced a row with the same key; rows of the old table whose key
        the new table no longer has (replace only).
    removed_examples:
        Up to :data:`EXAMPLES` removed keys as ``column=value`` text.
    dropped_dates:
        Days of history the old table had and the new one has not (replace of a history table only), sorted.
    conflicts, conflict_examples:
        Rows of an append whose key is already in the table, and examples of their keys.
    """

    frame: pd.DataFrame
    mode: ImportMode
    before_rows: int
    added: int
    replaced: int
    removed: int
    removed_examples: tuple[str, ...] = ()
    dropped_dates: tuple[pd.Timestamp, ...] = ()
    conflicts: int = 0
    conflict_examples: tuple[str, ...] = ()

    @property
    def destructive(self) -> bool:
        """True when a replace would lose more than half the rows or dates of history (needs ``--force``)."""
        if self.mode is not ImportMode.REPLACE or self.before_rows == 0:
            return False
        return len(self.frame) < MIN_KEPT_SHARE * self.before_rows or bool(self.dropped_dates)

    def loss_text(self) -> str:
        """What a replace removes, in words: rows, examples of keys, dates of history."""
        parts = [f"removes {self.removed:,} of {self.before_rows:,} rows"]
        if self.removed_examples:
            parts[0] += f" (e.g. {'; '.join(self.removed_examples)})"
        if self.dropped_dates:
            first, last = self.dropped_dates[0].date(), self.dropped_dates[-1].date()
            span = f"{first}" if first == last else f"{first} … {last}"
            parts.append(f"drops {len(self.dropped_dates):,} dates of history ({span})")
        parts.append(f"leaves {len(self.frame):,} rows")
        return ", ".join(parts)


def _keys(spec: TableSpec, frame: pd.DataFrame) -> pd.MultiIndex:
    return pd.MultiIndex.from_frame(frame[list(spec.key)].astype(object))


def _key_text(spec: TableSpec, key: tuple[object, ...]) -> str:
    def one(value: object) -> str:
        if isinstance(value, pd.Timestamp):
            return value.isoformat() if value != value.normalize() else str(value.date())
        return str(value)

    return ", ".join(f"{name}={one(value)}" for name, value in zip(spec.key, key, strict=True))


def _examples(spec: TableSpec, keys: pd.MultiIndex) -> tuple[str, ...]:
    return tuple(_key_text(spec, tuple(k)) for k in keys[:EXAMPLES])


def _days(spec: TableSpec, frame: pd.DataFrame) -> set[pd.Timestamp]:
    assert spec.date_column is not None
    values = pd.to_datetime(frame[spec.date_column]).dropna().dt.normalize()
    return set(values.unique())


def combine(spec: TableSpec, current: pd.DataFrame | None, new: pd.DataFrame, mode: ImportMode) -> Combined:
    """Combine ``new`` with the table's ``current`` frame as ``mode`` says (see the module docstring).

    Parameters
    ----------
    spec:
        The table's contract spec (its key and date column).
    current:
        The table's current snapshot, or None when it was never imported.
    new:
        The validated, typed imported frame.
    mode:
        How to combine them.

    Returns
    -------
    Combined
        The new table and the account of the change; a conflicting append carries ``conflicts`` > 0 and the
        caller must refuse it.
    """
    new = new.reset_index(drop=True)
    if current is None or current.empty:
        added = len(_keys(spec, new).drop_duplicates())
        return Combined(frame=new, mode=mode, before_rows=0, added=added, replaced=0, removed=0)
    current = current.reset_index(drop=True)
    old_keys = _keys(spec, current)
    new_keys = _keys(spec, new)
    existing = new_keys.isin(old_keys)
    unique_new = new_keys.drop_duplicates()
    added = int((~unique_new.isin(old_keys)).sum())
    replaced = len(unique_new) - added
    if mode is ImportMode.REPLACE:
        gone = ~old_keys.isin(new_keys)
        dropped: tuple[pd.Timestamp, ...] = ()
        if spec.keeps_history:
            dropped = tuple(sorted(_days(spec, current) - _days(spec, new)))
        return Combined(
            frame=new,
            mode=mode,
            before_rows=len(current),
            added=added,
            replaced=replaced,
            removed=int(gone.sum()),
            removed_examples=_examples(spec, old_keys[gone]),
            dropped_dates=dropped,
        )
    if mode is ImportMode.APPEND and existing.any():
        return Combined(
            frame=current,
            mode=mode,
            before_rows=len(current),
            added=0,
            replaced=0,
            removed=0,
            conflicts=int(existing.sum()),
            conflict_examples=_examples(spec, new_keys[existing]),
        )
    merged = pd.concat([current, new], ignore_index=True)
    merged = merged.drop_duplicates(subset=list(spec.key), keep="last").reset_index(drop=True)
    return Combined(
        frame=merged,
        mode=mode,
        before_rows=len(current),
        added=added,
        replaced=replaced,
        removed=0,
    )
