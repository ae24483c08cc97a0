"""The audit log's hash chain: canonical encoding, event hashes and tamper detection. Pure: no database.

Each event carries ``prev_hash``, the hash of the event before it (:data:`GENESIS_HASH` for the first), and
``hash = SHA-256(canonical([prev_hash, seq, at, actor, kind, subject, payload]))`` where ``canonical`` is JSON
with sorted keys, no whitespace and UTF-8 text, and ``payload`` is the event's payload already in canonical
JSON text. A separate *head* (the last sequence number and hash) is updated with every append, so deleting or
appending events at the end is detected too.

:func:`verify_chain` rebuilds the original chain by following the links from the genesis hash, then names every
event that was edited, inserted, deleted or reordered. Someone who can rewrite the whole table *and* the head
can forge a consistent history; keep the head hash printed by ``hedgerow audit verify`` somewhere else (a
ticket, an e-mail) to anchor it.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

#: prev_hash of the first event.
GENESIS_HASH = "0" * 64

#: How far past a gap the verifier looks for the original position of an event (events deleted, the rest
#: renumbered).
MAX_RENUMBER_SEARCH = 1000


class EventKind(StrEnum):
    """What an audit event records."""

    IMPORT = "import"
    CONFIG = "config"
    PLAN = "plan"
    DECISION = "decision"
    HOLD = "hold"
    EXPORT = "export"
    RECONCILIATION = "reconciliation"
    USER = "user"


class Tamper(StrEnum):
    """How an audit chain was changed after the fact."""

    EDITED = "edited"
    INSERTED = "inserted"
    DELETED = "deleted"
    REORDERED = "reordered"


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_at(value)
    raise TypeError(f"audit payloads hold JSON values, dates and enums only; got {type(value).__name__}")


def canonical_json(value: Any) -> str:
    """JSON with sorted keys, no whitespace, UTF-8 characters kept, NaN/inf refused, datetimes as UTC text."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=_json_default
    )


def format_at(moment: datetime) -> str:
    """A timezone-aware time as UTC ISO 8601 text with microseconds, e.g. ``2026-11-23T09:00:00.000000Z``."""
    if moment.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(prev_hash: str, seq: int, at: str, actor: str, kind: str, subject: str, payload: str) -> str:
    """SHA-256 (hex) of one event's canonical encoding."""
    body = canonical_json([prev_hash, seq, at, actor, kind, subject, payload])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainEvent:
    """One stored audit event as read back from the ledger (``payload`` is canonical JSON text)."""

    seq: int
    at: str
    actor: str
    kind: str
    subject: str
    payload: str
    prev_hash: str
    hash: str

    def hash_at(self, seq: int) -> str:
        """The hash this event's content would have at position ``seq``."""
        return event_hash(self.prev_hash, seq, self.at, self.actor, self.kind, self.subject, self.payload)


@dataclass(frozen=True)
class ChainProblem:
    """One tampering found: what happened to which event (``seq`` as stored, or the first missing one)."""

    kind: Tamper
    seq: int
    detail: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"kind": self.kind.value, "seq": self.seq, "detail": self.detail}


@dataclass(frozen=True)
class ChainReport:
    """Result of :func:`verify_chain`."""

    events: int
    head_seq: int
    head_hash: str
    problems: tuple[ChainProblem, ...]

    @property
    def ok(self) -> bool:
        """True when no tampering was found."""
        return not self.problems

    @property
    def first(self) -> ChainProblem | None:
        """The first broken event in sequence order, if any."""
        return self.problems[0] if self.problems else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "ok": self.ok,
            "events": self.events,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "first": self.first.to_dict() if self.first else None,
            "problems": [p.to_dict() for p in self.problems],
        }


class _Walk:
    """Rebuilds the original order of the events by following hash links."""

    def __init__(self, rows: list[ChainEvent], head_hash: str) -> None:
        self.rows = rows
        self.head_hash = head_hash
        self.children: dict[str, list[int]] = defaultdict(list)
        for i, row in enumerate(rows):
            self.children[row.prev_hash].append(i)
        self.hashes = {row.hash for row in rows}
        self.position: dict[int, int] = {}  # row index -> original position
        self.chain: list[int] = []
        self.problems: list[ChainProblem] = []

    def _pick(self, candidates: list[int], pos: int) -> int:
        def rank(i: int) -> tuple[bool, bool, bool, int]:
            row = self.rows[i]
            return (
                row.hash_at(pos) != row.hash,  # authentic at this position first
                row.hash != self.head_hash and not self.children.get(row.hash),  # then one the chain continues from
                row.hash != self.head_hash,
                row.seq,
            )

        return min(candidates, key=rank)

    def _follow(self, start: int, pos: int) -> int:
        """Follow links from row ``start`` placed at original position ``pos``; return the last position."""
        i: int | None = start
        while i is not None:
            row = self.rows[i]
            self.position[i] = pos
            self.chain.append(i)
            if row.hash_at(pos) != row.hash:
                self.problems.append(
                    ChainProblem(Tamper.EDITED, row.seq, f"event #{row.seq}'s content no longer matches its hash")
                )
            candidates = [c for c in self.children.get(row.hash, []) if c not in self.position]
            i = self._pick(candidates, pos + 1) if candidates else None
            if i is not None:
                pos += 1
        return pos

    def _original_position(self, row: ChainEvent, after: int) -> int | None:
        candidates: list[int] = [*range(after + 1, after + 2 + MAX_RENUMBER_SEARCH), row.seq]
        for pos in candidates:
            if row.hash_at(pos) == row.hash:
                return pos
        return None

    def run(self) -> int:
        """Walk the whole table; return the last original position reached."""
        pos = 0
        roots = self.children.get(GENESIS_HASH, [])
        if roots:
            pos = self._follow(self._pick(roots, 1), 1)
        while True:
            dangling = [
                i
                for i, row in enumerate(self.rows)
                if i not in self.position and row.prev_hash not in self.hashes and row.prev_hash != GENESIS_HASH
            ]
            if not dangling:
                break
            i = min(dangling, key=lambda k: self.rows[k].seq)
            row = self.rows[i]
            found = self._original_position(row, pos)
            if found is None and not self.children.get(row.hash):
                self.position[i] = -1  # a forgery that belongs nowhere; reported as inserted below
                continue
            if found is None:
                found = pos + 1
            if found == pos + 1 and self.chain:
                last = self.rows[self.chain[-1]]
                self.problems.append(
                    ChainProblem(
                        Tamper.EDITED,
                        last.seq,
                        f"event #{last.seq} was rewritten: its hash changed and event #{row.seq} still points at the "
                        "original",
                    )
                )
            elif found > pos + 1:
                self.problems.append(_deleted(pos + 1, found - 1, f"before event #{row.seq}"))
            pos = self._follow(i, found)
        return pos


def _deleted(first: int, last: int, where: str) -> ChainProblem:
    which = f"event #{first}" if first == last else f"events #{first}–#{last}"
    return ChainProblem(Tamper.DELETED, first, f"{which} (original numbering) deleted {where}")


def verify_chain(events: Sequence[ChainEvent], head: tuple[int, str]) -> ChainReport:
    """Check an audit chain and name every event edited, inserted, deleted or reordered.

    Parameters
    ----------
    events:
        The stored events, in any order.
    head:
        The stored head: ``(seq, hash)`` of the newest event, ``(0, GENESIS_HASH)`` when empty.

    Returns
    -------
    ChainReport
        With the problems sorted by sequence number; ``first`` is the first broken event.
    """
    rows = sorted(events, key=lambda e: e.seq)
    head_seq, head_hash = head
    walk = _Walk(rows, head_hash)
    last_pos = walk.run()
    problems = walk.problems

    on_chain = [i for i in walk.chain if walk.position[i] > 0]
    for i, row in enumerate(rows):
        if i not in walk.chain:
            problems.append(
                ChainProblem(Tamper.INSERTED, row.seq, f"event #{row.seq} is not part of the chain: it was inserted")
            )
    # Order: the chain's rows must appear in increasing stored order.
    stored_order = sorted(on_chain, key=lambda i: rows[i].seq)
    for expected, actual in zip(on_chain, stored_order, strict=True):
        if expected != actual:
            row = rows[actual]
            problems.append(
                ChainProblem(
                    Tamper.REORDERED,
                    row.seq,
                    f"event #{row.seq} holds the event originally at position {walk.position[actual]}; "
                    f"position {walk.position[expected]} belongs here",
                )
            )
            break

    # The head anchors the end of the chain.
    by_hash = {rows[i].hash: i for i in on_chain}
    if head_seq == 0 and head_hash == GENESIS_HASH:
        for i in on_chain:
            problems.append(ChainProblem(Tamper.INSERTED, rows[i].seq, f"event #{rows[i].seq} is after the head"))
    elif head_hash in by_hash:
        head_pos = walk.position[by_hash[head_hash]]
        for i in on_chain:
            if walk.position[i] > head_pos:
                problems.append(
                    ChainProblem(
                        Tamper.INSERTED, rows[i].seq, f"event #{rows[i].seq} was appended after the head #{head_seq}"
                    )
                )
    elif head_seq > last_pos:
        problems.append(_deleted(last_pos + 1, head_seq, "at the end of the log"))
    elif on_chain:
        last = rows[on_chain[-1]]
        if not any(p.seq == last.seq for p in problems):
            problems.append(
                ChainProblem(Tamper.EDITED, last.seq, f"event #{last.seq} was rewritten: the head holds another hash")
            )

    unique = {(p.kind, p.seq): p for p in problems}
    ordered = sorted(unique.values(), key=lambda p: (p.seq, list(Tamper).index(p.kind)))
    return ChainReport(events=len(rows), head_seq=head_seq, head_hash=head_hash, problems=tuple(ordered))
