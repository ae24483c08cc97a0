"""Immutable, content-addressed snapshot store: every accepted import is a Parquet file named by its SHA-256.

Layout under the workspace::

    snapshots/<table>/<sha256>.parquet
    snapshots/<table>/<sha256>.facts.json     what the snapshot holds in a few numbers (derived, a cache)

A recorded snapshot is never modified or deleted by hedgerow; the ledger's lineage records say which snapshot
is current for each table, so any later plan can name exactly the data it used and that data can be re-read and
verified byte for byte. Writes go to a temporary file in the same folder and are renamed into place, so a
crash never leaves a half-written snapshot under a valid name. A process killed between writing a snapshot and
recording it leaves a file no ledger row names (or a temporary file); :mod:`hedgerow.services.sweeping` removes
those once they are old enough that no import in flight can still be about to record them.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from hedgerow.contract.facts import TableFacts
from hedgerow.domain.enums import TableName
from hedgerow.errors import SnapshotError

if TYPE_CHECKING:  # pandas and pyarrow load on first use: `hedgerow status` reads facts, not frames
    import pandas as pd

SNAPSHOT_DIR = "snapshots"
FACTS_SUFFIX = ".facts.json"
PARQUET_SUFFIX = ".parquet"
#: Name prefix of the temporary files a write renames into place (left behind only by a killed process).
TMP_PREFIX = ".tmp-"
#: Length of a SHA-256 in hex: the stem of every snapshot file.
SHA256_HEX_LENGTH = 64


@dataclass(frozen=True)
class StoredFile:
    """One file hedgerow wrote under the snapshot store: a snapshot, its facts, or an unfinished write.

    ``sha256`` is the snapshot the file belongs to, None for a temporary file (it belongs to no snapshot yet);
    ``modified`` is the file's last modification (UTC).
    """

    path: Path
    table: TableName
    sha256: str | None
    size_bytes: int
    modified: datetime


def _snapshot_of(name: str) -> str | None:
    """The SHA-256 a snapshot or facts file name carries, or None when the name is not one hedgerow writes."""
    for suffix in (PARQUET_SUFFIX, FACTS_SUFFIX):
        if name.endswith(suffix):
            stem = name.removesuffix(suffix)
            if len(stem) == SHA256_HEX_LENGTH and all(c in "0123456789abcdef" for c in stem):
                return stem
    return None


def _parquet_bytes(frame: pd.DataFrame) -> bytes:
    """Serialise a frame to Parquet deterministically (no index, fixed compression, no creation timestamp)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd", write_statistics=True)
    return buffer.getvalue()


class SnapshotStore:
    """Content-addressed Parquet snapshots of contract tables under one workspace folder."""

    def __init__(self, root: Path) -> None:
        self.root = root / SNAPSHOT_DIR

    def path_of(self, table: TableName, sha256: str) -> Path:
        """Where the snapshot of ``table`` with content hash ``sha256`` lives."""
        return self.root / table.value / f"{sha256}{PARQUET_SUFFIX}"

    def encode(self, frame: pd.DataFrame) -> tuple[str, bytes]:
        """Parquet bytes of ``frame`` and their SHA-256 (the snapshot's name)."""
        data = _parquet_bytes(frame)
        return hashlib.sha256(data).hexdigest(), data

    def put(self, table: TableName, sha256: str, data: bytes) -> Path:
        """Store encoded snapshot bytes under their hash (idempotent: an existing snapshot is left as is)."""
        path = self.path_of(table, sha256)
        if path.exists():
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TMP_PREFIX, suffix=PARQUET_SUFFIX)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    def facts_path(self, table: TableName, sha256: str) -> Path:
        """Where the facts of a snapshot are kept."""
        return self.root / table.value / f"{sha256}{FACTS_SUFFIX}"

    def facts(self, table: TableName, sha256: str) -> TableFacts:
        """The snapshot's facts: read from beside it, or computed from it (and kept) when absent or outdated."""
        path = self.facts_path(table, sha256)
        try:
            kept = TableFacts.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            kept = None
        if kept is not None:
            return kept
        from hedgerow.contract.facts import table_facts

        computed = table_facts(table, self.read(table, sha256))
        self.put_facts(computed, sha256)
        return computed

    def put_facts(self, facts: TableFacts, sha256: str) -> Path:
        """Keep a snapshot's facts beside it (written atomically; derived data, safe to recompute)."""
        path = self.facts_path(facts.table, sha256)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TMP_PREFIX, suffix=FACTS_SUFFIX)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(facts.to_dict(), fh, sort_keys=True)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    def discard(self, table: TableName, sha256: str) -> None:
        """Remove a snapshot written by an import that was then rolled back (never call on a recorded one)."""
        self.path_of(table, sha256).unlink(missing_ok=True)
        self.facts_path(table, sha256).unlink(missing_ok=True)
        self._prune(table)

    def files(self) -> list[StoredFile]:
        """Every snapshot, facts and temporary file in the store, by table (files hedgerow did not name are left
        out: the store never touches them)."""
        found: list[StoredFile] = []
        for table in TableName:
            folder = self.root / table.value
            if not folder.is_dir():
                continue
            for path in sorted(folder.iterdir()):
                sha = _snapshot_of(path.name)
                if sha is None and not path.name.startswith(TMP_PREFIX):
                    continue
                try:
                    stat = path.stat()
                except FileNotFoundError:  # renamed into place or removed while listed
                    continue
                found.append(
                    StoredFile(
                        path=path,
                        table=table,
                        sha256=sha,
                        size_bytes=stat.st_size,
                        modified=datetime.fromtimestamp(stat.st_mtime, UTC),
                    )
                )
        return found

    def remove(self, file: StoredFile) -> None:
        """Delete one stored file that no ledger row names (see :mod:`hedgerow.services.sweeping`)."""
        file.path.unlink(missing_ok=True)
        self._prune(file.table)

    def _prune(self, table: TableName) -> None:
        """Remove the table's folder, then the store's, when empty: a removed first import leaves no trace."""
        for folder in (self.root / table.value, self.root):
            try:
                folder.rmdir()  # only succeeds when empty
            except OSError:
                break

    def read(self, table: TableName, sha256: str, *, verify: bool = False) -> pd.DataFrame:
        """Load a snapshot; with ``verify`` also check its bytes still hash to its name.

        Raises
        ------
        SnapshotError
            When the file is missing or (with ``verify``) its content does not match its hash.
        """
        path = self.path_of(table, sha256)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise SnapshotError(f"snapshot {table.value}/{sha256[:12]}… is missing from {self.root}") from None
        if verify and hashlib.sha256(data).hexdigest() != sha256:
            raise SnapshotError(f"snapshot {table.value}/{sha256[:12]}… has been modified: its bytes no longer match")
        import pandas as pd

        return pd.read_parquet(io.BytesIO(data))

    def verify(self, table: TableName, sha256: str) -> bool:
        """True when the snapshot exists and its bytes hash to its name."""
        path = self.path_of(table, sha256)
        return path.exists() and hashlib.sha256(path.read_bytes()).hexdigest() == sha256
