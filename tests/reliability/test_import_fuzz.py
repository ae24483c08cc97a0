"""Fuzz of the importers: a broken CSV, XLSX or Parquet file is rejected, named, and changes nothing.

Each example starts from a table of the fixture network and applies one *breaking* mutation that no valid
import survives (a date outside 1677-2262, a number beyond the contract's bound, text in a number column, a
duplicate or missing header, binary garbage, a UTF-16 file cut short, a cut Parquet or workbook, a file in a
legacy encoding), plus noise that may or may not break it on its own (truncated rows, other encodings and line
ends, huge numbers, many sheets). The property (docs/reliability.md): ``hedgerow import`` exits 1 (the file
cannot be read as a table) or 3 (it breaks the contract), its message names the file, it is never an internal
error, and the workspace folder is byte-identical afterwards.

The CLI runs in-process for the examples (a subprocess each would not fit CI); one subprocess per format runs
the installed console script. Derandomized: the same examples run everywhere.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from hedgerow.cli import app
from hedgerow.cli.common import ExitCode
from hedgerow.contract.spec import MAX_ABS_NUMBER, ColumnSpec, ColumnType, table_spec
from hedgerow.domain.enums import TableName
from hedgerow.services.importing import import_sources, sources_from_folder
from hedgerow.services.workspace import init_workspace
from tests.conftest import NETWORK, NOW
from tests.services.test_importing import tree_digest

pytestmark = pytest.mark.slow

#: Examples per file format: enough to meet every mutation several times, few enough for CI (~10 s a format).
EXAMPLES_PER_FORMAT = 40

#: Exit codes of a rejection: the file cannot be read as a table, or it breaks the contract.
REJECTED = (ExitCode.ERROR, ExitCode.INVALID_DATA)

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_FORMAT,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: Years a date can have but hedgerow cannot store (its timestamps cover 1677-09-22 to 2262-04-11).
OUT_OF_RANGE_YEARS = (1, 1000, 1500, 1677, 2263, 2500, 9999)

#: Numbers beyond the contract's bound, as text and as floats.
HUGE_NUMBERS = (f"{MAX_ABS_NUMBER * 10:g}", "1e300", "-1e300", "9" * 400, "1e309", "-inf", "inf")


class Format(StrEnum):
    """The importers under test, by file suffix."""

    CSV = "csv"
    XLSX = "xlsx"
    PARQUET = "parquet"


class CellBreak(StrEnum):
    """Breaking mutations of one cell or of the header: each makes any import of the table fail."""

    DATE_OUT_OF_RANGE = "date_out_of_range"
    HUGE_NUMBER = "huge_number"
    TEXT_IN_NUMBER = "text_in_number"
    DUPLICATE_HEADER = "duplicate_header"
    MISSING_COLUMN = "missing_column"


class ByteBreak(StrEnum):
    """Breaking mutations of a file's bytes, on top of the cell or header one."""

    NONE = "none"  # the cell or header mutation alone
    GARBAGE = "garbage"  # binary bytes (with NUL) inside the file
    TRUNCATED = "truncated"  # the file cut short (CSV: UTF-16 cut inside a character)
    LEGACY_ENCODING = "legacy_encoding"  # CSV only: cp1252 text read as UTF-8


#: Byte mutations of every format, the file's bytes left alone half the time so that the cell and header
#: mutations reach the parsers.
BYTE_BREAKS = (ByteBreak.NONE, ByteBreak.NONE, ByteBreak.GARBAGE, ByteBreak.TRUNCATED)


@dataclass(frozen=True)
class Table:
    """A contract table as header and rows of typed cells (str, float, datetime or None)."""

    name: TableName
    header: list[str]
    rows: list[list[object]]


def _base_table(name: TableName) -> Table:
    """The fixture network's table, with numbers as floats and dates as date-times."""
    spec = table_spec(name)
    frame = pd.read_csv(NETWORK / f"{name.value}.csv", dtype=str, keep_default_na=False)
    header = list(frame.columns)
    rows: list[list[object]] = []
    for record in frame.itertuples(index=False):
        row: list[object] = []
        for col, cell in zip(header, record, strict=True):
            kind = spec.column_by_name[col].type if col in spec.column_by_name else ColumnType.STRING
            if cell == "":
                row.append(None)
            elif kind in (ColumnType.NUMBER, ColumnType.INTEGER):
                row.append(float(cell))
            elif kind in (ColumnType.DATE, ColumnType.DATETIME):
                when = datetime.fromisoformat(cell)
                row.append(when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when)
            else:
                row.append(cell)
        rows.append(row)
    return Table(name, header, rows)


def _columns_of(spec_columns: tuple[ColumnSpec, ...], header: list[str], *kinds: ColumnType) -> list[str]:
    return [c.name for c in spec_columns if c.type in kinds and c.name in header]


@st.composite
def out_of_range_dates(draw: st.DrawFn) -> datetime:
    """A calendar date-time outside the range hedgerow stores."""
    year = draw(st.sampled_from(OUT_OF_RANGE_YEARS))
    month = draw(st.integers(1, 8 if year == 1677 else 12))
    return datetime(year, month, draw(st.integers(1, 28)), draw(st.integers(0, 23)))


@st.composite
def broken_tables(draw: st.DrawFn) -> tuple[Table, CellBreak]:
    """A fixture table with noise and one breaking mutation of its header or first row."""
    table = _base_table(draw(st.sampled_from(list(TableName))))
    spec = table_spec(table.name).columns
    header, rows = list(table.header), [list(r) for r in table.rows]
    # noise: keep a prefix of the rows (at least one), huge or odd numbers, unusual text
    rows = rows[: draw(st.integers(1, len(rows)))]
    numbers = _columns_of(spec, header, ColumnType.NUMBER, ColumnType.INTEGER)
    strings = _columns_of(spec, header, ColumnType.STRING)
    for _ in range(draw(st.integers(0, 3))):
        r = draw(st.integers(0, len(rows) - 1))
        if numbers and draw(st.booleans()):
            rows[r][header.index(draw(st.sampled_from(numbers)))] = draw(st.floats(allow_nan=False, width=64))
        elif strings:
            rows[r][header.index(draw(st.sampled_from(strings)))] = draw(st.text(max_size=20))
    choices = [CellBreak.DUPLICATE_HEADER, CellBreak.MISSING_COLUMN]
    dates = _columns_of(spec, header, ColumnType.DATE, ColumnType.DATETIME)
    if dates:  # twice as likely: typed out-of-range timestamps are the importers' hardest case
        choices += [CellBreak.DATE_OUT_OF_RANGE, CellBreak.DATE_OUT_OF_RANGE]
    if numbers:
        choices += [CellBreak.HUGE_NUMBER, CellBreak.TEXT_IN_NUMBER]
    breaking = draw(st.sampled_from(choices))
    r = 0  # the first row: noise that cuts the file short keeps the header and it
    if breaking is CellBreak.DATE_OUT_OF_RANGE:
        rows[r][header.index(draw(st.sampled_from(dates)))] = draw(out_of_range_dates())
    elif breaking is CellBreak.HUGE_NUMBER:
        rows[r][header.index(draw(st.sampled_from(numbers)))] = draw(st.sampled_from(HUGE_NUMBERS))
    elif breaking is CellBreak.TEXT_IN_NUMBER:
        rows[r][header.index(draw(st.sampled_from(numbers)))] = "x" + draw(st.text(max_size=8))
    elif breaking is CellBreak.DUPLICATE_HEADER:
        header[draw(st.integers(1, len(header) - 1))] = header[0]
    else:
        required = [c.name for c in spec if c.required and c.name in header]
        drop = header.index(draw(st.sampled_from(required)))
        header = header[:drop] + header[drop + 1 :]
        rows = [row[:drop] + row[drop + 1 :] for row in rows]
    return replace(table, header=header, rows=rows), breaking


def _cell_text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer() and abs(cell) < 1e15:
        return str(int(cell))
    return str(cell)


def _position(draw: st.DrawFn, low: int, high: int) -> int:
    """A position from ``low`` to ``high`` drawn as a share of the span, so that draws do not depend on file
    lengths (a workbook's length varies with its zip metadata)."""
    return low + round(draw(st.floats(0, 1)) * (high - low))


def _garbage(draw: st.DrawFn, data: bytes, start: int = 0) -> bytes:
    """``data`` with binary bytes (always a NUL among them) inserted somewhere after ``start``."""
    noise = b"\x00" + draw(st.binary(min_size=1, max_size=64))
    at = _position(draw, start, len(data))
    return data[:at] + noise + data[at:]


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[TableName, bytes]:
    """A broken CSV file: a broken table written as text, or a table whose bytes are broken."""
    table, _ = draw(broken_tables())
    out = io.StringIO()
    writer = csv.writer(
        out, delimiter=draw(st.sampled_from([",", ";", "\t"])), lineterminator=draw(st.sampled_from(["\n", "\r\n"]))
    )
    writer.writerow(table.header)
    writer.writerow([_cell_text(c) for c in table.rows[0]])
    kept = len(out.getvalue())
    writer.writerows([_cell_text(c) for c in row] for row in table.rows[1:])
    text = out.getvalue()
    if draw(st.booleans()):  # noise: cut anywhere after the first row, which holds the breaking cell
        text = text[: _position(draw, kept, len(text))]
    data = text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"])), errors="replace")
    byte_break = draw(st.sampled_from([*BYTE_BREAKS, ByteBreak.LEGACY_ENCODING]))
    if byte_break is ByteBreak.GARBAGE:
        data = _garbage(draw, data)
    elif byte_break is ByteBreak.TRUNCATED:  # UTF-16 cut inside a character: an odd number of bytes
        data = text.encode("utf-16")
        data = data[: _position(draw, 1, len(data) // 2 - 1) * 2 + 1]
    elif byte_break is ByteBreak.LEGACY_ENCODING:
        data = ("Café;" + text).encode("cp1252", errors="replace")
    return table.name, data


def _xlsx_cell(cell: object) -> object:
    """A cell as a workbook holds it: numbers and date-times typed, huge numbers as text when not finite."""
    if isinstance(cell, str) and cell in HUGE_NUMBERS:
        number = float(cell)
        return number if abs(number) < float("inf") else cell
    if isinstance(cell, str):  # openpyxl refuses control characters in cells
        return "".join(ch for ch in cell if ch.isprintable())
    return cell


def _workbook_bytes(table: Table, title: str, notes: list[tuple[str, str]], data_at: int) -> bytes:
    """``table`` as the sheet ``title`` of a workbook, among sheets ``(name, note)``, at position ``data_at``."""
    book = openpyxl.Workbook()
    book.properties.created = book.properties.modified = NOW.replace(tzinfo=None)
    data_sheet = book.active
    assert data_sheet is not None
    data_sheet.title = title
    data_sheet.append(table.header)
    for row in table.rows:
        data_sheet.append([_xlsx_cell(c) for c in row])
    for name, note in notes:
        book.create_sheet(name).append(["note", note])
    book.move_sheet(data_sheet, offset=min(data_at, len(notes)))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@st.composite
def xlsx_files(draw: st.DrawFn) -> tuple[TableName, bytes]:
    """A broken workbook, often with many sheets around the data sheet."""
    table, _ = draw(broken_tables())
    title = table.name.value if draw(st.booleans()) else "Data"
    notes = [  # noise: notes, covers and other tables' names
        (
            f"Sheet {n}" if draw(st.booleans()) else f"x{n}{draw(st.sampled_from(list(TableName)))}",
            draw(st.text(alphabet=st.characters(categories=["L", "N", "Zs"]), max_size=12)),
        )
        for n in range(draw(st.integers(0, 12)))
    ]
    data = _workbook_bytes(table, title, notes, draw(st.integers(0, 12)) if draw(st.booleans()) else 0)
    byte_break = draw(st.sampled_from(BYTE_BREAKS))
    if byte_break is ByteBreak.GARBAGE:
        data = _garbage(draw, data, start=4)
    elif byte_break is ByteBreak.TRUNCATED:
        data = data[: _position(draw, 4, len(data) - 1)]
    return table.name, data


def _arrow_column(cells: list[object], unit: str, zone: str | None) -> pa.Array:
    """A column as Arrow: timestamps when every cell is a date-time, floats when every cell is a number, else text."""
    present = [c for c in cells if c is not None]
    if present and all(isinstance(c, datetime) for c in present):
        aware = [c.replace(tzinfo=UTC) if zone and isinstance(c, datetime) else c for c in cells]
        return pa.array(aware, pa.timestamp(unit, tz=zone))
    if present and all(isinstance(c, float) for c in present):
        return pa.array(cells, pa.float64())
    return pa.array([None if c is None else _cell_text(c) for c in cells], pa.string())


def _parquet_bytes(table: Table, unit: str, zone: str | None) -> bytes:
    """``table`` as a Parquet file, date-times as timestamps of ``unit`` (s, ms, us) in ``zone``."""
    columns = [_arrow_column([row[i] for row in table.rows], unit, zone) for i in range(len(table.header))]
    out = io.BytesIO()
    pq.write_table(pa.Table.from_arrays(columns, names=table.header), out)
    return out.getvalue()


@st.composite
def parquet_files(draw: st.DrawFn) -> tuple[TableName, bytes]:
    """A broken Parquet file: typed timestamps in any unit and zone, floats, duplicate names, cut or garbled."""
    table, _ = draw(broken_tables())
    data = _parquet_bytes(table, draw(st.sampled_from(["s", "ms", "us"])), draw(st.sampled_from([None, "UTC"])))
    byte_break = draw(st.sampled_from(BYTE_BREAKS))
    if byte_break is ByteBreak.GARBAGE:
        data = _garbage(draw, data)
    elif byte_break is ByteBreak.TRUNCATED:
        data = data[: _position(draw, 4, len(data) - 1)]
    return table.name, data


@pytest.fixture(scope="module")
def workspace_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace holding the fixture network: every fuzzed import meets tables to combine with."""
    root = tmp_path_factory.mktemp("fuzz") / "ws"
    with init_workspace(root) as ws:
        sources, _ = sources_from_folder(NETWORK)
        import_sources(ws, sources, user="tester", now=NOW)
    return root


RUNNER = CliRunner()
CLI_ENV = {"COLUMNS": "200", "HEDGEROW_NOW": NOW.isoformat(), "HEDGEROW_USER": "tester"}


def _check_rejected(root: Path, folder: Path, fmt: Format, table: TableName, data: bytes) -> None:
    path = folder / f"{table.value}.{fmt.value}"
    path.write_bytes(data)
    before = tree_digest(root)
    result = RUNNER.invoke(app, ["import", str(path), "--workspace", str(root)], env=CLI_ENV)
    shown = result.stdout + result.stderr
    assert result.exit_code in REJECTED, (result.exit_code, shown[-2000:])
    assert path.name in shown, shown[-2000:]
    assert "internal error" not in shown
    assert "Traceback" not in shown
    assert tree_digest(root) == before


@FUZZ_SETTINGS
@given(case=csv_files())
def test_broken_csv_is_rejected(
    workspace_root: Path, tmp_path_factory: pytest.TempPathFactory, case: tuple[TableName, bytes]
) -> None:
    _check_rejected(workspace_root, tmp_path_factory.mktemp("csv"), Format.CSV, *case)


@FUZZ_SETTINGS
@given(case=xlsx_files())
def test_broken_xlsx_is_rejected(
    workspace_root: Path, tmp_path_factory: pytest.TempPathFactory, case: tuple[TableName, bytes]
) -> None:
    _check_rejected(workspace_root, tmp_path_factory.mktemp("xlsx"), Format.XLSX, *case)


@FUZZ_SETTINGS
@given(case=parquet_files())
def test_broken_parquet_is_rejected(
    workspace_root: Path, tmp_path_factory: pytest.TempPathFactory, case: tuple[TableName, bytes]
) -> None:
    _check_rejected(workspace_root, tmp_path_factory.mktemp("parquet"), Format.PARQUET, *case)


def _issue_files() -> dict[Format, bytes]:
    """One file per format of the crashes in issue 16: a UTF-16 CSV cut short, a workbook (among sheets) and a
    Parquet file with a period_start outside 1677-2262."""
    demand = _base_table(TableName.DEMAND)
    at = demand.header.index("period_start")
    first = list(demand.rows[0])
    first[at] = datetime(2500, 1, 1)
    late = replace(demand, rows=[first, *demand.rows[1:]])
    first = list(demand.rows[0])
    first[at] = datetime(1500, 1, 1)
    early = replace(demand, rows=[first, *demand.rows[1:]])
    text = (NETWORK / "demand.csv").read_text()
    return {
        Format.CSV: text.encode("utf-16")[:-1],
        Format.XLSX: _workbook_bytes(late, "demand", [("Notes", "read me"), ("Cover", "2026")], 1),
        Format.PARQUET: _parquet_bytes(early, "us", None),
    }


@pytest.mark.parametrize("fmt", list(Format))
def test_console_script_rejects_each_format(workspace_root: Path, tmp_path: Path, fmt: Format) -> None:
    """The installed ``hedgerow`` in a real process: exit code, message and an untouched workspace."""
    path = tmp_path / f"demand.{fmt.value}"
    path.write_bytes(_issue_files()[fmt])
    before = tree_digest(workspace_root)
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("hedgerow")), "import", str(path), "--workspace", str(workspace_root)],
        capture_output=True,
        text=True,
        env={**os.environ, **CLI_ENV},
        check=False,
    )
    expected = ExitCode.ERROR if fmt is Format.CSV else ExitCode.INVALID_DATA
    assert proc.returncode == expected, proc.stderr
    assert f"{path.name}:" in proc.stderr
    if fmt is not Format.CSV:
        assert (
            "1 row has a period_start outside the dates hedgerow stores (1677-09-22 to 2262-04-11); first at row 1"
            in proc.stderr
        )
    assert tree_digest(workspace_root) == before
