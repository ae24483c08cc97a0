"""Data lineage for explanations: which snapshots a plan used and how fresh their data was on the as-of date."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from hedgerow.domain.plan import DataFreshness
from hedgerow.plan.problem import DataSource


def freshness(sources: Sequence[DataSource], as_of: date, snapshots: Mapping[str, str]) -> tuple[DataFreshness, ...]:
    """One entry per input table: its snapshot hash, the age of its newest data (days before ``as_of``) and
    whether that age exceeds the table's staleness threshold.

    Tables known only from the scenario set's ``snapshots`` (no lineage record) are listed with unknown age.
    """
    out: dict[str, DataFreshness] = {}
    for src in sources:
        stamp = src.latest_record_at or src.imported_at
        age = None if stamp is None else max((as_of - stamp.date()).days, 0)
        stale = bool(age is not None and src.stale_after_days is not None and age > src.stale_after_days)
        out[src.table] = DataFreshness(
            table=src.table,
            snapshot_sha256=src.snapshot_sha256,
            age_days=None if age is None else float(age),
            stale=stale,
            latest_record_at=stamp.isoformat() if stamp is not None else None,
        )
    for table, sha in snapshots.items():
        if table not in out:
            out[table] = DataFreshness(table=table, snapshot_sha256=sha, age_days=None, stale=False)
    return tuple(out[t] for t in sorted(out))
