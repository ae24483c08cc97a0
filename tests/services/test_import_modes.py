"""Import modes keep history safe: upsert by default, append refuses clashes, replace refuses silent losses,
and `imports revert` restores any earlier snapshot."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from hedgerow.contract.combine import combine
from hedgerow.contract.spec import TABLES
from hedgerow.decide.auditchain import EventKind
from hedgerow.domain.enums import ImportMode, TableName
from hedgerow.errors import ImportConflict, NotFound
from hedgerow.services.audit import list_events, verify_audit
from hedgerow.services.importing import ImportSource, import_sources
from hedgerow.services.reverting import REVERT_MODE, revert_import
from hedgerow.services.workspace import Workspace
from tests.services.test_importing import tree_digest

CORRECTION = "item_id,location_id,period_start,qty\nCHG-65,LAX,2026-11-16,999\nCBL-1M,LAX,2026-11-16,700\n"


def _demand(ws: Workspace) -> pd.DataFrame:
    frame = ws.current_frame(TableName.DEMAND)
    assert frame is not None
    return frame


def _import(ws: Workspace, path: Path, now: datetime, **kwargs: object) -> int:
    outcome = import_sources(ws, [ImportSource(path, TableName.DEMAND)], user="ana", now=now, **kwargs)  # type: ignore[arg-type]
    return outcome.tables[0].import_id


@pytest.fixture
def correction(tmp_path: Path) -> Path:
    path = tmp_path / "demand.csv"
    path.write_text(CORRECTION)
    return path


def test_correction_file_cannot_silently_replace_history(
    workspace: Workspace, network_dir: Path, now: datetime, correction: Path
) -> None:
    first = _import(workspace, network_dir / "demand.csv", now)
    history = _demand(workspace)
    assert len(history) == 20

    # the default (upsert) corrects the two weeks and keeps the other 18 rows
    _import(workspace, correction, now)
    after = _demand(workspace)
    assert len(after) == 20
    lax = after[(after.item_id == "CHG-65") & (after.location_id == "LAX")].set_index("period_start")["qty"]
    assert lax[pd.Timestamp("2026-11-16")] == 999
    assert lax[pd.Timestamp("2026-10-26")] == 410

    # an explicit replace would drop 3 weeks of history: refused, saying what it would remove, nothing written
    before = tree_digest(workspace.root)
    with pytest.raises(ImportConflict) as info:
        _import(workspace, correction, now, mode=ImportMode.REPLACE)
    message = str(info.value)
    assert "replace of demand removes 18 of 20 rows" in message
    assert "drops 3 dates of history (2026-10-26 … 2026-11-09)" in message
    assert "leaves 2 rows" in message
    assert "--force" in message
    assert "--mode upsert" in message
    assert tree_digest(workspace.root) == before

    # forced, it replaces; reverting the forced import restores the corrected history exactly
    forced = _import(workspace, correction, now, mode=ImportMode.REPLACE, force=True)
    assert len(_demand(workspace)) == 2
    done = revert_import(workspace, forced, user="bo", now=now + timedelta(minutes=5))
    assert (done.rows_before, done.rows, done.reverted_import_id) == (2, 20, forced)
    pd.testing.assert_frame_equal(_demand(workspace), after)
    record = workspace.current_imports()[TableName.DEMAND]
    assert (record.mode, record.imported_by, record.id) == (REVERT_MODE, "bo", done.import_id)

    # every snapshot stays addressable: the original history is still on record under the first import
    original = workspace.import_history(TableName.DEMAND)[-1]
    assert original.id == first
    pd.testing.assert_frame_equal(workspace.snapshots.read(TableName.DEMAND, original.snapshot_sha256), history)

    events = list_events(workspace, kind=EventKind.IMPORT)
    payload = json.loads(events[0].payload)
    assert (payload["reverts_import_id"], payload["restores_import_id"]) == (forced, forced - 1)
    assert verify_audit(workspace).ok


def test_append_refuses_keys_already_in_the_table(
    workspace: Workspace, network_dir: Path, now: datetime, correction: Path, tmp_path: Path
) -> None:
    _import(workspace, network_dir / "demand.csv", now)
    before = tree_digest(workspace.root)
    with pytest.raises(
        ImportConflict,
        match=r"append to demand: 2 rows have a key already in the table \(e\.g\. "
        r"item_id=CHG-65, location_id=LAX, period_start=2026-11-16; .*--mode upsert",
    ):
        _import(workspace, correction, now, mode=ImportMode.APPEND)
    assert tree_digest(workspace.root) == before
    new_week = tmp_path / "week.csv"
    new_week.write_text("item_id,location_id,period_start,qty\nCHG-65,LAX,2026-11-23,401\n")
    _import(workspace, new_week, now, mode=ImportMode.APPEND)
    assert len(_demand(workspace)) == 21


def test_replace_that_keeps_history_needs_no_force(
    workspace: Workspace, network_dir: Path, now: datetime, tmp_path: Path
) -> None:
    _import(workspace, network_dir / "demand.csv", now)
    trimmed = tmp_path / "demand.csv"
    lines = (network_dir / "demand.csv").read_text().splitlines()
    trimmed.write_text("\n".join(lines[:-4]) + "\n")  # drops one item-location (KIT-LAP), every date stays
    outcome = import_sources(
        workspace, [ImportSource(trimmed, TableName.DEMAND)], user="a", now=now, mode=ImportMode.REPLACE
    )
    assert (outcome.tables[0].removed, outcome.tables[0].rows) == (4, 16)


def test_revert_needs_an_earlier_snapshot_and_force_over_later_imports(
    workspace: Workspace, network_dir: Path, now: datetime, correction: Path, tmp_path: Path
) -> None:
    first = _import(workspace, network_dir / "demand.csv", now)
    with pytest.raises(ImportConflict, match=f"import {first} was the first import of demand"):
        revert_import(workspace, first, user="a", now=now)
    second = _import(workspace, correction, now)
    week = tmp_path / "week.csv"
    week.write_text("item_id,location_id,period_start,qty\nCHG-65,LAX,2026-11-23,401\n")
    third = _import(workspace, week, now)
    with pytest.raises(ImportConflict, match=rf"later imports of demand \({third}\).*revert {third}"):
        revert_import(workspace, second, user="a", now=now)
    with pytest.raises(NotFound, match="no import 999"):
        revert_import(workspace, 999, user="a", now=now)
    done = revert_import(workspace, second, user="a", now=now, force=True)
    assert done.undone_later == (third,)
    assert len(_demand(workspace)) == 20
    pd.testing.assert_frame_equal(
        _demand(workspace),
        workspace.snapshots.read(TableName.DEMAND, workspace.import_history(TableName.DEMAND)[-1].snapshot_sha256),
    )
    # a revert is an import on record: reverting it brings the newest week back
    revert_import(workspace, done.import_id, user="a", now=now)
    assert len(_demand(workspace)) == 21


def test_combine_shrinking_master_data_by_more_than_half_is_destructive() -> None:
    spec = TABLES[TableName.ITEMS]
    current = pd.DataFrame({"item_id": ["A", "B", "C", "D"], "name": ["a", "b", "c", "d"]})
    kept = combine(spec, current, current.iloc[:2], ImportMode.REPLACE)
    assert not kept.destructive  # two of four rows: exactly half is kept
    shrunk = combine(spec, current, current.iloc[:1], ImportMode.REPLACE)
    assert shrunk.destructive
    assert shrunk.loss_text() == "removes 3 of 4 rows (e.g. item_id=B; item_id=C; item_id=D), leaves 1 rows"
    assert not combine(spec, current, current.iloc[:1], ImportMode.UPSERT).destructive
