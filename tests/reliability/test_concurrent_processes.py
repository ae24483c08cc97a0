"""20 OS processes deciding at once, on SQLite and PostgreSQL: one winner on a shared recommendation, all 20 on their own.

tests/decide/test_concurrency.py races 20 threads of one process; here each decider is its own spawned process with
its own workspace handle (engine, connections), as 20 people behind 20 web workers or terminals are. Every process
reads the shared recommendation and its own at version 1, then all wait at a barrier and decide the shared one:
exactly one wins, the 19 others get :class:`~hedgerow.errors.ConcurrentUpdate` and nothing of theirs is written.
At a second barrier each decides its own recommendation: all 20 land. The audit chain verifies intact and holds
exactly the 21 decision events, one per recommendation, and nothing else new.

The barrier's timeout is derived from a measured start of one such process (spawning 20 on a busy machine takes a
while); the test is slow for the 20 interpreters it starts.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from collections import Counter
from multiprocessing.context import SpawnContext
from multiprocessing.queues import Queue
from pathlib import Path

import pytest
from sqlalchemy import select

from hedgerow.decide.records import PlanRecord
from hedgerow.services.audit import verify_audit
from hedgerow.services.recommendations import decisions_of, get_recommendation, record_plan
from hedgerow.services.workspace import open_workspace
from hedgerow.store.decide_models import AuditEvent
from tests.decide.conftest import NOW, make_workspace, plan_record, rec

from .deciders import SHARED, WON, Outcome, Race, decider, own_rec, warm_up

pytestmark = pytest.mark.slow

DECIDERS = 20
#: A decider may take this many times one measured process start (spawn, imports, open, read) to reach the
#: barrier; all 20 start together on the machine's cores, so the wait is scaled by their number too.
START_FACTOR = 3.0
STATUS_OF = {"approve": "approved", "reject": "rejected", "modify": "modified"}


def _plan() -> PlanRecord:
    """The shared recommendation and one per decider, each for its own item (so none supersedes another)."""
    recs = [rec(SHARED, item="I-SHARED")] + [rec(own_rec(i), item=f"I-{i:02d}") for i in range(DECIDERS)]
    return plan_record("P1", *recs)


def _measured_start_s(ctx: SpawnContext, root: Path, ledger_url: str | None) -> float:
    """Wall seconds for one spawned process to start, open the workspace and read a recommendation."""
    began = time.monotonic()
    proc = ctx.Process(target=warm_up, args=(str(root), ledger_url))
    proc.start()
    proc.join()
    assert proc.exitcode == 0
    return time.monotonic() - began


def _race(root: Path, ledger_url: str | None) -> tuple[list[Outcome], float]:
    """Run the 20 deciders; every outcome they report, and the seconds from their start to the last outcome."""
    ctx = mp.get_context("spawn")
    start_s = _measured_start_s(ctx, root, ledger_url)
    timeout_s = START_FACTOR * DECIDERS * start_s
    barrier = ctx.Barrier(DECIDERS)
    results: Queue[Outcome] = ctx.Queue()
    procs = [
        ctx.Process(target=decider, args=(i, str(root), ledger_url, barrier, timeout_s, results))
        for i in range(DECIDERS)
    ]
    began = time.monotonic()
    try:
        for p in procs:
            p.start()
        outcomes = [results.get(timeout=2 * timeout_s) for _ in range(2 * DECIDERS)]
        seconds = time.monotonic() - began
        for p in procs:
            p.join(timeout_s)
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()
                p.join()
    assert [p.exitcode for p in procs] == [0] * DECIDERS
    return outcomes, seconds


def _check(root: Path, ledger_url: str | None, outcomes: list[Outcome], events_before: Counter[str]) -> None:
    shared = [o for o in outcomes if o[1] is Race.SHARED]
    own = [o for o in outcomes if o[1] is Race.OWN]
    winners = [o for o in shared if o[3] == WON]
    assert len(winners) == 1, shared
    losers = [o for o in shared if o[3] != WON]
    assert {o[3] for o in losers} == {"ConcurrentUpdate"}, losers
    assert all("after you read it at version 1" in o[4] for o in losers)
    assert sorted(o[0] for o in own if o[3] == WON) == list(range(DECIDERS)), own
    with open_workspace(root, ledger_url=ledger_url) as ws:
        winner_kind = winners[0][2]
        view = get_recommendation(ws, SHARED)
        assert (view.version, view.status) == (2, STATUS_OF[winner_kind])
        assert [d.kind for d in decisions_of(ws, SHARED)] == [winner_kind]
        for index, _, kind, _, _ in own:
            mine = get_recommendation(ws, own_rec(index))
            assert (mine.version, mine.status) == (2, STATUS_OF[kind])
            assert [d.kind for d in decisions_of(ws, own_rec(index))] == [kind]
        report = verify_audit(ws)
        assert report.ok, report.to_dict()
        with ws.session() as s:
            events = s.execute(select(AuditEvent.kind, AuditEvent.subject)).all()
    after = Counter(kind for kind, _ in events)
    assert after - events_before == Counter({"decision": 1 + DECIDERS})
    decided = Counter(subject for kind, subject in events if kind == "decision")
    assert decided == Counter([SHARED, *(own_rec(i) for i in range(DECIDERS))])


def _events(root: Path, ledger_url: str | None) -> Counter[str]:
    with open_workspace(root, ledger_url=ledger_url) as ws, ws.session() as s:
        return Counter(s.scalars(select(AuditEvent.kind)).all())


def test_twenty_processes_decide_on_sqlite(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    with make_workspace(root) as ws:
        record_plan(ws, _plan(), user="pat", now=NOW)
    before = _events(root, None)
    outcomes, seconds = _race(root, None)
    _check(root, None, outcomes, before)
    print(f"sqlite: {DECIDERS} processes, races took {seconds:.1f} s")


@pytest.mark.postgres
def test_twenty_processes_decide_on_postgres(pg_url: str, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    with make_workspace(root, ledger_url=pg_url) as ws:
        assert ws.engine.dialect.name == "postgresql"
        record_plan(ws, _plan(), user="pat", now=NOW)
    before = _events(root, pg_url)
    outcomes, seconds = _race(root, pg_url)
    _check(root, pg_url, outcomes, before)
    print(f"postgresql: {DECIDERS} processes, races took {seconds:.1f} s")
