"""Bad input never produces a traceback: a clear message, a non-zero exit code, and nothing written."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.cli.conftest import Invoke
from tests.conftest import NETWORK, NOW
from tests.services.test_importing import tree_digest

GOOD_DEMAND = (NETWORK / "demand.csv").read_text()


def _demand_parquet(period_start: pa.Array) -> bytes:
    """The fixture demand table as Parquet, with ``period_start`` replaced by ``period_start``."""
    frame = pd.read_csv(NETWORK / "demand.csv")
    columns = {c: pa.array(frame[c]) for c in frame.columns if c != "period_start"}
    out = io.BytesIO()
    pq.write_table(pa.table({**columns, "period_start": period_start}), out)
    return out.getvalue()


def _demand_xlsx(period_start: datetime) -> bytes:
    """The fixture demand table as a workbook whose period_start cells are typed date-times."""
    lines = [line.split(",") for line in GOOD_DEMAND.splitlines()]
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "demand"
    sheet.append(lines[0])
    for item, location, _, *numbers in lines[1:]:
        sheet.append([item, location, period_start, *(float(n) for n in numbers)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


DEMAND_ROWS = GOOD_DEMAND.count("\n") - 1


@pytest.fixture
def ws(hedgerow: Invoke, tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    assert hedgerow("init", str(root)).exit_code == 0
    assert hedgerow("import", str(NETWORK), "-w", str(root)).exit_code == 0
    return root


def _file(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / "in" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# name, file name, content, exit code, expected message fragment
CASES = [
    (
        "wrong types",
        "demand.csv",
        GOOD_DEMAND.replace(",410,", ",four hundred,"),
        3,
        "1 row has a qty that is not a number; first at row 1 (value 'four hundred')",
    ),
    (
        "missing columns",
        "demand.csv",
        GOOD_DEMAND.replace("qty,", "quantity,", 1),
        3,
        "Required column 'qty' is missing",
    ),
    (
        "wrong encoding",
        "items.csv",
        (NETWORK / "items.csv").read_text().replace("Laptop", "Portátil").encode("cp1252"),
        1,
        "not UTF-8 text (invalid byte 0xe1 on line 4)",
    ),
    ("empty file", "demand.csv", b"", 1, "the file is empty (0 bytes)"),
    ("header only", "demand.csv", GOOD_DEMAND.splitlines()[0] + "\n", 3, "The file has no data rows"),
    ("huge numbers", "demand.csv", GOOD_DEMAND.replace(",395,", ",1e300,"), 3, "a qty too large to be real"),
    (
        "dates in the future",
        "demand.csv",
        GOOD_DEMAND.replace("2026-11-16,380", "2031-11-17,380"),
        3,
        "1 row has a period_start in the future",
    ),
    (
        "binary renamed .csv",
        "demand.csv",
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
        1,
        "the file is a PNG image, not CSV text",
    ),
    (
        "xlsx renamed .csv",
        "items.csv",
        (Path(__file__).parent / "data" / "items.xlsx").read_bytes()
        if (Path(__file__).parent / "data" / "items.xlsx").exists()
        else b"PK\x03\x04" + bytes(64),
        1,
        "the file is a ZIP archive (an .xlsx workbook is one), not CSV text",
    ),
    (
        "not a table at all",
        "demand.csv",
        "just some text\nwithout, the columns\n",
        1,
        "not a well-formed CSV table: line 2 has 2 fields but the header has 1",
    ),
    ("text without contract columns", "demand.csv", "a,b\n1,2\n", 3, "Required column 'item_id' is missing"),
    (
        "UTF-16 cut short",
        "demand.csv",
        GOOD_DEMAND.encode("utf-16")[:-1],
        1,
        "demand.csv: the file is UTF-16 text (it starts with a byte-order mark) but ends in the middle of a "
        "character on line 21: it looks cut short",
    ),
    (
        "Parquet date before 1677",
        "demand.parquet",
        _demand_parquet(pa.array([datetime(1500, 1, 1)] * DEMAND_ROWS, pa.timestamp("us"))),
        3,
        f"{DEMAND_ROWS} rows have a period_start outside the dates hedgerow stores (1677-09-22 to 2262-04-11); "
        "first at row 1 (value '1500-01-01')",
    ),
    (
        "Parquet zoned date-time after 2262",
        "demand.parquet",
        _demand_parquet(pa.array([datetime(2500, 1, 1, tzinfo=UTC)] * DEMAND_ROWS, pa.timestamp("ms", tz="UTC"))),
        3,
        f"{DEMAND_ROWS} rows have a period_start outside the dates hedgerow stores (1677-09-22 to 2262-04-11); "
        "first at row 1 (value '2500-01-01",
    ),
    (
        "XLSX date-time after 2262",
        "demand.xlsx",
        _demand_xlsx(datetime(2500, 1, 1)),
        3,
        f"{DEMAND_ROWS} rows have a period_start outside the dates hedgerow stores (1677-09-22 to 2262-04-11); "
        "first at row 1 (value '2500-01-01",
    ),
]


@pytest.mark.parametrize(("name", "file_name", "content", "code", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_input(
    hedgerow: Invoke, ws: Path, tmp_path: Path, name: str, file_name: str, content: bytes | str, code: int, message: str
) -> None:
    before = tree_digest(ws)
    result = hedgerow("import", str(_file(tmp_path, file_name, content)), "-w", str(ws))
    assert result.exit_code == code, (name, result.stdout, result.stderr)
    assert message in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert tree_digest(ws) == before


def test_bad_input_as_json_lists_every_failing_row(hedgerow: Invoke, ws: Path, tmp_path: Path) -> None:
    text = GOOD_DEMAND
    for week in ("2026-10-26,410", "2026-11-02,395", "2026-11-09,520"):
        text = text.replace(week, week.split(",")[0] + ",-1")
    before = tree_digest(ws)
    result = hedgerow("import", str(_file(tmp_path, "demand.csv", text)), "-w", str(ws), "--json")
    assert result.exit_code == 3
    payload = json.loads(result.stdout)
    assert payload["ok"] is False
    (report,) = [r for r in payload["reports"] if not r["ok"]]
    assert [(f["row"], f["column"], f["check"], f["value"]) for f in report["findings"]] == [
        (1, "qty", "min_value", "-1"),
        (2, "qty", "min_value", "-1"),
        (3, "qty", "min_value", "-1"),
    ]
    assert tree_digest(ws) == before


def test_one_bad_file_in_a_folder_rejects_the_whole_batch(hedgerow: Invoke, ws: Path, tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    shutil.copytree(NETWORK, folder)
    (folder / "holds.csv").write_text((NETWORK / "holds.csv").read_text().replace(",300,", ",-300,"))
    before = tree_digest(ws)
    result = hedgerow("import", str(folder), "-w", str(ws))
    assert result.exit_code == 3
    assert "holds.csv: rejected as table holds" in result.stderr
    assert "Nothing was imported." in result.stderr
    assert tree_digest(ws) == before


def test_values_that_look_like_markup_are_printed_literally(hedgerow: Invoke, ws: Path, tmp_path: Path) -> None:
    text = GOOD_DEMAND.replace(",410,", ",[red]410[/red],")
    result = hedgerow("import", str(_file(tmp_path, "demand.csv", text)), "-w", str(ws))
    assert result.exit_code == 3
    assert "(value '[red]410[/red]')" in result.stderr
    assert "[red]410[/red]" in result.stderr.split("failing rows")[1]


def test_missing_workspace_and_missing_file(hedgerow: Invoke, tmp_path: Path, ws: Path) -> None:
    result = hedgerow("status", "-w", str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    assert "is not a hedgerow workspace" in result.stderr
    result = hedgerow("import", str(tmp_path / "demand.csv"), "-w", str(ws))
    assert result.exit_code == 1
    assert "no such file" in result.stderr


def test_real_console_script_prints_no_traceback(ws: Path, tmp_path: Path) -> None:
    """The installed `hedgerow` entry point, in a real process, on a binary file renamed .csv."""
    bad = _file(tmp_path, "demand.csv", bytes(range(256)) * 8)
    exe = Path(sys.executable).with_name("hedgerow")
    env = {**os.environ, "HEDGEROW_NOW": NOW.isoformat(), "COLUMNS": "200"}
    before = tree_digest(ws)
    proc = subprocess.run(
        [str(exe), "import", str(bad), "--workspace", str(ws)], capture_output=True, text=True, env=env, check=False
    )
    assert proc.returncode == 1
    assert "demand.csv: the file is binary data, not CSV text" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert tree_digest(ws) == before
