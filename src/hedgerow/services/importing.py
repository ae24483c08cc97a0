"""The import use case: files in, validated immutable snapshots and lineage out — all or nothing.

Steps, for one file or a batch (a folder whose file names are table names):

1. read every file (CSV, XLSX, Parquet) and validate it against the contract, lazily and completely;
2. if any file has an error, raise :class:`~hedgerow.errors.ValidationFailed` with every report: nothing is
   written, the workspace stays byte-identical;
3. run the data-quality checks (foreign keys see the workspace's current tables overlaid with the batch; rates
   are compared with the workspace's fx_rates history): an implausible exchange rate (a jump by more than
   :data:`~hedgerow.contract.fx_checks.FX_JUMP_FACTOR`) raises :class:`~hedgerow.errors.ValidationFailed`
   like a contract error unless ``accept_fx_jumps``, when it is a warning;
4. combine each file with its table's current snapshot as the import mode says (:mod:`hedgerow.contract.combine`):
   upsert by default; an append that meets existing keys, or a replace that would remove more than half a
   table or dates of its history without ``force``, raises :class:`~hedgerow.errors.ImportConflict` saying
   exactly what it would remove (nothing is written);
5. sweep the snapshot store of files no ledger row names, left by an import killed before it recorded them
   (:func:`hedgerow.services.sweeping.sweep_orphans`, past its grace period);
6. write each table as a content-addressed Parquet snapshot and record its lineage (source name, size,
   SHA-256, rows, user, time, contract version, trust score, warnings) in one ledger transaction; if that
   transaction fails the new snapshot files are removed again. Under the transaction's lock each snapshot is
   checked to be on disk (a sweep in another process may have removed a file this import found there already)
   and written again if not, so no record ever names a missing file.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from hedgerow.contract.combine import Combined, combine
from hedgerow.contract.facts import table_facts
from hedgerow.contract.quality import QualityContext, quality_findings, trust_score
from hedgerow.contract.readers import SourceInfo, read_table_file
from hedgerow.contract.report import ValidationReport
from hedgerow.contract.spec import CONTRACT_VERSION, TABLES, table_spec
from hedgerow.contract.validate import validate_frame
from hedgerow.decide.auditchain import EventKind
from hedgerow.domain.enums import ImportMode, Severity, TableName
from hedgerow.errors import ImportConflict, InputFileError, ValidationFailed
from hedgerow.services.audit import append_event, ledger_write
from hedgerow.services.holds import sync_imported_holds
from hedgerow.services.sweeping import sweep_orphans
from hedgerow.services.workspace import Workspace
from hedgerow.store.models import ImportRecord

#: Tables other tables point at; the quality checks load their current snapshots.
REFERENCED_TABLES = (
    TableName.ITEMS,
    TableName.LOCATIONS,
    TableName.SUPPLIERS,
    TableName.LANES,
    TableName.ITEM_LOCATIONS,
)

#: Tables whose imported rows the quality checks compare with the workspace's current rows of the same table.
HISTORY_CHECKED_TABLES = (TableName.FX_RATES,)

Progress = Callable[[str, int, int], None]

__all__ = [
    "ImportMode",
    "ImportOutcome",
    "ImportSource",
    "ImportedTable",
    "Progress",
    "import_sources",
    "sources_from_folder",
]


@dataclass(frozen=True)
class ImportSource:
    """One file to import as one contract table."""

    path: Path
    table: TableName
    encoding: str | None = None
    sheet: str | None = None
    date_format: str | None = None


@dataclass(frozen=True)
class ImportedTable:
    """What an accepted table became: its snapshot and lineage record id, and how the import changed it.

    ``added`` / ``replaced`` / ``removed`` count rows by key against the table before the import
    (``before_rows``); ``removed`` is non-zero only for a replace.
    """

    table: TableName
    snapshot_sha256: str
    rows: int
    import_id: int
    trust_score: float
    mode: ImportMode = ImportMode.UPSERT
    before_rows: int = 0
    added: int = 0
    replaced: int = 0
    removed: int = 0

    def change_text(self) -> str:
        """The change in words, e.g. ``upsert: 2 rows replaced, 0 added (4,160 → 4,160 rows)``."""
        parts = [f"{self.added:,} added", f"{self.replaced:,} replaced"]
        if self.mode is ImportMode.REPLACE:
            parts.append(f"{self.removed:,} removed")
        return f"{self.mode.value}: {', '.join(parts)} ({self.before_rows:,} → {self.rows:,} rows)"


@dataclass(frozen=True)
class ImportOutcome:
    """Result of an accepted import batch; ``swept`` are the orphan files removed before it wrote."""

    batch_id: str
    reports: tuple[ValidationReport, ...]
    tables: tuple[ImportedTable, ...]
    skipped: tuple[str, ...] = ()
    swept: tuple[Path, ...] = ()


def sources_from_folder(folder: Path) -> tuple[list[ImportSource], list[str]]:
    """Table files of a folder, matched by file name (``demand.csv`` → demand), and the names skipped.

    Raises
    ------
    InputFileError
        When the folder holds no table file, or two files for the same table.
    """
    if not folder.is_dir():
        raise InputFileError(f"{folder}: not a folder")
    sources: dict[TableName, ImportSource] = {}
    skipped: list[str] = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        stem = path.name.split(".", 1)[0].lower()
        try:
            table = TableName(stem)
        except ValueError:
            skipped.append(path.name)
            continue
        if table in sources:
            raise InputFileError(
                f"{folder}: two files for table {table.value}: {sources[table].path.name} and {path.name}"
            )
        sources[table] = ImportSource(path=path, table=table)
    if not sources:
        names = ", ".join(t.value for t in TableName)
        raise InputFileError(f"{folder}: no file is named after a table ({names}), e.g. demand.csv")
    ordered = [sources[t] for t in TABLES if t in sources]
    return ordered, skipped


def import_sources(
    ws: Workspace,
    sources: list[ImportSource],
    *,
    user: str,
    now: datetime,
    mode: ImportMode | None = None,
    force: bool = False,
    accept_fx_jumps: bool = False,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Validate and import a batch of files atomically.

    Parameters
    ----------
    ws:
        The workspace to import into.
    sources:
        Files and the tables they hold; a table may appear once.
    user:
        Who imports (recorded in lineage).
    now:
        Import time, timezone-aware; dates that must not be in the future are checked against it.
    mode:
        How each file combines with its table's current snapshot; None: each table's contract default
        (``upsert`` by key).
    force:
        Allow a replace that removes more than half a table's rows or dates of its history.
    accept_fx_jumps:
        Keep exchange rates that jump from their currency's history (or lie outside any real rate) as warnings;
        by default they reject the import (``hedgerow import --accept-fx-jumps``).
    progress:
        Called as ``progress(step, done, total)`` while files are read and checked.

    Raises
    ------
    InputFileError
        When a file cannot be read as a table (nothing is written).
    ValidationFailed
        When any file breaks the contract, or has an implausible exchange rate without ``accept_fx_jumps``;
        carries every report (nothing is written).
    ImportConflict
        When an append meets keys already in its table, or a replace would lose history without ``force``;
        the message says what (nothing is written).
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    tables = [s.table for s in sources]
    if len(set(tables)) != len(tables):
        raise InputFileError("the same table is named twice in one import")
    now_utc = pd.Timestamp(now).tz_convert("UTC").tz_localize(None)
    total = len(sources)
    typed: dict[TableName, pd.DataFrame] = {}
    infos: dict[TableName, SourceInfo] = {}
    reports: dict[TableName, ValidationReport] = {}
    for done, source in enumerate(sources):
        if progress:
            progress(f"reading {source.path.name}", done, total)
        raw = read_table_file(source.path, encoding=source.encoding, sheet=source.sheet, table=source.table)
        spec = table_spec(source.table)
        result = validate_frame(spec, raw.frame, now=now_utc, date_format=source.date_format)
        typed[source.table] = result.frame
        infos[source.table] = raw.source
        reports[source.table] = ValidationReport(
            table=source.table, source=raw.source.name, rows=len(raw.frame), findings=result.errors
        )
    if any(not r.ok for r in reports.values()):
        raise ValidationFailed(tuple(reports.values()))

    context_tables = ws.current_frames([t for t in REFERENCED_TABLES if t not in typed])
    context_tables.update(typed)
    # tables whose rows are checked against their own history: the workspace's, unless the file replaces it
    extended = [
        t for t in HISTORY_CHECKED_TABLES if t in typed and (mode or TABLES[t].import_mode) is not ImportMode.REPLACE
    ]
    ctx = QualityContext(
        tables=context_tables,
        settings=ws.settings.quality,
        period=ws.settings.workspace.period,
        now=now_utc,
        missing_periods=ws.settings.demand.missing_periods,
        history=ws.current_frames(extended) if extended else {},
        accept_fx_jumps=accept_fx_jumps,
        base_currency=ws.settings.workspace.base_currency,
    )
    for done, source in enumerate(sources):
        if progress:
            progress(f"checking {source.path.name}", done, total)
        spec = table_spec(source.table)
        found = quality_findings(spec, typed[source.table], ctx)
        report = reports[source.table]
        rejected = any(f.severity is Severity.ERROR for f in found)  # an implausible exchange rate
        reports[source.table] = ValidationReport(
            table=report.table,
            source=report.source,
            rows=report.rows,
            findings=report.findings + tuple(found),
            trust_score=None if rejected else trust_score(report.rows, found),
        )
    if any(not r.ok for r in reports.values()):
        raise ValidationFailed(tuple(reports.values()))

    if progress:
        progress("combining with the current tables", total, total)
    changes = _combine_all(ws, typed, mode, force=force)
    # file ages are wall-clock times: ``now`` may be pinned (HEDGEROW_NOW, tests) and must not age them
    swept = sweep_orphans(ws, now=datetime.now(UTC))
    outcome_tables = _write(ws, changes, infos, reports, typed, user=user, now=now)
    if progress:
        progress("done", total, total)
    return ImportOutcome(
        batch_id=outcome_tables[0][0],
        reports=tuple(reports.values()),
        tables=tuple(t for _, t in outcome_tables),
        swept=swept.removed,
    )


def _combine_all(
    ws: Workspace, typed: dict[TableName, pd.DataFrame], mode: ImportMode | None, *, force: bool
) -> dict[TableName, Combined]:
    """Each imported frame combined with its table's current snapshot; refuse clashes and unforced losses."""
    current = ws.current_imports()
    changes: dict[TableName, Combined] = {}
    for table, frame in typed.items():
        spec = TABLES[table]
        record = current.get(table)
        before = ws.snapshots.read(table, record.snapshot_sha256) if record is not None else None
        changes[table] = combine(spec, before, frame, mode or spec.import_mode)
    problems: list[str] = []
    for table, change in changes.items():
        if change.conflicts:
            problems.append(
                f"append to {table.value}: {change.conflicts:,} rows have a key already in the table "
                f"(e.g. {'; '.join(change.conflict_examples)}); import with --mode upsert to replace those rows"
            )
        elif change.destructive and not force:
            problems.append(
                f"replace of {table.value} {change.loss_text()}; import with --mode upsert (the default) to add "
                f"and correct rows, or pass --force to replace the table anyway (the old snapshot stays and "
                f"`hedgerow imports revert` restores it)"
            )
    if problems:
        raise ImportConflict("nothing was imported: " + "; ".join(problems))
    return changes


def _write(
    ws: Workspace,
    changes: dict[TableName, Combined],
    infos: dict[TableName, SourceInfo],
    reports: dict[TableName, ValidationReport],
    typed: dict[TableName, pd.DataFrame],
    *,
    user: str,
    now: datetime,
) -> list[tuple[str, ImportedTable]]:
    batch_id = str(uuid.uuid4())
    store = ws.snapshots
    created: list[tuple[TableName, str]] = []
    encoded: list[tuple[TableName, str, bytes]] = []
    records: list[ImportRecord] = []
    try:
        for table, change in changes.items():
            frame = change.frame
            sha, data = store.encode(frame)
            encoded.append((table, sha, data))
            if not store.path_of(table, sha).exists():
                store.put(table, sha, data)
                created.append((table, sha))
            store.put_facts(table_facts(table, frame), sha)
            report = reports[table]
            info = infos[table]
            records.append(
                ImportRecord(
                    batch_id=batch_id,
                    table_name=table.value,
                    mode=change.mode.value,
                    snapshot_sha256=sha,
                    rows=len(frame),
                    columns_json=json.dumps([str(c) for c in frame.columns]),
                    source_name=info.name,
                    source_format=info.format.value,
                    source_size_bytes=info.size_bytes,
                    source_sha256=info.sha256,
                    imported_by=user,
                    imported_at=now.astimezone(UTC),
                    contract_version=CONTRACT_VERSION,
                    trust_score=report.trust_score if report.trust_score is not None else 0.0,
                    warnings_json=json.dumps(
                        [g for g in report.to_dict()["groups"] if g["severity"] == "warning"], ensure_ascii=False
                    ),
                )
            )
        with ledger_write(ws, actor=user, at=now) as session:
            for table, sha, data in encoded:  # under the lock: a sweep elsewhere may have taken a file found on disk
                if not store.path_of(table, sha).exists():
                    store.put(table, sha, data)
                    created.append((table, sha))
            session.add_all(records)
            session.flush()
            for record in records:
                append_event(
                    session,
                    kind=EventKind.IMPORT,
                    subject=record.table_name,
                    payload={
                        "import_id": record.id,
                        "batch_id": batch_id,
                        "table": record.table_name,
                        "mode": record.mode,
                        "snapshot_sha256": record.snapshot_sha256,
                        "rows": record.rows,
                        **_change_payload(changes[TableName(record.table_name)]),
                        "source_name": record.source_name,
                        "source_sha256": record.source_sha256,
                        "contract_version": record.contract_version,
                        "trust_score": record.trust_score,
                    },
                    actor=user,
                    at=now,
                    rows=[record],
                )
            if TableName.HOLDS in typed:
                # ledger holds are authoritative: the imported table is upserted into them (docs/ledger.md)
                sync_imported_holds(session, typed[TableName.HOLDS], actor=user, now=now)
    except BaseException:
        for table, sha in created:
            store.discard(table, sha)
        raise
    return [(batch_id, _imported(r, changes[TableName(r.table_name)])) for r in records]


def _imported(record: ImportRecord, change: Combined) -> ImportedTable:
    return ImportedTable(
        table=TableName(record.table_name),
        snapshot_sha256=record.snapshot_sha256,
        rows=record.rows,
        import_id=record.id,
        trust_score=record.trust_score,
        mode=change.mode,
        before_rows=change.before_rows,
        added=change.added,
        replaced=change.replaced,
        removed=change.removed,
    )


def _change_payload(change: Combined) -> dict[str, int]:
    """What the audit event records of a table's change."""
    return {
        "before_rows": change.before_rows,
        "added": change.added,
        "replaced": change.replaced,
        "removed": change.removed,
        "dropped_dates": len(change.dropped_dates),
    }
