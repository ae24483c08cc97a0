"""Holds: pure effective-holds maths, the ledger service, and the import of the contract table."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hedgerow.decide.holds import Hold, HoldSource, HoldStatus, effective_holds, expiring, free_stock, held_money
from hedgerow.errors import ConcurrentUpdate, HedgerowError, InvalidTransition, NotFound, PermissionDenied
from hedgerow.services.audit import verify_audit
from hedgerow.services.holds import (
    create_hold,
    expiring_holds,
    extend_hold,
    held_units,
    holds_frame,
    list_holds,
    release_hold,
)
from hedgerow.services.workspace import Workspace

D = date(2026, 11, 23)


def hold(i: str, qty: float, expires: date, status: HoldStatus = HoldStatus.ACTIVE, item: str = "I1") -> Hold:
    return Hold(i, item, "LA", qty, "Maria", "reserve", expires, status, HoldSource.LEDGER)


def test_effective_holds_sum_only_those_in_force() -> None:
    holds = [
        hold("a", 10, D),  # last day: still in force
        hold("b", 5, D + timedelta(days=3)),
        hold("c", 7, D - timedelta(days=1)),  # expired yesterday
        hold("d", 9, D + timedelta(days=30), HoldStatus.RELEASED),
        hold("e", 4, D + timedelta(days=30), item="I2"),
    ]
    assert effective_holds(holds, D) == {("I1", "LA"): 15.0, ("I2", "LA"): 4.0}
    assert effective_holds(holds, D + timedelta(days=1)) == {("I1", "LA"): 5.0, ("I2", "LA"): 4.0}
    assert [h.hold_id for h in expiring(holds, D, 7)] == ["a", "b"]
    assert [h.hold_id for h in expiring(holds, D, 0)] == ["a"]


def test_holds_in_money_count_those_in_force_by_location_and_never_price_the_unknown_as_zero() -> None:
    holds = [
        hold("a", 10, D),
        Hold("b", "I2", "TK", 4, "Kenji", "launch", D + timedelta(days=9), HoldStatus.ACTIVE, HoldSource.LEDGER),
        hold("c", 7, D - timedelta(days=1)),  # expired: priced, not counted
        hold("d", 3, D, item="I9"),  # no unit cost: unvalued
    ]
    money = held_money(holds, {"I1": 12.5, "I2": 100.0}, D)
    assert money.values == {"a": 125.0, "b": 400.0, "c": 87.5, "d": None}
    assert (money.total, money.by_location, money.in_force, money.unvalued) == (
        525.0,
        (("TK", 400.0), ("LA", 125.0)),
        3,
        1,
    )
    assert money.sentence("USD") == (
        "In force: 3 holds worth 525 USD (TK 400, LA 125); 1 without a unit cost or FX rate, not counted."
    )
    assert held_money([], {}, D).sentence("USD") == "No hold in force."


@given(on_hand=st.floats(0, 1e6), held=st.floats(0, 1e6))
def test_free_stock_never_negative_and_never_more_than_on_hand(on_hand: float, held: float) -> None:
    free = free_stock(on_hand, held)
    assert 0.0 <= free <= on_hand
    assert free == pytest.approx(max(0.0, on_hand - held))


def test_create_extend_release(net_ws: Workspace, now: datetime) -> None:
    ws = net_ws
    h = create_hold(
        ws,
        item_id="I1",
        location_id="TK",
        qty=8,
        owner="Kenji",
        reason="launch event",
        expires_on=D + timedelta(days=5),
        user="pat",
        now=now,
        hold_id="H1",
    )
    assert (h.status, h.source, h.version) == (HoldStatus.ACTIVE, HoldSource.LEDGER, 1)
    assert held_units(ws, D) == {("I1", "LA"): 12.0, ("I1", "TK"): 8.0}  # HX1 came with the import
    assert [x.hold_id for x in expiring_holds(ws, D)] == ["H1"]
    with pytest.raises(HedgerowError, match="extend to a later day"):
        extend_hold(ws, "H1", D, user="pat", now=now)
    assert extend_hold(ws, "H1", D + timedelta(days=40), user="pat", now=now).version == 2
    assert expiring_holds(ws, D) == []
    with pytest.raises(ConcurrentUpdate, match="changed after you read it at version 1"):
        release_hold(ws, "H1", user="pat", now=now, expected_version=1)
    released = release_hold(ws, "H1", user="alex", now=now)
    assert released.status is HoldStatus.RELEASED
    with pytest.raises(InvalidTransition, match="only an active hold can be released"):
        release_hold(ws, "H1", user="alex", now=now)
    assert [x.hold_id for x in list_holds(ws)] == ["HX1"]
    assert {x.hold_id for x in list_holds(ws, include_released=True)} == {"H1", "HX1"}
    frame = holds_frame(ws, D)
    assert list(frame.columns) == ["hold_id", "item_id", "location_id", "qty", "owner", "reason", "expires_at"]
    assert frame["hold_id"].tolist() == ["HX1"]
    assert verify_audit(ws).ok


def test_hold_checks(net_ws: Workspace, now: datetime) -> None:
    ws = net_ws
    base = {"item_id": "I1", "location_id": "LA", "qty": 5.0, "owner": "Maria", "reason": "r", "expires_on": D}
    with pytest.raises(PermissionDenied, match="role viewer, which may not manage holds"):
        create_hold(ws, **base, user="vic", now=now)  # type: ignore[arg-type]
    with pytest.raises(NotFound, match="item_id 'NOPE' is not in the current items table"):
        create_hold(ws, **(base | {"item_id": "NOPE"}), user="pat", now=now)  # type: ignore[arg-type]
    with pytest.raises(HedgerowError, match="qty > 0"):
        create_hold(ws, **(base | {"qty": 0.0}), user="pat", now=now)  # type: ignore[arg-type]
    with pytest.raises(HedgerowError, match="before today"):
        create_hold(ws, **(base | {"expires_on": D - timedelta(days=1)}), user="pat", now=now)  # type: ignore[arg-type]
    with pytest.raises(NotFound, match="no hold 'H9'"):
        release_hold(ws, "H9", user="pat", now=now)


def test_import_upserts_but_never_reopens(net_ws: Workspace, now: datetime, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from hedgerow.domain.enums import TableName
    from hedgerow.services.importing import ImportSource, import_sources

    ws = net_ws
    [hx1] = list_holds(ws)
    assert (hx1.hold_id, hx1.qty, hx1.source, hx1.expires_on) == ("HX1", 12.0, HoldSource.IMPORT, date(2026, 12, 31))
    path = tmp_path / "holds.csv"
    path.write_text(
        "hold_id,item_id,location_id,qty,owner,reason,expires_at\n"
        "HX1,I1,LA,20,Maria,Key account reserve,2026-12-31\n"
        "HX2,I2,LA,3,Li,Sample stock,2027-01-15\n",
        encoding="utf-8",
    )
    import_sources(ws, [ImportSource(path, TableName.HOLDS)], user="pat", now=now)
    assert {h.hold_id: (h.qty, h.version) for h in list_holds(ws)} == {"HX1": (20.0, 2), "HX2": (3.0, 1)}
    release_hold(ws, "HX2", user="pat", now=now)
    import_sources(ws, [ImportSource(path, TableName.HOLDS)], user="pat", now=now)
    assert [h.hold_id for h in list_holds(ws)] == ["HX1"]  # the released hold stays released
    assert verify_audit(ws).ok
