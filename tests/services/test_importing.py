"""Imports are atomic, content-addressed and leave a complete lineage record."""

from __future__ import annotations

import hashlib
import shutil
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from hedgerow.contract.spec import CONTRACT_VERSION
from hedgerow.domain.enums import TableName
from hedgerow.errors import InputFileError, ValidationFailed
from hedgerow.services import importing
from hedgerow.services.importing import ImportMode, ImportSource, import_sources, sources_from_folder
from hedgerow.services.workspace import Workspace


def tree_digest(root: Path) -> dict[str, str]:
    """SHA-256 of every file under ``root`` by relative path: equal digests mean byte-identical trees."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _import_network(ws: Workspace, network_dir: Path, now: datetime) -> importing.ImportOutcome:
    sources, skipped = sources_from_folder(network_dir)
    assert skipped == []
    return import_sources(ws, sources, user="ana", now=now)


def test_folder_import_records_lineage_for_every_table(workspace: Workspace, network_dir: Path, now: datetime) -> None:
    outcome = _import_network(workspace, network_dir, now)
    assert {t.table for t in outcome.tables} == set(TableName)
    records = workspace.current_imports()
    items = records[TableName.ITEMS]
    source = network_dir / "items.csv"
    assert items.source_name == "items.csv"
    assert items.source_sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert items.source_size_bytes == source.stat().st_size
    assert items.rows == 4
    assert items.imported_by == "ana"
    assert items.contract_version == CONTRACT_VERSION
    assert items.trust_score == 100.0
    assert len({r.batch_id for r in records.values()}) == 1
    for table, record in records.items():
        assert workspace.snapshots.verify(table, record.snapshot_sha256)


def test_snapshot_roundtrip_keeps_types_and_values(workspace: Workspace, network_dir: Path, now: datetime) -> None:
    _import_network(workspace, network_dir, now)
    demand = workspace.current_frame(TableName.DEMAND)
    assert demand is not None
    assert len(demand) == 20
    assert demand["qty"].sum() == pd.read_csv(network_dir / "demand.csv")["qty"].sum()
    assert str(demand["period_start"].dtype) == "datetime64[ns]"
    assert list(demand.columns) == [
        "item_id",
        "location_id",
        "period_start",
        "qty",
        "stockout_fraction",
        "price",
        "promo",
    ]


def test_same_content_gives_the_same_snapshot(workspace: Workspace, network_dir: Path, now: datetime) -> None:
    first = import_sources(workspace, [ImportSource(network_dir / "items.csv", TableName.ITEMS)], user="a", now=now)
    second = import_sources(workspace, [ImportSource(network_dir / "items.csv", TableName.ITEMS)], user="b", now=now)
    assert first.tables[0].snapshot_sha256 == second.tables[0].snapshot_sha256
    assert len(workspace.import_history(TableName.ITEMS)) == 2  # both imports are on record


def test_failed_import_leaves_the_workspace_byte_identical(
    workspace: Workspace, network_dir: Path, now: datetime, tmp_path: Path
) -> None:
    _import_network(workspace, network_dir, now)
    before = tree_digest(workspace.root)
    bad = tmp_path / "batch"
    shutil.copytree(network_dir, bad)
    text = (bad / "demand.csv").read_text().replace("CHG-65,LAX,2026-11-16,380", "CHG-65,LAX,2026-11-16,-380")
    (bad / "demand.csv").write_text(text)
    sources, _ = sources_from_folder(bad)
    with pytest.raises(ValidationFailed) as info:
        import_sources(workspace, sources, user="ana", now=now)
    rejected = [r for r in info.value.reports if not r.ok]
    assert [r.table for r in rejected] == [TableName.DEMAND]
    assert "1 row has a negative qty; first at row 4" in str(info.value)
    assert len(info.value.reports) == len(TableName)  # every file was checked, not only up to the first error
    assert tree_digest(workspace.root) == before


def test_first_import_rejected_leaves_a_fresh_workspace_identical(
    workspace: Workspace, tmp_path: Path, now: datetime
) -> None:
    before = tree_digest(workspace.root)
    bad = tmp_path / "items.csv"
    bad.write_text("item_id,name\nA,x\n")
    with pytest.raises(ValidationFailed):
        import_sources(workspace, [ImportSource(bad, TableName.ITEMS)], user="a", now=now)
    assert tree_digest(workspace.root) == before


def test_ledger_failure_removes_the_new_snapshots(
    workspace: Workspace, network_dir: Path, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = tree_digest(workspace.root)

    class Boom(RuntimeError):
        pass

    def fail(*_args: object, **_kwargs: object) -> None:
        raise Boom("disk full")

    monkeypatch.setattr("sqlalchemy.orm.Session.add_all", fail)
    with pytest.raises(Boom):
        import_sources(workspace, [ImportSource(network_dir / "items.csv", TableName.ITEMS)], user="a", now=now)
    assert tree_digest(workspace.root) == before


def test_default_mode_upserts_by_key_and_new_rows_win(
    workspace: Workspace, network_dir: Path, now: datetime, tmp_path: Path
) -> None:
    import_sources(workspace, [ImportSource(network_dir / "demand.csv", TableName.DEMAND)], user="a", now=now)
    extra = tmp_path / "demand.csv"
    extra.write_text(
        "item_id,location_id,period_start,qty\n"
        "CHG-65,LAX,2026-11-16,999\n"  # corrects an existing week
        "CHG-65,LAX,2026-11-23,401\n"  # a new week
    )
    outcome = import_sources(workspace, [ImportSource(extra, TableName.DEMAND)], user="a", now=now)
    demand = workspace.current_frame(TableName.DEMAND)
    assert demand is not None
    assert len(demand) == 21
    series = demand[(demand.item_id == "CHG-65") & (demand.location_id == "LAX")].set_index("period_start")["qty"]
    assert series[pd.Timestamp("2026-11-16")] == 999
    assert series[pd.Timestamp("2026-11-23")] == 401
    assert workspace.current_imports()[TableName.DEMAND].mode == "upsert"
    change = outcome.tables[0]
    assert (change.mode, change.before_rows, change.added, change.replaced, change.removed) == (
        ImportMode.UPSERT,
        20,
        1,
        1,
        0,
    )
    assert change.change_text() == "upsert: 1 added, 1 replaced (20 → 21 rows)"


def test_references_are_checked_against_the_batch_and_the_workspace(
    workspace: Workspace, network_dir: Path, now: datetime, tmp_path: Path
) -> None:
    import_sources(workspace, [ImportSource(network_dir / "items.csv", TableName.ITEMS)], user="a", now=now)
    demand = tmp_path / "demand.csv"
    demand.write_text("item_id,location_id,period_start,qty\nCHG-65,LAX,2026-11-16,3\nGHOST,LAX,2026-11-16,1\n")
    locations = network_dir / "locations.csv"
    outcome = import_sources(
        workspace,
        [ImportSource(locations, TableName.LOCATIONS), ImportSource(demand, TableName.DEMAND)],
        user="a",
        now=now,
    )
    report = next(r for r in outcome.reports if r.table is TableName.DEMAND)
    assert [(f.check.value, f.row, f.value) for f in report.warnings] == [("unknown_reference", 2, "GHOST")]
    assert report.trust_score == 50.0


def test_folder_skips_other_files_and_rejects_two_files_for_one_table(tmp_path: Path, network_dir: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    shutil.copy(network_dir / "items.csv", folder)
    (folder / "README.txt").write_text("notes")
    sources, skipped = sources_from_folder(folder)
    assert [s.table for s in sources] == [TableName.ITEMS]
    assert skipped == ["README.txt"]
    shutil.copy(network_dir / "items.csv", folder / "items.parquet.csv")
    with pytest.raises(InputFileError, match="two files for table items"):
        sources_from_folder(folder)
