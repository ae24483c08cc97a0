"""Orphan snapshots are swept, recorded ones never: what a kill between a snapshot write and its ledger commit leaves.

The files a kill leaves are made by hand here (a snapshot and its facts that no import recorded, a ``.tmp-`` file of
a write cut short), aged past the grace period with ``os.utime``; tests/reliability/test_kill.py makes them with
real kills. The sweep must remove exactly those, keep every file a ledger row names however old (imports, a plan's
data, a reconciled count), keep an unrecorded file younger than the grace period (an import in flight elsewhere),
and leave files it did not name alone. An accepted import sweeps before it writes, and an import whose snapshot was
swept between finding it on disk and recording it writes it again (docs/imports.md, "Sweep").
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from hedgerow.cli import app
from hedgerow.decide.records import PlanRecord
from hedgerow.domain.enums import TableName
from hedgerow.services import importing
from hedgerow.services.audit import verify_audit
from hedgerow.services.importing import import_sources, sources_from_folder
from hedgerow.services.recommendations import record_plan
from hedgerow.services.sweeping import ORPHAN_GRACE, SweepOutcome, sweep_orphans
from hedgerow.services.workspace import Workspace, init_workspace
from hedgerow.store.decide_models import ReconciliationRow
from hedgerow.store.snapshots import TMP_PREFIX, SnapshotStore
from tests.conftest import NETWORK, NOW

runner = CliRunner()

#: How far past the grace period the aged files are set: well clear of it whatever the clock does meanwhile.
AGED = 2 * ORPHAN_GRACE


def _age(path: Path, by: timedelta = AGED) -> None:
    """Set a file's modification time ``by`` into the past."""
    then = time.time() - by.total_seconds()
    os.utime(path, (then, then))


def _orphan(store: SnapshotStore, table: TableName, rows: int) -> tuple[Path, Path]:
    """A snapshot and its facts that no ledger row names, as a kill after ``put`` and before the commit leaves."""
    frame = pd.DataFrame({"item_id": [f"ORPHAN-{i}" for i in range(rows)], "n": range(rows)})
    sha, data = store.encode(frame)
    snapshot = store.put(table, sha, data)
    facts = store.facts_path(table, sha)
    facts.write_text("{}", encoding="utf-8")  # only the name matters to the sweep
    return snapshot, facts


def _recorded_files(ws: Workspace) -> set[Path]:
    """Every snapshot file and facts file of the recorded imports."""
    return {
        path
        for r in ws.import_history()
        for path in (
            ws.snapshots.path_of(TableName(r.table_name), r.snapshot_sha256),
            ws.snapshots.facts_path(TableName(r.table_name), r.snapshot_sha256),
        )
    }


@pytest.fixture
def imported(workspace: Workspace) -> Workspace:
    """The fixture network imported, every file of it aged past the grace period."""
    import_sources(workspace, sources_from_folder(NETWORK)[0], user="ana", now=NOW)
    for path in workspace.snapshots.root.rglob("*"):
        if path.is_file():
            _age(path)
    return workspace


def test_sweep_removes_the_orphans_and_keeps_every_recorded_snapshot(imported: Workspace) -> None:
    store = imported.snapshots
    recorded = _recorded_files(imported)
    assert len(recorded) == 2 * len(TableName)  # every table imported, each with its facts
    orphans = [*_orphan(store, TableName.DEMAND, 3), *_orphan(store, TableName.SIGNALS, 2)]
    tmp = store.root / TableName.ITEMS.value / f"{TMP_PREFIX}k1ll3d.parquet"
    tmp.write_bytes(b"PAR1 cut short")
    stray = store.root / TableName.ITEMS.value / "README.txt"  # not a name hedgerow writes: never its to remove
    stray.write_text("kept by hand", encoding="utf-8")
    for path in [*orphans, tmp, stray]:
        _age(path)
    fresh = _orphan(store, TableName.LANES, 1)  # an import in flight in another process, not recorded yet

    sizes = sum(p.stat().st_size for p in [*orphans, tmp])

    done = sweep_orphans(imported, now=datetime.now(UTC))

    assert sorted(done.removed) == sorted([*orphans, tmp])
    assert sorted(done.recent) == sorted(fresh)
    assert done.referenced_files == len(recorded)
    assert done.bytes_freed == sizes
    assert not any(p.exists() for p in [*orphans, tmp])
    assert all(p.exists() for p in [*recorded, *fresh, stray])
    for r in imported.import_history():
        assert store.verify(TableName(r.table_name), r.snapshot_sha256), r.table_name
    assert verify_audit(imported).ok
    again = sweep_orphans(imported, now=datetime.now(UTC))
    assert again.removed == ()
    assert sorted(again.recent) == sorted(fresh)


def test_a_fresh_orphan_is_kept_until_the_grace_period_has_passed(imported: Workspace) -> None:
    snapshot, facts = _orphan(imported.snapshots, TableName.DEMAND, 4)
    _age(snapshot, ORPHAN_GRACE - timedelta(minutes=5))
    _age(facts, ORPHAN_GRACE - timedelta(minutes=5))
    assert sweep_orphans(imported, now=datetime.now(UTC)).removed == ()
    later = datetime.now(UTC) + timedelta(minutes=10)  # the same files, ten minutes on
    assert set(sweep_orphans(imported, now=later).removed) == {snapshot, facts}


def test_a_snapshot_named_only_by_a_plan_or_a_reconciliation_is_kept(imported: Workspace) -> None:
    """Imports are not the only rows naming snapshots: a plan's data and a reconciled count keep theirs too."""
    store = imported.snapshots
    planned, planned_facts = _orphan(store, TableName.DEMAND, 5)
    counted, counted_facts = _orphan(store, TableName.INVENTORY, 6)
    for path in (planned, planned_facts, counted, counted_facts):
        _age(path)
    settings = hashlib.sha256(b"settings").hexdigest()
    plan = PlanRecord(
        plan_id="P-SWEEP",
        created_at=NOW,
        seed=1,
        scenario_count=10,
        horizon_periods=4,
        base_currency="USD",
        snapshots={"demand": planned.name.removesuffix(".parquet"), "settings": settings},
        settings_digest=settings,
        recommendations=(),
    )
    record_plan(imported, plan, user="ana", now=NOW)
    with Session(imported.engine) as session, session.begin():
        session.add(
            ReconciliationRow(
                at=NOW,
                by="ana",
                inventory_snapshot=counted.name.removesuffix(".parquet"),
                base_currency="USD",
                lines=0,
                abs_diff_units=0.0,
                abs_diff_value_base=0.0,
            )
        )
    assert sweep_orphans(imported, now=datetime.now(UTC)).removed == ()
    assert all(p.exists() for p in (planned, planned_facts, counted, counted_facts))


def test_the_next_import_sweeps_before_it_writes(imported: Workspace, tmp_path: Path) -> None:
    orphans = _orphan(imported.snapshots, TableName.DEMAND, 7)
    for path in orphans:
        _age(path)
    changed = tmp_path / "items.csv"
    shutil.copy(NETWORK / "items.csv", changed)
    with changed.open("a", encoding="utf-8") as fh:  # a new item: the import writes a new items snapshot
        header = (NETWORK / "items.csv").read_text(encoding="utf-8").splitlines()
        fh.write(_new_item_row(header[0], header[1]) + "\n")
    outcome = import_sources(imported, sources_from_folder(tmp_path)[0], user="ana", now=NOW)
    assert set(outcome.swept) == set(orphans)
    assert not any(p.exists() for p in orphans)
    assert all(p.exists() for p in _recorded_files(imported))
    assert verify_audit(imported).ok


def _new_item_row(header: str, example: str) -> str:
    """A copy of an items row with a new item id (the key)."""
    columns = header.split(",")
    values = example.split(",")
    values[columns.index("item_id")] = "SWEEP-NEW"
    return ",".join(values)


def test_an_import_rewrites_a_snapshot_swept_while_it_ran(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The race the ledger lock closes: an import finds its snapshot on disk (an old orphan with the same content),
    skips the write, and another process's sweep removes it before the import records it. Without the re-check
    under the lock the ledger would name 13 missing files."""
    template = init_workspace(tmp_path / "template")
    import_sources(template, sources_from_folder(NETWORK)[0], user="ana", now=NOW)
    template.close()
    with init_workspace(tmp_path / "ws") as ws, init_workspace_handle(ws) as elsewhere:
        shutil.copytree(template.snapshots.root, ws.snapshots.root)  # same content, recorded by nothing here
        for path in ws.snapshots.root.rglob("*"):
            _age(path)
        empty = SweepOutcome(removed=(), recent=(), referenced_files=0, bytes_freed=0)
        monkeypatch.setattr(importing, "sweep_orphans", lambda *_a, **_k: empty)  # this import's own sweep: later
        real_write = importing.ledger_write
        swept: list[SweepOutcome] = []

        @contextmanager
        def after_a_sweep_elsewhere(w: Workspace, *, actor: str, at: datetime) -> Iterator[Session]:
            swept.append(sweep_orphans(elsewhere, now=datetime.now(UTC)))
            with real_write(w, actor=actor, at=at) as session:
                yield session

        monkeypatch.setattr(importing, "ledger_write", after_a_sweep_elsewhere)
        import_sources(ws, sources_from_folder(NETWORK)[0], user="ana", now=NOW)
        removed = swept[0].removed  # every snapshot the import found; its facts it had just rewritten (too recent)
        assert len(removed) == len(TableName)
        assert {p.suffix for p in removed} == {".parquet"}
        for r in ws.import_history():
            assert ws.snapshots.verify(TableName(r.table_name), r.snapshot_sha256), r.table_name
        assert ws.current_frame(TableName.DEMAND) is not None


@contextmanager
def init_workspace_handle(ws: Workspace) -> Iterator[Workspace]:
    """A second handle on ``ws`` (its own engine), as another process would hold."""
    other = Workspace(root=ws.root, settings=ws.settings, ledger_url=ws.ledger_url)
    try:
        yield other
    finally:
        other.close()


def test_imports_sweep_on_the_command_line(imported: Workspace) -> None:
    orphans = _orphan(imported.snapshots, TableName.DEMAND, 2)
    kept = runner.invoke(app, ["imports", "sweep", "-w", str(imported.root), "--json"])
    assert kept.exit_code == 0, kept.output
    assert json.loads(kept.output)["recent"] == [str(p) for p in sorted(orphans)]
    done = runner.invoke(app, ["imports", "sweep", "-w", str(imported.root), "--older-than", "0"])
    assert done.exit_code == 0, done.output
    assert "removed 2 unrecorded snapshot files" in done.output
    assert f"kept {2 * len(TableName)} recorded ones" in done.output
    assert not any(p.exists() for p in orphans)
