"""The child side of tests/reliability/test_concurrent_processes.py: one decider per OS process (spawned).

Kept apart from the test module so a spawned child imports only what it needs (the ledger, not pytest's fixtures).
"""

from __future__ import annotations

from enum import StrEnum
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from threading import BrokenBarrierError

from hedgerow.decide.lifecycle import DecisionKind, ReasonCategory
from hedgerow.decide.records import DecisionRequest
from hedgerow.errors import HedgerowError
from hedgerow.services.recommendations import decide, get_recommendation
from hedgerow.services.workspace import open_workspace
from tests.decide.conftest import NOW

#: The recommendation every process decides in the first race; the second race gives each its own.
SHARED = "SHARED"
#: Who decides: an approver and an admin in turn (both may decide any recommendation of the test plan).
USERS = ("alex", "ada")
#: A decision of each kind, taken in turn.
REQUESTS = (
    DecisionRequest(DecisionKind.APPROVE),
    DecisionRequest(DecisionKind.REJECT, ReasonCategory.BUDGET, "no cash this month"),
    DecisionRequest(DecisionKind.MODIFY, ReasonCategory.DEMAND_KNOWLEDGE, "more", qty=150.0),
)


class Race(StrEnum):
    """The two races: all processes on one recommendation, or each on its own."""

    SHARED = "shared"
    OWN = "own"


#: What a decider reports of one attempt: its index, the race, the decision kind, and "won" or the error's class.
Outcome = tuple[int, Race, str, str, str]
WON = "won"


def own_rec(index: int) -> str:
    """The id of decider ``index``'s own recommendation."""
    return f"OWN-{index:02d}"


def warm_up(root: str, ledger_url: str | None) -> None:
    """Open the workspace and read a recommendation once: what a decider does before the barrier."""
    with open_workspace(Path(root), ledger_url=ledger_url) as ws:
        get_recommendation(ws, SHARED)


def decider(
    index: int, root: str, ledger_url: str | None, barrier: Barrier, timeout_s: float, results: Queue[Outcome]
) -> None:
    """Read both recommendations, wait for every decider, decide the shared one, wait again, decide its own."""
    user = USERS[index % len(USERS)]
    request = REQUESTS[index % len(REQUESTS)]
    try:
        ws = open_workspace(Path(root), ledger_url=ledger_url)
    except BaseException:
        barrier.abort()  # the others fail at once rather than at the timeout
        raise
    try:
        versions = {rec: get_recommendation(ws, rec).version for rec in (SHARED, own_rec(index))}
        for race, rec in ((Race.SHARED, SHARED), (Race.OWN, own_rec(index))):
            barrier.wait(timeout_s)
            try:
                decide(ws, rec, request, user=user, now=NOW, expected_version=versions[rec])
                results.put((index, race, request.kind.value, WON, ""))
            except HedgerowError as exc:
                results.put((index, race, request.kind.value, type(exc).__name__, str(exc)))
    except BrokenBarrierError:
        results.put((index, Race.SHARED, request.kind.value, "BrokenBarrierError", "a decider failed to start"))
    finally:
        ws.close()
