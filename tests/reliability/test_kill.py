"""SIGKILL during `hedgerow import` and `hedgerow plan`: the workspace stays consistent and the next run succeeds.

Each trial runs the real command in a subprocess and kills it (SIGKILL: no handler, no cleanup) at one point of
its run; the points are placed on the command's own uninterrupted run, measured first in the same test: at
fractions of its run time, and for the import also as soon as its k-th snapshot file appears (the window between
the snapshot writes and the ledger commit, which a kill at a time rarely hits). After each kill:

- ``verify_audit`` is intact: every ledger row is bound to the event that wrote it;
- every import batch is complete (all tables of the fixture network) or absent, every plan has all its
  recommendations or is absent;
- every snapshot the ledger names hashes to its name and reads as a table;
- the files the kill left that no ledger row names are exactly what the sweep removes (a sweep at a time past
  the grace period), and no named file is removed;
- the same command run again succeeds, and leaves the ledger as an uninterrupted run does.

docs/reliability.md has the figures.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hedgerow.domain.enums import TableName
from hedgerow.services.audit import verify_audit
from hedgerow.services.importing import import_sources, sources_from_folder
from hedgerow.services.sweeping import ORPHAN_GRACE, sweep_orphans
from hedgerow.services.workspace import init_workspace, open_workspace
from hedgerow.store.decide_models import AuditEvent, PlanRow, RecommendationRow
from hedgerow.store.lineage_models import ImportRecord
from tests.conftest import NETWORK, NOW

pytestmark = pytest.mark.slow

ENTRY = "from hedgerow.cli import main; main()"
#: Fractions of the measured uninterrupted run time at which a trial is killed.
IMPORT_KILL_FRACTIONS = (0.5, 0.9)
PLAN_KILL_FRACTIONS = (0.5, 0.85, 0.97)
#: Snapshot-store files (snapshots, facts, temporary files) after whose appearance an import is killed: the first,
#: every snapshot of the batch without all its facts, and every file of the batch (just before the commit).
IMPORT_KILL_AFTER_FILES = (1, len(TableName) + 1, 2 * len(TableName))
#: How often the test looks at the clock and the snapshot store while the command runs.
POLL_S = 0.002
#: A run may take this many times its measured uninterrupted time before it is taken for hung.
HANG_FACTOR = 10.0
#: An uninterrupted run measured first may take this many measured start-ups before it is taken for hung.
CALIBRATION_STARTUPS = 60.0
ENV = {"HEDGEROW_NOW": NOW.isoformat(), "HEDGEROW_USER": "ana"}


@dataclass(frozen=True)
class Run:
    """One run of a command: whether the test killed it, after how long, and its exit code."""

    killed: bool
    seconds: float
    returncode: int
    output: str


def _store_files(root: Path) -> int:
    folder = root / "snapshots"
    return sum(1 for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0


def _run(args: list[str], log: Path, *, guard_s: float, kill_when: Callable[[float], bool] | None = None) -> Run:
    """Run ``hedgerow ARGS`` (output to ``log``); SIGKILL it as soon as ``kill_when(seconds since start)`` holds."""
    began = time.monotonic()
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen([sys.executable, "-c", ENTRY, *args], env=os.environ | ENV, stdout=out, stderr=out)
        try:
            while proc.poll() is None:
                elapsed = time.monotonic() - began
                if elapsed > guard_s:
                    pytest.fail(f"hedgerow {' '.join(args)} still running after {guard_s:.1f} s")
                if kill_when is not None and kill_when(elapsed):
                    proc.send_signal(signal.SIGKILL)
                    break
                time.sleep(POLL_S)
            proc.wait()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return Run(
        killed=proc.returncode == -signal.SIGKILL,
        seconds=time.monotonic() - began,
        returncode=proc.returncode,
        output=log.read_text(encoding="utf-8", errors="replace")[-2000:],
    )


def _startup_s(log: Path) -> float:
    """Seconds `hedgerow validate` takes on one small file: the start-up of a command that loads the data stack."""
    done = _run(["validate", str(NETWORK / "items.csv")], log, guard_s=float("inf"))
    assert done.returncode == 0, done.output
    return done.seconds


@dataclass(frozen=True)
class State:
    """What a workspace holds after a run: its ledger rows by kind and the store files no row names."""

    batches: dict[str, set[str]]
    plans: dict[str, int]
    events: Counter[str]
    orphans: set[Path]


def _consistent(root: Path) -> State:
    """Check a workspace as a kill may have left it (see the module docstring) and describe it."""
    with open_workspace(root) as ws:
        report = verify_audit(ws)
        assert report.ok, report.to_dict()
        with ws.session() as s:
            batches: dict[str, set[str]] = {}
            for batch, table in s.execute(select(ImportRecord.batch_id, ImportRecord.table_name)):
                batches.setdefault(batch, set()).add(table)
            plans = dict(
                s.execute(
                    select(PlanRow.id, func.count(RecommendationRow.id))
                    .outerjoin(RecommendationRow, RecommendationRow.plan_id == PlanRow.id)
                    .group_by(PlanRow.id)
                ).all()
            )
            events = Counter(s.scalars(select(AuditEvent.kind)).all())
        every_table = {t.value for t in TableName}
        assert all(tables == every_table for tables in batches.values()), batches
        assert events["import"] == len(every_table) * len(batches)
        named = set()
        for r in ws.import_history():
            table = TableName(r.table_name)
            assert ws.snapshots.verify(table, r.snapshot_sha256), f"{table.value} {r.snapshot_sha256}"
            assert len(ws.snapshots.read(table, r.snapshot_sha256)) == r.rows
            named.add(ws.snapshots.path_of(table, r.snapshot_sha256))
            named.add(ws.snapshots.facts_path(table, r.snapshot_sha256))
        orphans = {f.path for f in ws.snapshots.files()} - named
        swept = sweep_orphans(ws, now=datetime.now(UTC) + ORPHAN_GRACE + timedelta(minutes=1))
        assert set(swept.removed) == orphans
        assert all(p.exists() for p in named if p.suffix == ".parquet")
    return State(batches=batches, plans=plans, events=events, orphans=orphans)


def test_kill_import_at_any_point(tmp_path: Path) -> None:
    import_args = ["import", str(NETWORK), "--json", "-w"]
    start = _startup_s(tmp_path / "startup.log")
    calibration = tmp_path / "calibration"
    init_workspace(calibration).close()
    clean = _run([*import_args, str(calibration)], tmp_path / "calibration.log", guard_s=CALIBRATION_STARTUPS * start)
    assert clean.returncode == 0, clean.output
    assert _consistent(calibration).orphans == set()
    guard = HANG_FACTOR * clean.seconds
    runs = [clean.seconds]  # uninterrupted runs so far: the fractions are of the quickest (the others met contention)
    triggers: list[tuple[str, Callable[[Path], Callable[[float], bool]]]] = [
        *((f"{f:.0%} of the run", lambda _r, f=f: lambda t: t >= f * min(runs)) for f in IMPORT_KILL_FRACTIONS),
        *((f"file {n}", lambda r, n=n: lambda _t: _store_files(r) >= n) for n in IMPORT_KILL_AFTER_FILES),
    ]  # fmt: skip
    figures = []
    for i, (label, trigger) in enumerate(triggers):
        root = tmp_path / f"trial-{i}"
        init_workspace(root).close()
        killed = _run([*import_args, str(root)], tmp_path / f"kill-{i}.log", guard_s=guard, kill_when=trigger(root))
        after_kill = _consistent(root)
        again = _run([*import_args, str(root)], tmp_path / f"rerun-{i}.log", guard_s=guard)
        assert again.returncode == 0, again.output
        runs.append(again.seconds)
        after_rerun = _consistent(root)
        assert len(after_rerun.batches) == len(after_kill.batches) + 1
        assert after_rerun.orphans == set()
        figures.append(
            f"{label}: killed={killed.killed} at {killed.seconds:.2f} s of {min(runs[:-1]):.2f} s, "
            f"committed={bool(after_kill.batches)}, "
            f"orphans={len(after_kill.orphans)}"
        )
    print("\n".join([f"import, uninterrupted runs {', '.join(f'{r:.2f}' for r in runs)} s", *figures]))


def test_kill_plan_at_any_point(tmp_path: Path) -> None:
    template = tmp_path / "template"
    with init_workspace(template) as ws:
        import_sources(ws, sources_from_folder(NETWORK)[0], user="ana", now=NOW)
    plan_args = ["plan", "--json", "-w"]
    start = _startup_s(tmp_path / "startup.log")
    calibration = tmp_path / "calibration"
    shutil.copytree(template, calibration)
    clean = _run([*plan_args, str(calibration)], tmp_path / "calibration.log", guard_s=CALIBRATION_STARTUPS * start)
    assert clean.returncode == 0, clean.output
    expected = _consistent(calibration)
    assert len(expected.plans) == 1
    assert next(iter(expected.plans.values())) > 0
    guard = HANG_FACTOR * clean.seconds
    runs = [clean.seconds]  # uninterrupted runs so far: the fractions are of the quickest (the others met contention)
    figures = []
    for i, fraction in enumerate(PLAN_KILL_FRACTIONS):
        root = tmp_path / f"trial-{i}"
        shutil.copytree(template, root)
        kill_at = fraction * min(runs)
        killed = _run(
            [*plan_args, str(root)],
            tmp_path / f"kill-{i}.log",
            guard_s=guard,
            kill_when=lambda t, at=kill_at: t >= at,
        )
        after_kill = _consistent(root)
        assert after_kill.plans in ({}, expected.plans)  # the plan with all its recommendations, or nothing
        again = _run([*plan_args, str(root)], tmp_path / f"rerun-{i}.log", guard_s=guard)
        assert again.returncode == 0, again.output
        runs.append(again.seconds)
        after_rerun = _consistent(root)
        assert after_rerun.plans == expected.plans
        assert after_rerun.events == expected.events
        figures.append(
            f"{fraction:.0%} of {min(runs[:-1]):.2f} s: killed={killed.killed} at {killed.seconds:.2f} s, "
            f"recorded={bool(after_kill.plans)}"
        )
    print("\n".join([f"plan, uninterrupted runs {', '.join(f'{r:.2f}' for r in runs)} s", *figures]))
