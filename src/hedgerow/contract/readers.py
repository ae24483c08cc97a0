"""Read CSV, XLSX and Parquet files into raw data frames, with clear errors for files that are not tables.

Readers do not interpret values: CSV cells stay text so that a validation report can quote exactly what the
file said. They detect the common ways a file goes wrong before a parser gives a cryptic error: empty files,
binary content renamed ``.csv`` (a spreadsheet, a Parquet file, an image), text that is not UTF-8, duplicate
column names.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import pandas as pd

from hedgerow.contract.report import shortened
from hedgerow.contract.spec import table_spec
from hedgerow.domain.enums import TableName
from hedgerow.errors import InputFileError

#: File signatures of binary formats people rename by mistake.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive (an .xlsx workbook is one)"),
    (b"PAR1", "a Parquet file"),
    (b"\xd0\xcf\x11\xe0", "a legacy Office file (.xls)"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"SQLite format 3", "an SQLite database"),
)


class FileFormat(StrEnum):
    """Table file formats hedgerow reads."""

    CSV = "csv"
    XLSX = "xlsx"
    PARQUET = "parquet"


_SUFFIXES = {
    ".csv": FileFormat.CSV,
    ".txt": FileFormat.CSV,
    ".tsv": FileFormat.CSV,
    ".xlsx": FileFormat.XLSX,
    ".xlsm": FileFormat.XLSX,
    ".parquet": FileFormat.PARQUET,
    ".pq": FileFormat.PARQUET,
}


@dataclass(frozen=True)
class SourceInfo:
    """Lineage of a file as read: name, format, size in bytes and SHA-256 of its bytes."""

    name: str
    format: FileFormat
    size_bytes: int
    sha256: str


@dataclass(frozen=True)
class RawTable:
    """A file read as a table: its frame (CSV cells as text) and where it came from.

    The frame's index is the 1-based data row number in the file (header excluded), so reports can point at
    rows even after blank rows were dropped.
    """

    frame: pd.DataFrame
    source: SourceInfo


def detect_format(path: Path) -> FileFormat:
    """Format of a file from its suffix.

    Raises
    ------
    InputFileError
        When the suffix is not one of .csv, .txt, .tsv, .xlsx, .xlsm, .parquet, .pq.
    """
    try:
        return _SUFFIXES[path.suffix.lower()]
    except KeyError:
        allowed = ", ".join(sorted(_SUFFIXES))
        raise InputFileError(
            f"{path.name}: unknown file type {path.suffix or '(no extension)'!r}; hedgerow reads {allowed}"
        ) from None


def _binary_kind(head: bytes) -> str | None:
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if b"\x00" in head[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary data"
    return None


def _line_of(exc: UnicodeDecodeError) -> int:
    """The 1-based line of the text on which a decoding error happened."""
    try:
        return exc.object[: exc.start].decode(exc.encoding).count("\n") + 1
    except (UnicodeDecodeError, LookupError):  # the part before is undecodable too: count raw newlines
        return exc.object[: exc.start].count(b"\n") + 1


def _cut_short(exc: UnicodeDecodeError) -> bool:
    """Whether the bytes end inside a character: the file was truncated (a copy or download cut short)."""
    return exc.reason == "truncated data" or (exc.end >= len(exc.object) and exc.reason.startswith("unexpected end"))


def _decode(data: bytes, name: str, encoding: str | None) -> str:
    if encoding is not None:
        try:
            return data.decode(encoding)
        except LookupError:
            raise InputFileError(f"{name}: unknown encoding {encoding!r}") from None
        except UnicodeDecodeError as exc:
            if _cut_short(exc):
                raise InputFileError(
                    f"{name}: cannot be read as {encoding}: it ends in the middle of a character on line "
                    f"{_line_of(exc)}: it looks cut short. Export or copy the file again"
                ) from None
            raise InputFileError(
                f"{name}: cannot be read as {encoding} "
                f"(invalid byte 0x{exc.object[exc.start]:02x} at offset {exc.start})"
            ) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            if _cut_short(exc):
                raise InputFileError(
                    f"{name}: the file is UTF-16 text (it starts with a byte-order mark) but ends in the middle "
                    f"of a character on line {_line_of(exc)}: it looks cut short. Export or copy it again, or "
                    f"save it as UTF-8"
                ) from None
            raise InputFileError(
                f"{name}: the file starts with a UTF-16 byte-order mark but is not UTF-16 text ({exc.reason} on "
                f"line {_line_of(exc)}). Save the file as UTF-8, or name its encoding with --encoding"
            ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputFileError(
            f"{name}: not UTF-8 text (invalid byte 0x{data[exc.start]:02x} on line {line}). Save the file as "
            f"UTF-8, or name its encoding with --encoding (e.g. --encoding cp1252 for Excel on Windows, "
            f"--encoding latin-1)"
        ) from None


def _read_csv(data: bytes, name: str, encoding: str | None) -> pd.DataFrame:
    kind = _binary_kind(data[:4096])
    if kind is not None:
        raise InputFileError(f"{name}: the file is {kind}, not CSV text; export it as CSV or give it its real suffix")
    text = _decode(data, name, encoding)
    if not text.strip():
        raise InputFileError(f"{name}: the file is empty")
    try:
        dialect = csv.Sniffer().sniff(text[:65536], delimiters=",;\t|")
        sep = dialect.delimiter
    except csv.Error:
        sep = ","
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skipinitialspace=True,
            on_bad_lines="error",
        )
    except pd.errors.ParserError as exc:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        detail = (
            f"line {found.group(2)} has {found.group(3)} fields but the header has {found.group(1)}"
            if found
            else str(exc)
        )
        raise InputFileError(f"{name}: not a well-formed CSV table: {detail}") from None
    except pd.errors.EmptyDataError:
        raise InputFileError(f"{name}: the file is empty") from None
    return frame


def _sheet_names(data: bytes, name: str) -> list[str]:
    try:
        return [str(n) for n in pd.ExcelFile(io.BytesIO(data), engine="calamine").sheet_names]
    except Exception as exc:  # calamine raises its own error types for corrupt workbooks
        raise InputFileError(f"{name}: not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from None


def _header_of(data: bytes, name: str, sheet: str) -> set[str]:
    try:
        head = pd.read_excel(io.BytesIO(data), sheet_name=sheet, engine="calamine", dtype=object, header=None, nrows=1)
    except Exception as exc:  # calamine raises its own error types for corrupt sheets
        raise InputFileError(
            f"{name}: sheet {sheet!r} is not readable ({type(exc).__name__}: {exc}); the workbook looks damaged, "
            "save it again from the spreadsheet program"
        ) from None
    return {str(v).strip() for v in head.iloc[0] if not pd.isna(v)} if len(head) else set()


def _choose_sheet(data: bytes, name: str, table: TableName | None) -> str | int:
    """The sheet to read when none is named: the one named like the table, else the first.

    Raises
    ------
    InputFileError
        When the first sheet has none of the table's required columns and another sheet does (a "Notes" or
        cover sheet in front of the data), naming the sheets and the ``--sheet`` that reads the right one.
    """
    if table is None:
        return 0
    names = _sheet_names(data, name)
    for sheet in names:
        if sheet.strip().lower() == table.value:
            return sheet
    required = set(table_spec(table).required_columns)
    if len(names) < 2 or required & _header_of(data, name, names[0]):
        return 0
    fits = [s for s in names[1:] if required <= _header_of(data, name, s)]
    suggestion = f"--sheet {fits[0]!r}" if fits else "--sheet NAME"
    raise InputFileError(
        f"{name}: its first sheet {names[0]!r} has none of the {table.value} columns "
        f"({', '.join(sorted(required))}); the workbook's sheets are: {', '.join(repr(n) for n in names)}. "
        f"Import with {suggestion}, or name the data sheet {table.value!r}"
    )


def _read_xlsx(data: bytes, name: str, sheet: str | None, table: TableName | None = None) -> pd.DataFrame:
    if not data.startswith(b"PK\x03\x04"):
        kind = _binary_kind(data[:4096]) or "text"
        raise InputFileError(f"{name}: the file is {kind}, not an .xlsx workbook")
    chosen = sheet if sheet is not None else _choose_sheet(data, name, table)
    try:
        frame = pd.read_excel(io.BytesIO(data), sheet_name=chosen, engine="calamine", dtype=object, header=None)
    except ValueError as exc:
        raise InputFileError(f"{name}: cannot read sheet {sheet or 'one'}: {exc}") from None
    except Exception as exc:  # calamine raises its own error types for corrupt workbooks
        raise InputFileError(f"{name}: not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from None
    if not isinstance(frame, pd.DataFrame):  # pragma: no cover - sheet_name is never a list here
        raise InputFileError(f"{name}: expected one sheet")
    return frame


def _read_parquet(data: bytes, name: str) -> pd.DataFrame:
    if not data.startswith(b"PAR1"):
        kind = _binary_kind(data[:4096]) or "text"
        raise InputFileError(f"{name}: the file is {kind}, not a Parquet file")
    try:
        return pd.read_parquet(io.BytesIO(data))
    except Exception as exc:  # pyarrow raises ArrowInvalid and friends for corrupt files
        raise InputFileError(f"{name}: not a readable Parquet file ({type(exc).__name__}: {exc})") from None


def read_table_file(
    path: Path, *, encoding: str | None = None, sheet: str | None = None, table: TableName | None = None
) -> RawTable:
    """Read a CSV, XLSX or Parquet file as a raw table.

    Parameters
    ----------
    path:
        The file; its suffix selects the format.
    encoding:
        Text encoding of a CSV file; by default UTF-8 (with or without BOM) or UTF-16 with a BOM.
    sheet:
        Sheet of a workbook to read; by default the sheet named like ``table``, else the first.
    table:
        The contract table the file should hold, when known: picks and checks a workbook's sheet.

    Raises
    ------
    InputFileError
        When the file is missing, empty, binary where text is expected, not decodable, or malformed.
    """
    fmt = detect_format(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputFileError(f"{path}: is a folder, not a file") from None
    except PermissionError:
        raise InputFileError(f"{path}: permission denied") from None
    if not data:
        raise InputFileError(f"{path.name}: the file is empty (0 bytes)")
    if fmt is FileFormat.CSV:
        frame = _promote_header(_read_csv(data, path.name, encoding), path.name)
    elif fmt is FileFormat.XLSX:
        frame = _promote_header(_read_xlsx(data, path.name, sheet, table), path.name)
    else:
        frame = _read_parquet(data, path.name).reset_index(drop=True)
        frame.index = frame.index + 1
        _check_names([str(c) for c in frame.columns], path.name)
    info = SourceInfo(name=path.name, format=fmt, size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest())
    return RawTable(frame=frame, source=info)


def _check_names(names: list[str], name: str) -> None:
    seen: set[str] = set()
    dupes: set[str] = set()
    for n in names:
        (dupes if n in seen else seen).add(n)
    if dupes:
        names_text = ", ".join(shortened(d, 40) for d in sorted(dupes))
        raise InputFileError(f"{name}: the header names these columns more than once: {names_text}")


def _refuse_title_row(header: list[str], frame: pd.DataFrame, name: str) -> None:
    """A title above the header ("Sales export November 2026") is a common export habit: say so plainly."""
    named = [h for h in header if h]
    if len(named) != 1 or len(header) < 2 or len(frame) < 2:
        return
    below = [str(v).strip() for v in frame.iloc[1] if not pd.isna(v) and str(v).strip()]
    if len(below) < 2:
        return
    shown = ", ".join(shortened(b, 40) for b in below[:6]) + (", …" if len(below) > 6 else "")
    raise InputFileError(
        f"{name}: row 1 holds only {shortened(named[0], 60)!r} and row 2 looks like the header ({shown}); "
        "delete the title row(s) above the header and import again"
    )


def _promote_header(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Use the first row as header: trim names, drop unnamed empty columns and empty rows, reject duplicates."""
    if frame.empty:
        raise InputFileError(f"{name}: the file is empty")
    header = ["" if pd.isna(v) else str(v).strip() for v in frame.iloc[0]]
    _refuse_title_row(header, frame, name)
    body = frame.iloc[1:]
    keep = []
    for pos, col_name in enumerate(header):
        if col_name:
            keep.append(pos)
        elif body.iloc[:, pos].notna().any():
            raise InputFileError(f"{name}: column {pos + 1} has values but no name in the header row")
    names = [header[p] for p in keep]
    _check_names(names, name)
    body = body.iloc[:, keep]
    body.columns = pd.Index(names)
    return body.dropna(how="all")
