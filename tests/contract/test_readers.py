"""Files that are not tables get a clear InputFileError naming the file and the problem."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from hedgerow.contract.readers import FileFormat, detect_format, read_table_file
from hedgerow.domain.enums import TableName
from hedgerow.errors import InputFileError
from tests.conftest import NETWORK

ITEMS_CSV = (NETWORK / "items.csv").read_text(encoding="utf-8")


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _xlsx_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False, engine="openpyxl")
    return buffer.getvalue()


def test_csv_cells_stay_text_and_rows_are_numbered_from_one(tmp_path: Path) -> None:
    raw = read_table_file(NETWORK / "items.csv")
    assert list(raw.frame.index) == [1, 2, 3, 4]
    assert raw.frame.at[1, "unit_cost"] == "11.40"  # not 11.4: reports quote the file
    assert raw.source.format is FileFormat.CSV
    assert raw.source.size_bytes == len(ITEMS_CSV.encode())


def test_semicolon_separated_and_bom_and_padded_header(tmp_path: Path) -> None:
    text = ITEMS_CSV.replace(",", ";").replace("item_id;", " item_id ;", 1)
    raw = read_table_file(_write(tmp_path, "items.csv", b"\xef\xbb\xbf" + text.encode()))
    assert list(raw.frame.columns)[:2] == ["item_id", "name"]
    assert raw.frame.at[4, "name"] == "Laptop starter kit"


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    raw = read_table_file(_write(tmp_path, "items.csv", ITEMS_CSV.encode("utf-16")))
    assert raw.frame.at[2, "item_id"] == "CBL-1M"


def test_latin1_file_gets_a_clear_error_and_reads_with_encoding(tmp_path: Path) -> None:
    data = ITEMS_CSV.replace("Shenzhen", "Café").replace("USB-C charger", "Chargeur é").encode("latin-1")
    path = _write(tmp_path, "items.csv", data)
    with pytest.raises(InputFileError, match=r"items\.csv: not UTF-8 text \(invalid byte 0xe9 on line 2\).*--encoding"):
        read_table_file(path)
    assert read_table_file(path, encoding="latin-1").frame.at[1, "name"] == "Chargeur é 65W"


@pytest.mark.parametrize(
    ("payload", "kind"),
    [
        (b"PK\x03\x04" + b"\x00" * 100, r"a ZIP archive \(an .xlsx workbook is one\)"),
        (b"PAR1" + b"\x00" * 100, "a Parquet file"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "a PNG image"),
        (b"\x00\x01\x02\x03garbage\x00", "binary data"),
    ],
)
def test_binary_file_renamed_csv(tmp_path: Path, payload: bytes, kind: str) -> None:
    with pytest.raises(InputFileError, match=f"demand.csv: the file is {kind}, not CSV text"):
        read_table_file(_write(tmp_path, "demand.csv", payload))


def test_empty_and_blank_files(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"empty \(0 bytes\)"):
        read_table_file(_write(tmp_path, "items.csv", b""))
    with pytest.raises(InputFileError, match="the file is empty"):
        read_table_file(_write(tmp_path, "items2.csv", b"\n\n  \n"))


def test_header_only_file_reads_as_zero_rows(tmp_path: Path) -> None:
    raw = read_table_file(_write(tmp_path, "items.csv", ITEMS_CSV.splitlines()[0].encode() + b"\n"))
    assert len(raw.frame) == 0
    assert "item_id" in raw.frame.columns


def test_duplicate_column_names_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="more than once: qty"):
        read_table_file(_write(tmp_path, "demand.csv", b"item_id,qty,qty\nA,1,2\n"))


def test_values_under_a_nameless_column_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="column 3 has values but no name"):
        read_table_file(_write(tmp_path, "demand.csv", b"item_id,qty,\nA,1,oops\n"))
    # an empty trailing column (Excel habit) is dropped silently
    raw = read_table_file(_write(tmp_path, "ok.csv", b"item_id,qty,\nA,1,\n"))
    assert list(raw.frame.columns) == ["item_id", "qty"]


def test_ragged_csv_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="not a well-formed CSV table"):
        read_table_file(_write(tmp_path, "items.csv", b"a,b\n1,2\n3,4,5,6\n"))


def test_xlsx_and_parquet(tmp_path: Path) -> None:
    frame = pd.read_csv(NETWORK / "items.csv", dtype=str)
    xlsx = read_table_file(_write(tmp_path, "items.xlsx", _xlsx_bytes(frame)))
    assert xlsx.source.format is FileFormat.XLSX
    assert list(xlsx.frame.index) == [1, 2, 3, 4]
    assert xlsx.frame.at[3, "item_id"] == "LAP-14"
    pq_path = tmp_path / "items.parquet"
    frame.to_parquet(pq_path)
    parquet = read_table_file(pq_path)
    assert parquet.source.format is FileFormat.PARQUET
    assert list(parquet.frame.index) == [1, 2, 3, 4]


def test_xlsx_that_is_not_a_workbook(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"items\.xlsx: the file is text, not an \.xlsx workbook"):
        read_table_file(_write(tmp_path, "items.xlsx", ITEMS_CSV.encode()))
    with pytest.raises(InputFileError, match=r"not a readable \.xlsx workbook"):
        read_table_file(_write(tmp_path, "broken.xlsx", b"PK\x03\x04" + b"\x00" * 64))


def test_workbook_whose_first_sheet_is_damaged(tmp_path: Path) -> None:
    """The sheet list reads but the first sheet does not (found by tests/reliability): a rejection, not a crash."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        pd.DataFrame({"note": ["read me"]}).to_excel(writer, sheet_name="Notes", index=False)
        pd.read_csv(NETWORK / "items.csv", dtype=str).to_excel(writer, sheet_name="Data", index=False)
    data = bytearray(buffer.getvalue())
    member = data.index(b"xl/worksheets/sheet1.xml")  # its local header: signature, then 26 bytes, then the name
    data[member - 30 : member - 26] = b"XXXX"
    with pytest.raises(
        InputFileError, match=r"items\.xlsx: sheet 'Notes' is not readable \(.*the workbook looks damaged"
    ):
        read_table_file(_write(tmp_path, "items.xlsx", bytes(data)), table=TableName.ITEMS)


def test_corrupt_parquet(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="not a readable Parquet file"):
        read_table_file(_write(tmp_path, "items.parquet", b"PAR1" + b"\x01" * 64 + b"PAR1"))


def test_unknown_suffix_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"unknown file type '\.json'"):
        detect_format(Path("items.json"))
    with pytest.raises(InputFileError, match="no such file"):
        read_table_file(tmp_path / "nope.csv")
