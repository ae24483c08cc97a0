"""The hash chain: canonical encoding and tamper detection (edit, delete, insert, reorder) on pure events."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hedgerow.decide.auditchain import (
    GENESIS_HASH,
    ROWS_KEY,
    ChainEvent,
    Tamper,
    canonical_json,
    event_hash,
    format_at,
    row_state,
    verify_chain,
    verify_rows,
)

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def chain(n: int) -> tuple[list[ChainEvent], tuple[int, str]]:
    events: list[ChainEvent] = []
    prev = GENESIS_HASH
    for seq in range(1, n + 1):
        at = format_at(T0 + timedelta(minutes=seq))
        payload = canonical_json({"n": seq, "note": f"event {seq}"})
        h = event_hash(prev, seq, at, "ada", "decision", f"R{seq}", payload)
        events.append(ChainEvent(seq, at, "ada", "decision", f"R{seq}", payload, prev, h))
        prev = h
    return events, (n, prev)


def forge(seq: int, prev: str, note: str = "forged") -> ChainEvent:
    at = format_at(T0)
    payload = canonical_json({"note": note})
    return ChainEvent(
        seq,
        at,
        "mallory",
        "decision",
        "RX",
        payload,
        prev,
        event_hash(prev, seq, at, "mallory", "decision", "RX", payload),
    )


def test_canonical_json_is_stable() -> None:
    assert (
        canonical_json({"b": 1, "a": [1.5, "é"], "t": T0}) == '{"a":[1.5,"é"],"b":1,"t":"2026-11-23T09:00:00.000000Z"}'
    )
    with pytest.raises(ValueError, match="Out of range float"):
        canonical_json({"x": float("nan")})


def test_known_hash() -> None:
    # SHA-256 of '["000…0",1,"2026-11-23T09:00:00.000000Z","ada","config","hedgerow.toml","{}"]'
    import hashlib

    body = f'["{GENESIS_HASH}",1,"2026-11-23T09:00:00.000000Z","ada","config","hedgerow.toml","{{}}"]'
    assert (
        event_hash(GENESIS_HASH, 1, format_at(T0), "ada", "config", "hedgerow.toml", "{}")
        == hashlib.sha256(body.encode()).hexdigest()
    )


def test_intact_chain_verifies() -> None:
    events, head = chain(12)
    report = verify_chain(events, head)
    assert report.ok
    assert report.events == 12
    assert verify_chain([], (0, GENESIS_HASH)).ok


@pytest.mark.parametrize("k", [1, 5, 12])
def test_edit_payload_keeping_hash(k: int) -> None:
    events, head = chain(12)
    events[k - 1] = replace(events[k - 1], payload=canonical_json({"n": k, "note": "changed"}))
    report = verify_chain(events, head)
    assert report.first is not None
    assert (report.first.kind, report.first.seq) == (Tamper.EDITED, k)
    assert [p.seq for p in report.problems] == [k]


@pytest.mark.parametrize("k", [1, 5, 12])
def test_edit_with_recomputed_hash(k: int) -> None:
    events, head = chain(12)
    e = events[k - 1]
    payload = canonical_json({"n": k, "note": "changed"})
    events[k - 1] = replace(
        e, payload=payload, hash=event_hash(e.prev_hash, e.seq, e.at, e.actor, e.kind, e.subject, payload)
    )
    report = verify_chain(events, head)
    assert report.first is not None
    assert (report.first.kind, report.first.seq) == (Tamper.EDITED, k)


@pytest.mark.parametrize("field", ["actor", "kind", "subject", "at"])
def test_edit_any_field(field: str) -> None:
    events, head = chain(6)
    events[2] = replace(events[2], **{field: "2026-01-01T00:00:00.000000Z" if field == "at" else "other"})
    report = verify_chain(events, head)
    assert report.first is not None
    assert (report.first.kind, report.first.seq) == (Tamper.EDITED, 3)


@pytest.mark.parametrize("k", [1, 5, 11, 12])
def test_delete(k: int) -> None:
    events, head = chain(12)
    del events[k - 1]
    report = verify_chain(events, head)
    assert report.first is not None
    assert (report.first.kind, report.first.seq) == (Tamper.DELETED, k)
    assert len(report.problems) == 1


def test_delete_several_and_renumber() -> None:
    events, _head = chain(12)
    kept = events[:4] + events[7:]  # delete 5, 6, 7
    renumbered = [replace(e, seq=i + 1) for i, e in enumerate(kept)]
    report = verify_chain(renumbered, (len(renumbered), renumbered[-1].hash))
    assert report.first is not None
    assert (report.first.kind, report.first.seq) == (Tamper.DELETED, 5)
    assert "events #5–#7" in report.first.detail


def test_insert_at_end_linked() -> None:
    events, head = chain(8)
    events.append(forge(9, events[-1].hash))
    report = verify_chain(events, head)
    assert report.first is not None
    assert (report.first.kind, report.first.seq) == (Tamper.INSERTED, 9)


@pytest.mark.parametrize("k", [1, 4, 8])
def test_insert_in_middle_with_renumbering(k: int) -> None:
    events, head = chain(8)
    prev = events[k - 2].hash if k > 1 else GENESIS_HASH
    shifted = events[: k - 1] + [forge(k, prev)] + [replace(e, seq=e.seq + 1) for e in events[k - 1 :]]
    report = verify_chain(shifted, (9, head[1]))
    assert report.first is not None
    assert (report.first.kind, report.first.seq) == (Tamper.INSERTED, k)
    assert [p.kind for p in report.problems] == [Tamper.INSERTED]


def test_insert_garbage_row() -> None:
    events, head = chain(5)
    garbage = ChainEvent(6, format_at(T0), "mallory", "decision", "RX", "{}", "ab" * 32, "cd" * 32)
    report = verify_chain([*events, garbage], head)
    assert report.first is not None
    assert (report.first.kind, report.first.seq) == (Tamper.INSERTED, 6)


@pytest.mark.parametrize(("a", "b"), [(1, 2), (5, 6), (3, 9), (11, 12)])
def test_reorder_by_swapping_sequence_numbers(a: int, b: int) -> None:
    events, head = chain(12)
    ea, eb = events[a - 1], events[b - 1]
    events[a - 1], events[b - 1] = replace(eb, seq=a), replace(ea, seq=b)
    report = verify_chain(events, head)
    assert report.first is not None
    assert (report.first.kind, report.first.seq) == (Tamper.REORDERED, a)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(2, 15), data=st.data())
def test_any_single_tampering_is_found(n: int, data: st.DataObject) -> None:
    events, head = chain(n)
    k = data.draw(st.integers(1, n))
    what = data.draw(st.sampled_from(["edit", "delete", "insert_end"]))
    if what == "edit":
        events[k - 1] = replace(events[k - 1], subject="tampered")
        expected = (Tamper.EDITED, k)
    elif what == "delete":
        del events[k - 1]
        expected = (Tamper.DELETED, k)
    else:
        events.append(forge(n + 1, events[-1].hash))
        expected = (Tamper.INSERTED, n + 1)
    report = verify_chain(events, head)
    assert report.first is not None
    assert (report.first.kind, report.first.seq) == expected


def test_raised_head_seq_is_named() -> None:
    events, (seq, head_hash) = chain(6)
    report = verify_chain(events, (seq + 5, head_hash))
    assert [(p.kind, p.seq) for p in report.problems] == [(Tamper.EDITED, 11)]


def _writing(seq: int, prev: str, rows: dict[str, dict[str, dict[str, object]]]) -> ChainEvent:
    at = format_at(T0)
    payload = canonical_json(
        {ROWS_KEY: {t: {k: row_state(v).to_dict() for k, v in r.items()} for t, r in rows.items()}}
    )
    return ChainEvent(
        seq, at, "ada", "user", "pat", payload, prev, event_hash(prev, seq, at, "ada", "user", "pat", payload)
    )


def test_row_state_reads_naive_times_as_utc_and_ignores_empty_columns() -> None:
    aware = row_state({"id": 1, "at": T0, "note": None})
    assert aware == row_state({"id": 1, "at": T0.replace(tzinfo=None)})
    assert aware.sha256 != row_state({"id": 1, "at": T0 + timedelta(microseconds=1)}).sha256


def test_rows_edited_inserted_and_deleted_are_named() -> None:
    pat = {"id": 2, "name": "pat", "role": "planner"}
    first = _writing(1, GENESIS_HASH, {"users": {"1": {"id": 1, "name": "ada", "role": "admin"}, "2": pat}})
    second = _writing(2, first.hash, {"users": {"2": pat | {"role": "approver"}}})
    events = [first, second]
    assert (
        verify_rows(
            events,
            {
                "users": {
                    "1": row_state({"id": 1, "name": "ada", "role": "admin"}),
                    "2": row_state(pat | {"role": "approver"}),
                }
            },
        )
        == ()
    )
    current = {"users": {"2": row_state(pat | {"role": "admin"}), "3": row_state({"id": 3, "name": "mallory"})}}
    problems = verify_rows(events, current)
    assert [(p.kind, p.table, p.key) for p in problems] == [
        (Tamper.DELETED, "users", "1"),
        (Tamper.EDITED, "users", "2"),
        (Tamper.INSERTED, "users", "3"),
    ]
    assert problems[1].detail == "users row 2: role changed since event #2 wrote it"


def test_a_malformed_row_state_is_an_edit_not_a_crash() -> None:
    at = format_at(T0)
    payload = canonical_json({ROWS_KEY: {"users": {"1": "forged", "2": {"sha256": 7}}, "holds": []}})
    event = ChainEvent(
        1, at, "m", "user", "x", payload, GENESIS_HASH, event_hash(GENESIS_HASH, 1, at, "m", "user", "x", payload)
    )
    current = {"users": {"1": row_state({"id": 1}), "2": row_state({"id": 2})}}
    assert [(p.kind, p.key) for p in verify_rows([event], current)] == [(Tamper.EDITED, "1"), (Tamper.EDITED, "2")]
