"""Consolidation: one consignment per lane, shipment or buffer location, ranked by value (hand-made lines)."""

from __future__ import annotations

from itertools import permutations

from hedgerow.domain.actions import ActionKind
from hedgerow.domain.consignment import Line, consolidate


def _line(rid: str, kind: ActionKind, *, lane: str | None = None, loc: str = "LA", value: float = 10.0,
          capital: float = 100.0, qty: float = 5.0, shipment: str | None = None) -> Line:  # fmt: skip
    origin = "SUP" if kind is ActionKind.ORDER else ("NJ" if kind is ActionKind.TRANSFER else None)
    return Line(rid, kind, loc, origin, lane, "ocean" if lane else None, shipment, qty, capital, value)


LINES = (
    _line("r1", ActionKind.ORDER, lane="SUP-LA-OCEAN", value=50.0, capital=1_000.0, qty=10.0),
    _line("r2", ActionKind.ORDER, lane="SUP-LA-OCEAN", value=-5.0, capital=200.0, qty=4.0),
    _line("r3", ActionKind.ORDER, lane="SUP-TK-AIR", loc="TK", value=30.0, capital=300.0),
    _line("r4", ActionKind.TRANSFER, lane="NJ-LA-TRUCK", value=20.0),
    _line("r5", ActionKind.KEEP_BUFFER, loc="LA", value=8.0, capital=0.0),
    _line("r6", ActionKind.KEEP_BUFFER, loc="LA", value=7.0, capital=0.0),
    _line("r7", ActionKind.KEEP_BUFFER, loc="TK", value=1.0, capital=0.0),
    _line("r8", ActionKind.EXPEDITE, lane="SUP-LA-AIR", shipment="SH-1", value=60.0),
    _line("r9", ActionKind.EXPEDITE, lane="SUP-LA-AIR", shipment="SH-2", value=2.0),
)


def test_lines_group_by_lane_shipment_and_buffer_location_and_rank_by_value() -> None:
    cons = consolidate(LINES)
    got = [(c.rank, c.kind.value, c.key, c.recommendation_ids, c.value, c.capital, c.units) for c in cons]
    assert got == [
        (1, "expedite", "SH-1", ("r8",), 60.0, 100.0, 5.0),
        (2, "order", "SUP-LA-OCEAN", ("r1", "r2"), 45.0, 1_200.0, 14.0),
        (3, "order", "SUP-TK-AIR", ("r3",), 30.0, 300.0, 5.0),
        (4, "transfer", "NJ-LA-TRUCK", ("r4",), 20.0, 100.0, 5.0),
        (5, "keep_buffer", "LA", ("r5", "r6"), 15.0, 0.0, 10.0),
        (6, "expedite", "SH-2", ("r9",), 2.0, 100.0, 5.0),
        (7, "keep_buffer", "TK", ("r7",), 1.0, 0.0, 5.0),
    ]
    lane = cons[1]
    assert (lane.origin_id, lane.location_id, lane.lane_id, lane.mode, lane.lines) == (
        "SUP", "LA", "SUP-LA-OCEAN", "ocean", 2,
    )  # fmt: skip


def test_ids_are_stable_and_every_line_is_in_exactly_one_consignment() -> None:
    first = consolidate(LINES)
    assert [c.id for c in consolidate(LINES)] == [c.id for c in first]
    assert len({c.id for c in first}) == len(first)
    assert sorted(r for c in first for r in c.recommendation_ids) == sorted(x.id for x in LINES)
    # The grouping does not depend on the order lines come in (only the order within a consignment does).
    for perm in list(permutations(LINES))[::5_000]:
        keys = {(c.kind, c.key, frozenset(c.recommendation_ids)) for c in consolidate(perm)}
        assert keys == {(c.kind, c.key, frozenset(c.recommendation_ids)) for c in first}
