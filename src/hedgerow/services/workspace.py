"""A workspace on disk: its configuration, its ledger and its snapshot store.

Layout of a workspace folder::

    hedgerow.toml          settings (documented keys, see docs/configuration.md)
    ledger.sqlite          the ledger, unless [ledger] url or HEDGEROW_LEDGER_URL names another database
    snapshots/<table>/     immutable Parquet snapshots of accepted imports, named by SHA-256

Every command finds its workspace from ``--workspace DIR``, else ``HEDGEROW_WORKSPACE``, else the current
directory (:func:`find_workspace`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from hedgerow.config import CONFIG_FILE_NAME, Settings, load_settings, render_settings_toml
from hedgerow.domain.enums import TableName
from hedgerow.errors import LedgerError, WorkspaceError
from hedgerow.store import ledger
from hedgerow.store.lineage_models import ImportRecord
from hedgerow.store.snapshots import SnapshotStore

if TYPE_CHECKING:  # frames are read on demand; opening a workspace (e.g. for `hedgerow status`) needs no pandas
    import pandas as pd

ENV_WORKSPACE = "HEDGEROW_WORKSPACE"
ENV_LEDGER_URL = "HEDGEROW_LEDGER_URL"


def find_workspace(option: Path | None = None, *, env: dict[str, str] | None = None, cwd: Path | None = None) -> Path:
    """Locate the workspace folder: ``option``, else ``$HEDGEROW_WORKSPACE``, else the current directory.

    Raises
    ------
    WorkspaceError
        When the chosen folder holds no hedgerow.toml, saying where it looked and why there.
    """
    environ = os.environ if env is None else env
    if option is not None:
        root, why = option, "--workspace"
    elif environ.get(ENV_WORKSPACE):
        root, why = Path(environ[ENV_WORKSPACE]), f"${ENV_WORKSPACE}"
    else:
        root, why = (cwd or Path.cwd()), "the current directory"
    if not (root / CONFIG_FILE_NAME).is_file():
        raise WorkspaceError(
            f"{root} (from {why}) is not a hedgerow workspace: it has no {CONFIG_FILE_NAME}. "
            f"Create one with `hedgerow init {root}` or point to one with --workspace DIR."
        )
    return root.resolve()


def _ledger_url(root: Path, settings: Settings, override: str | None) -> str:
    url = override or os.environ.get(ENV_LEDGER_URL) or settings.ledger.url
    return ledger.resolve_url(url, root)


@dataclass
class Workspace:
    """An opened workspace. Create with :func:`open_workspace` or :func:`init_workspace`."""

    root: Path
    settings: Settings
    ledger_url: str
    pooled: bool = False
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def snapshots(self) -> SnapshotStore:
        """The workspace's snapshot store."""
        return SnapshotStore(self.root)

    @property
    def engine(self) -> Engine:
        """Engine of the ledger database (created on first use)."""
        if self._engine is None:
            self._engine = ledger.create_ledger_engine(self.ledger_url, pooled=self.pooled)
        return self._engine

    def session(self) -> Session:
        """A new ORM session on the ledger."""
        return Session(self.engine, expire_on_commit=False)

    def close(self) -> None:
        """Release the ledger's connections."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def current_imports(self) -> dict[TableName, ImportRecord]:
        """The lineage record of the current snapshot of each imported table."""
        with self.session() as s:
            latest = select(ImportRecord.table_name, func.max(ImportRecord.id).label("id")).group_by(
                ImportRecord.table_name
            )
            ids = [row.id for row in s.execute(latest)]
            records = s.scalars(select(ImportRecord).where(ImportRecord.id.in_(ids))).all() if ids else []
        return {TableName(r.table_name): r for r in records}

    def import_history(self, table: TableName | None = None) -> list[ImportRecord]:
        """Every accepted import, newest first, optionally of one table."""
        with self.session() as s:
            query = select(ImportRecord).order_by(ImportRecord.id.desc())
            if table is not None:
                query = query.where(ImportRecord.table_name == table.value)
            return list(s.scalars(query).all())

    def current_frame(self, table: TableName) -> pd.DataFrame | None:
        """The current snapshot of ``table`` as a typed frame, or None when it was never imported."""
        record = self.current_imports().get(table)
        if record is None:
            return None
        return self.snapshots.read(table, record.snapshot_sha256)

    def current_frames(self, tables: list[TableName] | None = None) -> dict[TableName, pd.DataFrame]:
        """Current snapshots of every imported table (or of ``tables``)."""
        records = self.current_imports()
        wanted = tables if tables is not None else list(records)
        return {t: self.snapshots.read(t, records[t].snapshot_sha256) for t in wanted if t in records}

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def open_workspace(root: Path, *, ledger_url: str | None = None, pooled: bool = False) -> Workspace:
    """Open an existing workspace and check its ledger is at the code's schema revision.

    ``pooled`` keeps SQLite connections open between uses (for a long-running server; see
    :func:`hedgerow.store.ledger.create_ledger_engine`).

    Raises
    ------
    WorkspaceError, ConfigError, LedgerError
        When the folder is not a workspace, its settings are invalid, or the ledger is unreachable or behind.
    """
    root = root.resolve()
    settings = load_settings(root / CONFIG_FILE_NAME)
    ws = Workspace(root=root, settings=settings, ledger_url=_ledger_url(root, settings, ledger_url), pooled=pooled)
    try:
        ledger.ensure_current(ws.engine)
    except LedgerError:
        ws.close()
        raise
    return ws


def migrate_workspace(root: Path, *, ledger_url: str | None = None) -> tuple[str | None, str]:
    """Bring a workspace's ledger to the head revision; returns (revision before, revision after)."""
    root = root.resolve()
    settings = load_settings(root / CONFIG_FILE_NAME)
    engine = ledger.create_ledger_engine(_ledger_url(root, settings, ledger_url))
    try:
        before = ledger.current_revision(engine)
        ledger.upgrade(engine)
        return before, ledger.head_revision()
    finally:
        engine.dispose()


def init_workspace(
    root: Path, *, settings: Settings | None = None, ledger_url: str | None = None, force: bool = False
) -> Workspace:
    """Create a workspace: the folder, a documented hedgerow.toml and a migrated ledger.

    Parameters
    ----------
    root:
        Folder to create (may exist if empty).
    settings:
        Settings to write (defaults when None).
    ledger_url:
        Ledger database to use instead of the default SQLite file; stored in hedgerow.toml unless it carries a
        password (then set it through HEDGEROW_LEDGER_URL instead).
    force:
        Allow a folder that is not empty; an existing hedgerow.toml is still never overwritten.

    Raises
    ------
    WorkspaceError
        When the folder already holds a workspace, or holds other files and ``force`` is not given.
    """
    root = root.resolve()
    if (root / CONFIG_FILE_NAME).exists():
        raise WorkspaceError(f"{root} is already a hedgerow workspace; open it with --workspace {root}")
    if root.exists() and not root.is_dir():
        raise WorkspaceError(f"{root} exists and is not a folder")
    if root.exists() and any(root.iterdir()) and not force:
        raise WorkspaceError(f"{root} is not empty; choose a new folder or pass --force to use it anyway")
    settings = settings or Settings()
    if ledger_url is not None:
        if "@" in ledger_url and ":" in ledger_url.split("@", 1)[0].split("//", 1)[-1]:
            raise WorkspaceError(
                "the ledger URL carries a password; do not store it in hedgerow.toml: set "
                f"{ENV_LEDGER_URL} instead and run `hedgerow init` without --ledger-url"
            )
        settings = replace(settings, ledger=replace(settings.ledger, url=ledger_url))
    root.mkdir(parents=True, exist_ok=True)
    (root / CONFIG_FILE_NAME).write_text(render_settings_toml(settings), encoding="utf-8")
    url = _ledger_url(root, settings, None)
    engine = ledger.create_ledger_engine(url)
    try:
        ledger.upgrade(engine)
    finally:
        engine.dispose()
    return open_workspace(root)


def columns_of(record: ImportRecord) -> list[str]:
    """Column names recorded with an import."""
    return list(json.loads(record.columns_json))
