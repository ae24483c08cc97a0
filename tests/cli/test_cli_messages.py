"""Messages that say what to do (issue 20, items 9 and 10): each real-export mistake gets the fix in its words."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from rich.console import Console
from rich.table import Table

from hedgerow.cli.common import add_id_column, console, err_console
from tests.cli.conftest import Invoke
from tests.conftest import NETWORK

ITEMS_HEADER = ["item_id", "name", "item_class", "unit_cost", "cost_currency"]
ITEM_ROW = ["CHG-65", "USB-C charger", "A", 11.4, "USD"]


@pytest.fixture
def ws(hedgerow: Invoke, tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    assert hedgerow("init", str(root)).exit_code == 0
    return root


def _csv(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / "in" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return path


def _workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path.parent.mkdir(exist_ok=True)
    book.save(path)
    return path


def test_a_notes_sheet_in_front_names_the_sheet_to_read(hedgerow: Invoke, ws: Path, tmp_path: Path) -> None:
    notes = ["Exported from the ERP on 2026-11-30"]
    path = _workbook(tmp_path / "in" / "items.xlsx", {"Notes": [notes], "Sheet2": [ITEMS_HEADER, ITEM_ROW]})
    result = hedgerow("import", str(path), "-w", str(ws))
    assert result.exit_code == 1
    assert "items.xlsx: its first sheet 'Notes' has none of the items columns" in result.stderr
    assert "Import with --sheet 'Sheet2', or name the data sheet 'items'" in result.stderr
    assert hedgerow("import", str(path), "-w", str(ws), "--sheet", "Sheet2").exit_code == 0


def test_a_sheet_named_like_the_table_is_read_without_sheet(hedgerow: Invoke, ws: Path, tmp_path: Path) -> None:
    path = _workbook(tmp_path / "in" / "items.xlsx", {"Notes": [["read me"]], "Items": [ITEMS_HEADER, ITEM_ROW]})
    result = hedgerow("import", str(path), "-w", str(ws), "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["tables"][0]["rows"] == 1


@pytest.mark.parametrize(
    ("cells", "fix"),
    [
        (("30/11/2026", "07/12/2026"), "the dates are day-first: import with --date-format %d/%m/%Y"),
        (("11-30-2026", "12-07-2026"), "the dates are month-first: import with --date-format %m-%d-%Y"),
        (("01.11.26", "02.11.26"), "name the order of the dates: --date-format %d.%m.%y (day first) or %m.%d.%y"),
    ],
)
def test_day_first_dates_name_the_date_format(
    hedgerow: Invoke, ws: Path, tmp_path: Path, cells: tuple[str, str], fix: str
) -> None:
    text = "item_id,location_id,period_start,qty\n" + "".join(f"CHG-65,LAX,{c},3\n" for c in cells)
    result = hedgerow("import", str(_csv(tmp_path, "demand.csv", text)), "-w", str(ws))
    assert result.exit_code == 3
    assert fix in result.stderr


def test_decimal_commas_and_thousands_separators_say_the_separator_is_a_dot(
    hedgerow: Invoke, ws: Path, tmp_path: Path
) -> None:
    text = 'item_id,location_id,period_start,qty\nCHG-65,LAX,2026-11-16,"12,50"\nCHG-65,LAX,2026-11-09,"1,200"\n'
    result = hedgerow("import", str(_csv(tmp_path, "demand.csv", text)), "-w", str(ws))
    assert result.exit_code == 3
    assert (
        "2 rows have a qty that is not a number; the decimal separator is a dot and numbers carry no thousands "
        "separator (12.50, 1200); first at row 1 (value '12,50')"
    ) in result.stderr


def test_lower_case_currency_and_country_codes_are_accepted(hedgerow: Invoke, ws: Path, tmp_path: Path) -> None:
    hedgerow("import", str(NETWORK / "items.csv"), "-w", str(ws))
    text = (NETWORK / "locations.csv").read_text()
    text = text.replace(",US,", ",us,").replace(",USD", ",usd")
    assert ",us," in text
    assert hedgerow("import", str(_csv(tmp_path, "locations.csv", text)), "-w", str(ws)).exit_code == 0
    status = hedgerow("import", str(NETWORK / "locations.csv"), "-w", str(ws), "--json")
    assert json.loads(status.stdout)["tables"][0]["replaced"] == 2  # the same keys and, now, the same codes


def test_a_title_row_above_the_header_is_named(hedgerow: Invoke, ws: Path, tmp_path: Path) -> None:
    text = "Sales export November 2026,,,\nitem_id,location_id,period_start,qty\nCHG-65,LAX,2026-11-16,3\n"
    result = hedgerow("import", str(_csv(tmp_path, "demand.csv", text)), "-w", str(ws))
    assert result.exit_code == 1
    assert (
        "row 1 holds only 'Sales export November 2026' and row 2 looks like the header (item_id, location_id, "
        "period_start, qty); delete the title row(s) above the header"
    ) in result.stderr


def test_a_huge_column_name_is_not_echoed_whole(hedgerow: Invoke, ws: Path, tmp_path: Path) -> None:
    name = "x" * 4096
    text = f"item_id,location_id,period_start,{name}\nCHG-65,LAX,2026-11-16,3\n"
    result = hedgerow("import", str(_csv(tmp_path, "demand.csv", text)), "-w", str(ws))
    assert result.exit_code == 3
    assert "(4,096 characters)" in result.stderr
    assert len(result.stderr) < 2000


def test_one_error_in_one_row_is_singular_and_the_closing_line_fits_the_errors(
    hedgerow: Invoke, ws: Path, tmp_path: Path
) -> None:
    one = _csv(tmp_path, "demand.csv", "item_id,location_id,period_start,qty\nCHG-65,LAX,2026-11-16,-3\n")
    result = hedgerow("import", str(one), "-w", str(ws))
    assert "1 error in 1 row;" in result.stderr
    assert "Fix the errors and the rows listed above and import again." in result.stderr
    no_rows = _csv(tmp_path, "demand.csv", "item_id,location_id,period_start\nCHG-65,LAX,2026-11-16\n")
    result = hedgerow("import", str(no_rows), "-w", str(ws))
    assert "Required column 'qty' is missing" in result.stderr
    assert "Fix the errors above and import again." in result.stderr


def test_ids_are_never_cut_at_80_columns() -> None:
    table = Table(header_style="bold")
    table.add_column("#")
    ids = ["rec-ca05d1f2e3b4a5c6", "rec-0123456789abcdef"]
    add_id_column(table, "id", ids)
    for name in ("action", "value USD", "capital USD", "P(out) now → after", "guardrail"):
        table.add_column(name)
    for rank, rec in enumerate(ids, start=1):
        table.add_row(str(rank), rec, "order 1,200 × CHG-65 from SUP-CN → LAX by ocean", "1,234", "22,222", "12 %", "")
    out = StringIO()
    Console(file=out, width=80).print(table)  # a console that is not a terminal, as when piped
    for rec in ids:
        assert rec in out.getvalue()


def test_version_and_literal_brackets_in_help(hedgerow: Invoke) -> None:
    version = hedgerow("--version")
    assert version.exit_code == 0
    assert version.stdout.startswith("hedgerow ")
    assert version.stdout.split()[1][0].isdigit()
    console.width = err_console.width = 220
    assert "(default: [risk] seed)" in hedgerow("backtest", "--help").stdout
