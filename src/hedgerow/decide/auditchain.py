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

The chain also binds the ledger's state rows. An event that writes rows carries, under the payload key
:data:`ROWS_KEY`, the state of each: ``{table: {key: {"sha256": row digest, "columns": {column: fingerprint}}}}``
(:func:`row_state`: SHA-256 of the row's canonical content, and a short fingerprint per column that only serves to
say which columns changed). The newest event naming a row holds its current state; :func:`verify_rows` compares
the rows as stored with those states and names every row edited, inserted (no event wrote it) or deleted.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

#: prev_hash of the first event.
GENESIS_HASH = "0" * 64

#: How far past a gap the verifier looks for the original position of an event (events deleted, the rest
#: renumbered).
MAX_RENUMBER_SEARCH = 1000

#: Payload key under which an event records the state of the ledger rows it wrote.
ROWS_KEY = "rows_written"

#: Hex characters of a column's fingerprint: enough to say which columns changed; the row digest is the proof.
FINGERPRINT_CHARS = 8


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
    BASELINE = "baseline"
    FX_COVER = "fx_cover"


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
class RowProblem:
    """One ledger row changed behind the chain's back: how, which table and key, and what differs."""

    kind: Tamper
    table: str
    key: str
    detail: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"kind": self.kind.value, "table": self.table, "key": self.key, "detail": self.detail}


@dataclass(frozen=True)
class ChainReport:
    """Result of :func:`verify_chain`, with the bound rows' check (:func:`verify_rows`) once it was made."""

    events: int
    head_seq: int
    head_hash: str
    problems: tuple[ChainProblem, ...]
    rows_checked: int = 0
    row_problems: tuple[RowProblem, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when no tampering was found, in the chain or in the rows it binds."""
        return not self.problems and not self.row_problems

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
            "rows_checked": self.rows_checked,
            "row_problems": [p.to_dict() for p in self.row_problems],
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
        stored_seq = rows[by_hash[head_hash]].seq
        if head_seq != stored_seq:
            problems.append(
                ChainProblem(
                    Tamper.EDITED,
                    head_seq,
                    f"the head says #{head_seq} but holds the hash of event #{stored_seq}: the head was rewritten",
                )
            )
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


def _canonical_value(value: Any) -> Any:
    """A column value as the JSON the digest covers: times as UTC text (naive ones are UTC), days as ISO text."""
    if isinstance(value, datetime):
        return format_at(value if value.tzinfo is not None else value.replace(tzinfo=UTC))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    return value


@dataclass(frozen=True)
class RowState:
    """What the chain knows of one ledger row: the digest of its content and a fingerprint per column."""

    sha256: str
    columns: Mapping[str, str]

    def to_dict(self) -> dict[str, Any]:
        """The form stored in an event's payload."""
        return {"sha256": self.sha256, "columns": dict(self.columns)}


def row_state(values: Mapping[str, Any]) -> RowState:
    """The state of one row from its column values as read from the database.

    Empty (NULL) columns are left out, so adding a nullable column to a table does not change existing digests.
    Integers stored in float columns must be handed in as floats (read the row back rather than use what was
    written).
    """
    content = {name: _canonical_value(v) for name, v in values.items() if v is not None}
    digest = hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()
    columns = {
        name: hashlib.sha256(canonical_json([name, v]).encode("utf-8")).hexdigest()[:FINGERPRINT_CHARS]
        for name, v in content.items()
    }
    return RowState(digest, columns)


def bound_states(events: Sequence[ChainEvent]) -> dict[str, dict[str, tuple[int, RowState]]]:
    """The current state of every row the chain binds: per table and key, the newest event's seq and state."""
    states: dict[str, dict[str, tuple[int, RowState]]] = defaultdict(dict)
    for event in sorted(events, key=lambda e: e.seq):
        try:
            payload = json.loads(event.payload)
        except ValueError:
            continue  # an edited payload; the chain check names the event
        written = payload.get(ROWS_KEY) if isinstance(payload, dict) else None
        if not isinstance(written, dict):
            continue
        for table, rows in written.items():
            for key, state in rows.items() if isinstance(rows, dict) else ():
                known = state if isinstance(state, dict) else {}  # a malformed state matches no row
                columns = known.get("columns")
                states[table][key] = (
                    event.seq,
                    RowState(str(known.get("sha256", "")), dict(columns) if isinstance(columns, dict) else {}),
                )
    return dict(states)


def _differing(recorded: RowState, current: RowState) -> str:
    names = sorted(
        name
        for name in recorded.columns.keys() | current.columns.keys()
        if recorded.columns.get(name) != current.columns.get(name)
    )
    return ", ".join(names) if names else "its content"


def verify_rows(events: Sequence[ChainEvent], current: Mapping[str, Mapping[str, RowState]]) -> tuple[RowProblem, ...]:
    """Name every bound row edited, inserted or deleted since the event that wrote it.

    Parameters
    ----------
    events:
        The stored audit events (their payloads carry the rows' states).
    current:
        The state of every row of every bound table, per table name and key (the primary key as text).

    Returns
    -------
    tuple[RowProblem, ...]
        Sorted by table and key.
    """
    recorded = bound_states(events)
    problems: list[RowProblem] = []
    for table in sorted(recorded.keys() | current.keys()):
        was = recorded.get(table, {})
        now = current.get(table, {})
        for key in sorted(was.keys() | now.keys()):
            if key not in was:
                problems.append(
                    RowProblem(Tamper.INSERTED, table, key, f"{table} row {key} was written by no audit event")
                )
            elif key not in now:
                seq = was[key][0]
                problems.append(
                    RowProblem(Tamper.DELETED, table, key, f"{table} row {key}, written by event #{seq}, is gone")
                )
            elif was[key][1].sha256 != now[key].sha256:
                seq, state = was[key]
                problems.append(
                    RowProblem(
                        Tamper.EDITED,
                        table,
                        key,
                        f"{table} row {key}: {_differing(state, now[key])} changed since event #{seq} wrote it",
                    )
                )
    return tuple(problems)
