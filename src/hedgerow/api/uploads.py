"""Uploaded files: copied into a private folder under the workspace, named safely, matched to tables.

The folder (``WORKSPACE/.uploads/<random>``) is the import job's workdir and is removed when the job ends. Names
keep only letters, digits, dots, dashes and underscores; the table comes from the name (``demand.csv`` →
demand) unless one table is given for a single file.
"""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path
from typing import Any

from fastapi import UploadFile

from hedgerow.contract.readers import detect_format
from hedgerow.domain.enums import TableName
from hedgerow.errors import InputFileError

UPLOAD_DIR = ".uploads"
CHUNK = 1024 * 1024


def safe_name(name: str | None) -> str:
    """A file name safe to create: the last path part, only ``[A-Za-z0-9._-]``.

    Raises
    ------
    InputFileError
        When nothing usable is left.
    """
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", base).lstrip(".")[:200]
    if not cleaned or cleaned.strip("_") == "":
        raise InputFileError(f"an uploaded file needs a name such as demand.csv, got {name!r}")
    return cleaned


def table_of(name: str, table: TableName | None) -> TableName:
    """The contract table a file holds: ``table`` when given, else from the file name.

    Raises
    ------
    InputFileError
        When the name is not a table's name.
    """
    if table is not None:
        return table
    stem = name.split(".", 1)[0].lower()
    try:
        return TableName(stem)
    except ValueError:
        names = ", ".join(t.value for t in TableName)
        raise InputFileError(
            f"{name}: cannot tell which table it holds; name it after one ({names}) or give table"
        ) from None


async def copy_capped(upload: UploadFile, path: Path, *, max_bytes: int, already: int = 0, hint: str) -> int:
    """Stream ``upload`` into ``path`` by chunks of :data:`CHUNK` bytes; the bytes received so far, ``already``
    included.

    Raises
    ------
    InputFileError
        As soon as more than ``max_bytes`` arrived (the message ends with ``hint``, the way round it).
    """
    total = already
    with path.open("wb") as out:
        while chunk := await upload.read(CHUNK):
            total += len(chunk)
            if total > max_bytes:
                raise InputFileError(f"the upload is larger than {max_bytes:,} bytes; {hint}")
            out.write(chunk)
    return total


async def stage_uploads(
    files: list[UploadFile], root: Path, *, table: TableName | None, max_bytes: int
) -> tuple[Path, list[dict[str, Any]]]:
    """Copy ``files`` into a new folder under ``root/.uploads``; returns it and ``[{name, table}]``.

    Raises
    ------
    InputFileError
        When no file is given, a name or suffix is unusable, two files hold the same table, a table is given for
        several files, or the upload is larger than ``max_bytes``. Nothing is kept then.
    """
    if not files:
        raise InputFileError("no file uploaded: send one or more files in the form field 'files'")
    if table is not None and len(files) > 1:
        raise InputFileError("table applies to one file; files of a batch are matched to tables by their names")
    workdir = root / UPLOAD_DIR / uuid.uuid4().hex
    workdir.mkdir(parents=True)
    staged: list[dict[str, Any]] = []
    total = 0
    try:
        seen: dict[TableName, str] = {}
        for upload in files:
            name = safe_name(upload.filename)
            detect_format(Path(name))
            target_table = table_of(name, table)
            if target_table in seen:
                raise InputFileError(f"two files for table {target_table.value}: {seen[target_table]} and {name}")
            seen[target_table] = name
            total = await copy_capped(
                upload, workdir / name, max_bytes=max_bytes, already=total, hint="import big files with the CLI"
            )
            staged.append({"name": name, "table": target_table.value})
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    return workdir, staged
