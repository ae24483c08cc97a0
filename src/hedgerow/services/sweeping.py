"""Sweep the snapshot store of files no ledger row names: what a process killed mid-import leaves behind.

An import writes its snapshot files first and records them in one ledger transaction after; a kill between the
two (or inside a write, before the rename) leaves a snapshot, its facts or a ``.tmp-`` file that nothing refers
to. :func:`sweep_orphans` removes every such file older than :data:`ORPHAN_GRACE`. It runs under the ledger's
write lock, so no import can record a snapshot between the moment the sweep reads what the ledger names and the
moment it deletes; an import re-checks its files under that same lock before it records them
(:mod:`hedgerow.services.importing`), so a snapshot it found already on disk and the sweep then removed is written
again. The grace period keeps the files of an import in flight in another process (still being written or
validated, not yet recorded) out of reach. A file a ledger row names is never removed, whatever its age.

An accepted import sweeps before it writes, and ``hedgerow imports sweep`` sweeps on demand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from hedgerow.domain.enums import TableName
from hedgerow.services.audit import lock_ledger
from hedgerow.services.workspace import Workspace
from hedgerow.store.decide_models import PlanRow, ReconciliationRow
from hedgerow.store.lineage_models import ImportRecord
from hedgerow.store.snapshots import StoredFile

#: How old an unreferenced file must be before a sweep removes it: far longer than any import takes between
#: writing its first snapshot and recording it, so an import in flight in another process is never touched.
ORPHAN_GRACE: Final = timedelta(hours=1)


@dataclass(frozen=True)
class SweepOutcome:
    """What a sweep found: the files it removed, the unreferenced files too recent to remove, the files kept."""

    removed: tuple[Path, ...]
    recent: tuple[Path, ...]
    referenced_files: int
    bytes_freed: int

    def to_dict(self) -> dict[str, Any]:
        """JSON form (paths as text)."""
        return {
            "removed": [str(p) for p in self.removed],
            "recent": [str(p) for p in self.recent],
            "referenced_files": self.referenced_files,
            "bytes_freed": self.bytes_freed,
        }


def referenced_snapshots(session: Session) -> set[tuple[TableName, str]]:
    """Every (table, SHA-256) a ledger row names: imports and reverts, the data of plans, reconciled counts."""
    named: set[tuple[TableName, str]] = {
        (TableName(table), sha)
        for table, sha in session.execute(select(ImportRecord.table_name, ImportRecord.snapshot_sha256).distinct())
    }
    tables = {t.value for t in TableName}
    for snapshots_json in session.scalars(select(PlanRow.snapshots_json)):
        for key, sha in json.loads(snapshots_json).items():
            if key in tables:  # a plan also names its settings digest and the ledger's holds, which are not files
                named.add((TableName(key), str(sha)))
    for sha in session.scalars(select(ReconciliationRow.inventory_snapshot).distinct()):
        named.add((TableName.INVENTORY, sha))
    return named


def _orphan(file: StoredFile, named: set[tuple[TableName, str]]) -> bool:
    return file.sha256 is None or (file.table, file.sha256) not in named


def sweep_orphans(ws: Workspace, *, now: datetime, grace: timedelta = ORPHAN_GRACE) -> SweepOutcome:
    """Remove the snapshot store's files that no ledger row names and that were last modified before
    ``now - grace``.

    Parameters
    ----------
    ws:
        The workspace.
    now:
        The wall-clock time (timezone-aware) the files' modification times are compared with; not a pinned
        business date.
    grace:
        How old an unreferenced file must be to be removed (default :data:`ORPHAN_GRACE`); must not be negative.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if grace < timedelta(0):
        raise ValueError(f"grace must not be negative, got {grace}; the default is {ORPHAN_GRACE}")
    cutoff = now - grace
    store = ws.snapshots
    removed: list[Path] = []
    recent: list[Path] = []
    freed = 0
    with ws.session() as session, session.begin():
        lock_ledger(session)  # no import records a snapshot between the read below and the deletes
        named = referenced_snapshots(session)
        files = store.files()
        for file in files:
            if not _orphan(file, named):
                continue
            if file.modified > cutoff:
                recent.append(file.path)
                continue
            store.remove(file)
            removed.append(file.path)
            freed += file.size_bytes
    return SweepOutcome(
        removed=tuple(removed),
        recent=tuple(recent),
        referenced_files=len(files) - len(removed) - len(recent),
        bytes_freed=freed,
    )
