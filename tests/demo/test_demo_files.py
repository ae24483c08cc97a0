"""Writing a demo network: CSV files that import as they are, and the truth kept aside."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hedgerow.contract.readers import read_table_file
from hedgerow.contract.spec import TABLES
from hedgerow.contract.validate import validate_frame
from hedgerow.demo import DemoNetwork
from hedgerow.demo.__main__ import main
from hedgerow.demo.files import write_demo_files
from hedgerow.domain.enums import TableName


def test_written_files_read_back_and_validate(small: DemoNetwork, tmp_path: Path) -> None:
    paths = write_demo_files(small, tmp_path / "demo")
    assert set(paths) == set(TableName)
    now = pd.Timestamp(small.spec.as_of)
    for table, path in paths.items():
        assert path == tmp_path / "demo" / f"{table.value}.csv"
        raw = read_table_file(path)
        assert len(raw.frame) == len(small.tables[table])
        typed = validate_frame(TABLES[table], raw.frame, now=now)
        assert typed.errors == (), (table, [e.what for e in typed.errors[:3]])
    truth = pd.read_parquet(tmp_path / "demo" / "truth" / "true_demand.parquet")
    pd.testing.assert_frame_equal(truth, small.true_demand)
    assert (tmp_path / "demo" / "truth" / "catalog.parquet").is_file()


def test_dates_and_timestamps_are_iso(small: DemoNetwork, tmp_path: Path) -> None:
    paths = write_demo_files(small, tmp_path)
    demand_head = paths[TableName.DEMAND].read_text(encoding="utf-8").splitlines()[:2]
    assert demand_head[0] == "item_id,location_id,period_start,qty,stockout_fraction,price,promo"
    assert demand_head[1].split(",")[2] == small.tables[TableName.DEMAND]["period_start"].iloc[0].date().isoformat()
    counted_at = paths[TableName.INVENTORY].read_text(encoding="utf-8").splitlines()[1].split(",")[3]
    assert pd.Timestamp(counted_at) == small.tables[TableName.INVENTORY]["counted_at"].iloc[0]
    assert "T" in counted_at
    in_transit = pd.read_csv(paths[TableName.SHIPMENTS], dtype=str, keep_default_na=False)
    assert (in_transit["delivered_date"] == "").any()


def test_command_line_writes_a_network(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--items", "20", "--weeks", "10", "--locations", "2", "--as-of", "2026-11-23", "--seed", "5"]
    assert main([str(tmp_path), *argv]) == 0
    assert "20 items × 2 locations × 10 weeks" in capsys.readouterr().out
    assert (tmp_path / "demand.csv").is_file()
    assert main(["--no-write", *argv]) == 0
    assert main(["--no-write", "--as-of", "2026-11-24"]) == 2
    assert "Monday" in capsys.readouterr().err
