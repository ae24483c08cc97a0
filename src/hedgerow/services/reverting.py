"""`hedgerow imports revert IMPORT_ID`: make the snapshot that was current before an import current again.

Recorded snapshots are never deleted, so nothing an import replaced is lost: a revert records a new lineage row (mode
``revert``) pointing at the earlier snapshot, with the same source, rows and trust score, and an ``import``
audit event naming the import it reverts and the one it restores. A revert is itself an import on record, so
it can be reverted in turn.

Reverting an import that later imports of the same table built on would undo them too: that needs ``force``.
Ledger holds are authoritative (docs/ledger.md) and are not changed by reverting a holds import.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import select

from hedgerow.decide.auditchain import EventKind
from hedgerow.domain.enums import TableName
from hedgerow.errors import ImportConflict, NotFound, SnapshotError
from hedgerow.services.audit import append_event, ledger_write
from hedgerow.services.workspace import Workspace
from hedgerow.store.models import ImportRecord

#: Lineage mode of a revert's record (the import modes are :class:`~hedgerow.domain.enums.ImportMode`).
REVERT_MODE: Final = "revert"


@dataclass(frozen=True)
class Reverted:
    """What a revert did: which import it undid, which snapshot it restored, and its own lineage record."""

    table: TableName
    reverted_import_id: int
    restored_import_id: int
    import_id: int
    snapshot_sha256: str
    rows_before: int
    rows: int
    undone_later: tuple[int, ...]


def revert_import(ws: Workspace, import_id: int, *, user: str, now: datetime, force: bool = False) -> Reverted:
    """Make the snapshot that was current just before import ``import_id`` the table's current one.

    Parameters
    ----------
    ws:
        The workspace.
    import_id:
        The lineage id of the import to undo (``hedgerow imports`` lists them).
    user, now:
        Who reverts and when (timezone-aware), for lineage and the audit chain.
    force:
        Also undo the later imports of the same table that came after ``import_id``.

    Raises
    ------
    NotFound
        When no import has that id.
    ImportConflict
        When the import was its table's first (nothing to restore), or later imports of the table would be
        undone too and ``force`` is not given.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    with ledger_write(ws, actor=user, at=now) as session:  # read under the write lock: no import slips in
        target = session.get(ImportRecord, import_id)
        if target is None:
            raise NotFound(f"no import {import_id}; `hedgerow imports` lists the imports and their ids")
        same_table = select(ImportRecord).where(ImportRecord.table_name == target.table_name)
        previous = session.scalars(
            same_table.where(ImportRecord.id < import_id).order_by(ImportRecord.id.desc())
        ).first()
        later = tuple(session.scalars(same_table.where(ImportRecord.id > import_id).order_by(ImportRecord.id)).all())
        table = TableName(target.table_name)
        _check_revertible(table, import_id, previous, later, force=force)
        assert previous is not None
        if not ws.snapshots.verify(table, previous.snapshot_sha256):
            raise SnapshotError(
                f"the snapshot of import {previous.id} ({table.value}/{previous.snapshot_sha256[:12]}…) is missing "
                f"or altered; `hedgerow audit verify` checks every snapshot"
            )
        record = _restoring_record(previous, user=user, now=now)
        session.add(record)
        session.flush()
        append_event(
            session,
            kind=EventKind.IMPORT,
            subject=table.value,
            payload={
                "import_id": record.id,
                "table": table.value,
                "mode": REVERT_MODE,
                "reverts_import_id": import_id,
                "restores_import_id": previous.id,
                "undone_later_import_ids": [r.id for r in later],
                "snapshot_sha256": previous.snapshot_sha256,
                "rows": previous.rows,
            },
            actor=user,
            at=now,
            rows=[record],
        )
        rows_before = (later[-1] if later else target).rows
    return Reverted(
        table=table,
        reverted_import_id=import_id,
        restored_import_id=previous.id,
        import_id=record.id,
        snapshot_sha256=previous.snapshot_sha256,
        rows_before=rows_before,
        rows=previous.rows,
        undone_later=tuple(r.id for r in later),
    )


def _check_revertible(
    table: TableName, import_id: int, previous: ImportRecord | None, later: tuple[ImportRecord, ...], *, force: bool
) -> None:
    if previous is None:
        raise ImportConflict(
            f"import {import_id} was the first import of {table.value}: there is no earlier snapshot to restore. "
            f"Import the right file with `hedgerow import FILE --mode replace --force` instead"
        )
    if later and not force:
        ids = ", ".join(str(r.id) for r in later)
        raise ImportConflict(
            f"{len(later)} later imports of {table.value} ({ids}) came after import {import_id}; reverting it "
            f"would undo them too. Revert the newest first (`hedgerow imports revert {later[-1].id}`) or pass "
            f"--force to restore the snapshot of import {previous.id} anyway"
        )


def _restoring_record(previous: ImportRecord, *, user: str, now: datetime) -> ImportRecord:
    """A new lineage row that makes ``previous``'s snapshot current again (same source, rows and trust)."""
    return ImportRecord(
        batch_id=str(uuid.uuid4()),
        table_name=previous.table_name,
        mode=REVERT_MODE,
        snapshot_sha256=previous.snapshot_sha256,
        rows=previous.rows,
        columns_json=previous.columns_json,
        source_name=previous.source_name,
        source_format=previous.source_format,
        source_size_bytes=previous.source_size_bytes,
        source_sha256=previous.source_sha256,
        imported_by=user,
        imported_at=now.astimezone(UTC),
        contract_version=previous.contract_version,
        trust_score=previous.trust_score,
        warnings_json=previous.warnings_json,
    )
