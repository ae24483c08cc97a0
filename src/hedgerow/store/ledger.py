"""The ledger database: engine creation, Alembic migrations and the revision check.

SQLite (a file in the workspace, the default) and PostgreSQL are both first-class. The schema is owned by
the migrations in ``migrations/versions``; they run programmatically (no alembic.ini to ship), up with
:func:`upgrade` and down with :func:`downgrade`. A workspace whose ledger is behind the code's head revision
refuses to open until ``hedgerow migrate`` is run, so no command ever writes into a schema it does not know.

Alembic is imported only to migrate: the revision check that every command makes reads the revision table and
the migration files' ``revision`` lines directly (:func:`known_head`), so commands start at once.
"""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from hedgerow.errors import LedgerError

if TYPE_CHECKING:
    from alembic.config import Config

#: Alembic's table holding the database's revision.
VERSION_TABLE = "alembic_version"
_REVISION_LINE = re.compile(r'^(down_)?revision(?:: [^=]+)? = (?:"([^"]+)"|None)', re.MULTILINE)


def resolve_url(url: str, workspace_root: Path) -> str:
    """Make a relative SQLite path absolute against the workspace folder; leave other URLs as given.

    Raises
    ------
    LedgerError
        When ``url`` is not a valid SQLAlchemy URL.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise LedgerError(f"ledger url {url!r} is not a database URL (e.g. sqlite:///ledger.sqlite)") from None
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        path = Path(parsed.database)
        if not path.is_absolute():
            return parsed.set(database=str(workspace_root / path)).render_as_string(hide_password=False)
    return url


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    """Foreign keys on, wait for locks, and write-ahead logging: readers never wait for a writer, so the web
    workers keep answering while a decision or a job writes (bench/web_load.py --peak). The ledger is then
    ``ledger.sqlite`` plus ``-wal`` and ``-shm`` files while it is open (docs/ledger.md)."""
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def create_ledger_engine(url: str, *, pooled: bool = False) -> Engine:
    """Create an engine for the ledger at ``url`` (absolute SQLite path or a server URL).

    SQLite connections enforce foreign keys and wait up to 30 s for a lock instead of failing at once. A SQLite
    file is opened per use (no pool) unless ``pooled``: a long-running server keeps a few connections open
    instead of paying the open on every query (PostgreSQL engines always pool).
    """
    try:
        backend = make_url(url).get_backend_name()
        if backend == "sqlite":
            engine = create_engine(url) if pooled else create_engine(url, poolclass=NullPool)
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(url, pool_pre_ping=True)
    except (ArgumentError, ImportError) as exc:
        raise LedgerError(f"cannot use ledger url {url!r}: {exc}") from None
    return engine


def _alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(files("hedgerow.store") / "migrations"))
    return cfg


def head_revision() -> str:
    """The newest migration revision this version of hedgerow knows (as Alembic computes it)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships migrations
        raise LedgerError("no ledger migrations found in the hedgerow package")
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the ledger database is at; None for an empty database.

    Raises
    ------
    LedgerError
        When the database cannot be reached.
    """
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table(VERSION_TABLE):
                return None
            return conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    except OperationalError as exc:
        raise LedgerError(f"cannot reach the ledger database: {exc.orig}") from None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the ledger up to ``revision`` (default: the newest)."""
    _run(engine, "upgrade", revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Migrate the ledger down to ``revision`` (default: empty)."""
    _run(engine, "downgrade", revision)


def known_head() -> str:
    """The head revision read from the migration files' ``revision`` / ``down_revision`` lines, without Alembic.

    A test keeps it equal to :func:`head_revision`.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (files("hedgerow.store") / "migrations" / "versions").iterdir():
        if not script.name.endswith(".py") or script.name.startswith("__"):
            continue
        for down, value in _REVISION_LINE.findall(script.read_text(encoding="utf-8")):
            if value:
                (parents if down else revisions).add(value)
    heads = revisions - parents
    if len(heads) != 1:  # pragma: no cover - the package always ships one linear history
        raise LedgerError(f"the ledger migrations have {len(heads)} heads ({', '.join(sorted(heads))}); expected one")
    return heads.pop()


def _run(engine: Engine, direction: str, revision: str) -> None:
    from alembic import command

    cfg = _alembic_config()
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            if direction == "upgrade":
                command.upgrade(cfg, revision)
            else:
                command.downgrade(cfg, revision)
    except OperationalError as exc:
        raise LedgerError(f"cannot migrate the ledger database: {exc.orig}") from None
    except SQLAlchemyError as exc:
        raise LedgerError(f"ledger migration {direction} to {revision} failed: {exc}") from None


def ensure_current(engine: Engine) -> None:
    """Refuse a ledger that is not at the head revision.

    Raises
    ------
    LedgerError
        Naming both revisions and the command that fixes it.
    """
    current, head = current_revision(engine), known_head()
    if current is None:
        raise LedgerError("the ledger database is empty; run `hedgerow migrate` (or `hedgerow init`) first")
    if current != head:
        raise LedgerError(f"the ledger is at revision {current} but this hedgerow needs {head}; run `hedgerow migrate`")
