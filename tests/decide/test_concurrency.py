"""No lost update: 20 concurrent deciders on one recommendation, on SQLite and on PostgreSQL.

Each decider runs in its own thread with its own workspace handle (engine, connections, sessions). All read the
recommendation at version 1, wait for each other at a barrier, then decide. Exactly one may win; the others
must get :class:`~hedgerow.errors.ConcurrentUpdate` and nothing of theirs may be written.
"""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hedgerow.decide.lifecycle import DecisionKind, ReasonCategory
from hedgerow.decide.records import DecisionRequest
from hedgerow.errors import ConcurrentUpdate
from hedgerow.services.audit import verify_audit
from hedgerow.services.recommendations import decide, decisions_of, get_recommendation, record_plan
from hedgerow.services.workspace import open_workspace
from hedgerow.store.decide_models import AuditEvent

from .conftest import PlanFactory, make_workspace, rec

DECIDERS = 20


def _requests() -> list[tuple[str, DecisionRequest]]:
    kinds = [
        DecisionRequest(DecisionKind.APPROVE),
        DecisionRequest(DecisionKind.REJECT, ReasonCategory.BUDGET, "no cash this month"),
        DecisionRequest(DecisionKind.MODIFY, ReasonCategory.DEMAND_KNOWLEDGE, "more", qty=150.0),
    ]
    users = ["alex", "ada"]
    return [(users[i % 2], kinds[i % 3]) for i in range(DECIDERS)]


def _race(root: Path, ledger_url: str | None, now: datetime) -> tuple[list[str], list[BaseException]]:
    barrier = threading.Barrier(DECIDERS)
    wins: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def decider(i: int, user: str, request: DecisionRequest) -> None:
        ws = open_workspace(root, ledger_url=ledger_url)
        try:
            version = get_recommendation(ws, "R1").version  # what this person saw
            barrier.wait(timeout=60)
            decide(ws, "R1", request, user=user, now=now, expected_version=version)
            with lock:
                wins.append(f"{i}:{request.kind.value}")
        except BaseException as exc:  # collected and checked below
            with lock:
                errors.append(exc)
        finally:
            ws.close()

    threads = [threading.Thread(target=decider, args=(i, u, r)) for i, (u, r) in enumerate(_requests())]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return wins, errors


def _check(root: Path, ledger_url: str | None, wins: list[str], errors: list[BaseException]) -> None:
    assert len(wins) == 1, (wins, errors)
    assert len(errors) == DECIDERS - 1
    assert all(isinstance(e, ConcurrentUpdate) for e in errors), [repr(e) for e in errors]
    assert all("after you read it at version 1" in str(e) for e in errors)
    with open_workspace(root, ledger_url=ledger_url) as ws:
        view = get_recommendation(ws, "R1")
        winner_kind = wins[0].split(":")[1]
        assert view.version == 2
        assert view.status == {"approve": "approved", "reject": "rejected", "modify": "modified"}[winner_kind]
        assert [d.kind for d in decisions_of(ws, "R1")] == [winner_kind]
        with ws.session() as s:
            n = s.execute(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.kind == "decision")
            ).scalar_one()
        assert n == 1
        assert verify_audit(ws).ok


def test_twenty_deciders_sqlite(tmp_path: Path, make_plan: PlanFactory, now: datetime) -> None:
    root = tmp_path / "ws"
    with make_workspace(root) as ws:
        record_plan(ws, make_plan("P1", rec("R1", capital=1_000.0)), user="pat", now=now)
    wins, errors = _race(root, None, now)
    _check(root, None, wins, errors)


@pytest.mark.postgres
def test_twenty_deciders_postgres(pg_url: str, tmp_path: Path, make_plan: PlanFactory, now: datetime) -> None:
    root = tmp_path / "ws"
    with make_workspace(root, ledger_url=pg_url) as ws:
        assert ws.engine.dialect.name == "postgresql"
        record_plan(ws, make_plan("P1", rec("R1", capital=1_000.0)), user="pat", now=now)
    wins, errors = _race(root, pg_url, now)
    _check(root, pg_url, wins, errors)


def test_version_check_is_in_the_update_itself(tmp_path: Path, make_plan: PlanFactory, now: datetime) -> None:
    """The guard does not rely on the ledger lock: a version-checked UPDATE with a stale version writes nothing."""
    from hedgerow.services.audit import ledger_write
    from hedgerow.services.recommendations import apply_transition
    from hedgerow.store.decide_models import RecommendationRow

    with make_workspace(tmp_path / "ws") as ws:
        record_plan(ws, make_plan("P1", rec("R1")), user="pat", now=now)
        decide(ws, "R1", DecisionRequest(DecisionKind.APPROVE), user="pat", now=now)
        with ledger_write(ws, actor="alex", at=now) as session:
            row = session.get(RecommendationRow, "R1")
            assert row is not None
            assert row.status == "approved"
            session.expunge(row)
            row.status = "proposed"  # a stale copy, as read before the approval
            with pytest.raises(ConcurrentUpdate):
                apply_transition(session, row, DecisionKind.REJECT, read_version=1, actor="alex", now=now)
        assert get_recommendation(ws, "R1").status == "approved"
