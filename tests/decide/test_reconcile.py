"""Reconciliation on a hand-checkable case, its invariants, storage, and the trust note on plans.

The network in data/network, counts on 2026-11-02 and 2026-11-16 (window [11-02, 11-16)):

* I1@LA: 100 + receipt S1 50 − transfer S2 20 − sales (30 + 30) = 70 expected; 65 counted → −5 units × 10 USD
  = −50 USD. (Sales of 10-26 and 11-16, S4 in transit and S5 delivered on 11-16 are outside the window.)
* I1@TK: 10 + transfer S2 20 − sales 5 = 25 expected; 25 counted → 0.
* I2@LA: 40 + receipt S3 20 − sales 20 = 40 expected; 30 counted → −10 units × (1500 JPY / 150) = −100 USD.

LA: Σ|diff| = 15 units over Σ max(expected, counted) = 70 + 40 = 110 → trust 100 × (1 − 15/110) = 86.36.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hedgerow.decide.reconcile import reconcile, trust_note, trust_score, unit_values_base
from hedgerow.errors import HedgerowError, PermissionDenied
from hedgerow.services.audit import verify_audit
from hedgerow.services.recommendations import get_recommendation, record_plan
from hedgerow.services.reconciliation import location_trust, reconcile_inventory
from hedgerow.services.workspace import Workspace

from .conftest import NETWORK, PlanFactory, rec


def _frames() -> dict[str, pd.DataFrame]:
    names = ("inventory", "demand", "shipments", "lanes", "items", "fx_rates")
    frames = {n: pd.read_csv(NETWORK / f"{n}.csv") for n in names}
    for col in ("ship_date", "delivered_date"):
        frames["shipments"][col] = pd.to_datetime(frames["shipments"][col])
    frames["demand"]["period_start"] = pd.to_datetime(frames["demand"]["period_start"])
    frames["fx_rates"]["date"] = pd.to_datetime(frames["fx_rates"]["date"])
    return frames


def test_hand_checkable_case() -> None:
    f = _frames()
    values = unit_values_base(f["items"], f["fx_rates"], "USD", pd.Timestamp("2026-11-16"))
    assert values == {"I1": 10.0, "I2": 10.0}
    result = reconcile(f["inventory"], f["demand"], f["shipments"], f["lanes"], {"LA", "TK"}, values)
    lines = result.lines.set_index(["item_id", "location_id"])
    cols = [
        "previous_on_hand",
        "receipts",
        "transfers_in",
        "transfers_out",
        "sales",
        "expected",
        "counted",
        "diff_units",
        "diff_value_base",
    ]
    assert lines.loc[("I1", "LA"), cols].tolist() == [100, 50, 0, 20, 60, 70, 65, -5, -50]
    assert lines.loc[("I1", "TK"), cols].tolist() == [10, 0, 20, 0, 5, 25, 25, 0, 0]
    assert lines.loc[("I2", "LA"), cols].tolist() == [40, 20, 0, 0, 20, 40, 30, -10, -100]
    locs = result.locations.set_index("location_id")
    assert locs.loc["LA", "trust_score"] == pytest.approx(100 * (1 - 15 / 110))
    assert locs.loc[
        "LA", ["items", "items_off", "abs_diff_units", "diff_value_base", "abs_diff_value_base"]
    ].tolist() == [2, 2, 15, -150, 150]
    assert locs.loc["TK", "trust_score"] == 100.0


def test_fx_rate_on_or_before_the_count() -> None:
    f = _frames()
    assert unit_values_base(f["items"], f["fx_rates"], "USD", pd.Timestamp("2026-11-10"))["I2"] == pytest.approx(
        1500 / 148
    )
    with pytest.raises(HedgerowError, match="no FX rate on or before 2026-11-01 for JPY against USD"):
        unit_values_base(f["items"], f["fx_rates"], "USD", pd.Timestamp("2026-11-01"))


@settings(deadline=None, max_examples=40)
@given(
    start=st.lists(st.integers(0, 500), min_size=1, max_size=6),
    sales=st.lists(st.integers(0, 50), min_size=6, max_size=6),
    receipts=st.lists(st.integers(0, 50), min_size=6, max_size=6),
)
def test_a_count_that_matches_the_flow_has_no_difference(
    start: list[int], sales: list[int], receipts: list[int]
) -> None:
    """Stock balance: counted = previous + receipts − sales gives diff 0 and trust 100 everywhere."""
    rows, demand, ships = [], [], []
    for i, s0 in enumerate(start):
        item = f"I{i}"
        rows += [(item, "LA", float(s0), "2026-11-02"), (item, "LA", float(s0 + receipts[i] - sales[i]), "2026-11-16")]
        demand.append((item, "LA", "2026-11-02", float(sales[i])))
        if receipts[i]:
            ships.append((f"S{i}", "L1", item, float(receipts[i]), "2026-10-01", "2026-11-03", "2026-11-03"))
    counts = pd.DataFrame(rows, columns=["item_id", "location_id", "on_hand", "counted_at"])
    counts["counted_at"] = pd.to_datetime(counts["counted_at"])
    d = pd.DataFrame(demand, columns=["item_id", "location_id", "period_start", "qty"])
    d["period_start"] = pd.to_datetime(d["period_start"])
    s = pd.DataFrame(
        ships, columns=["shipment_id", "lane_id", "item_id", "qty", "ship_date", "eta_date", "delivered_date"]
    )
    for c in ("ship_date", "delivered_date"):
        s[c] = pd.to_datetime(s[c])
    lanes = pd.DataFrame([("L1", "SUP", "LA")], columns=["lane_id", "origin_id", "destination_id"])
    result = reconcile(counts, d, s, lanes, {"LA"}, {})
    assert (result.lines["diff_units"] == 0).all()
    assert result.locations["trust_score"].tolist() == [100.0]


def test_trust_score_bounds() -> None:
    assert trust_score(0.0, 100.0) == 100.0
    assert trust_score(250.0, 100.0) == 0.0
    assert trust_score(0.0, 0.0) == 100.0
    assert trust_note("LA", 95.0, 10.0, "USD", 90.0) is None
    assert trust_note("LA", 86.4, 150.0, "USD", 90.0) == (
        "Stock counts at LA are not fully trusted: the last reconciliation scored 86/100 (differences worth 150 USD). "
        "Check the count before acting on large moves."
    )


def test_service_stores_scores_and_plans_say_so(net_ws: Workspace, make_plan: PlanFactory, now: datetime) -> None:
    ws = net_ws
    with pytest.raises(PermissionDenied, match="may not reconcile"):
        reconcile_inventory(ws, user="vic", now=now)
    out = reconcile_inventory(ws, user="pat", now=now)
    assert out.created
    assert len(out.lines) == 3
    assert out.lines["diff_value_base"].sum() == pytest.approx(-150.0)
    assert reconcile_inventory(ws, user="pat", now=now).reconciliation_id == out.reconciliation_id
    trust = location_trust(ws)
    assert trust["LA"].trust_score == pytest.approx(86.3636, abs=1e-3)
    assert trust["TK"].trust_score == 100.0
    record_plan(
        ws,
        make_plan("P1", rec("R1", location="LA"), rec("R2", location="TK", lane="L-SUP1-TK-OCEAN")),
        user="pat",
        now=now,
    )
    assert "scored 86/100 (differences worth 150 USD)" in (get_recommendation(ws, "R1").trust_note or "")
    assert get_recommendation(ws, "R2").trust_note is None
    assert verify_audit(ws).ok


def test_needs_two_counts(ws: Workspace, now: datetime, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from hedgerow.domain.enums import TableName
    from hedgerow.services.importing import ImportSource, import_sources

    with pytest.raises(HedgerowError, match="no inventory table imported yet"):
        reconcile_inventory(ws, user="pat", now=now)
    path = tmp_path / "inventory.csv"
    path.write_text("item_id,location_id,on_hand,counted_at\nI1,LA,5,2026-11-16T00:00:00\n", encoding="utf-8")
    import_sources(ws, [ImportSource(path, TableName.INVENTORY)], user="pat", now=now)
    with pytest.raises(HedgerowError, match="no item-location has two inventory counts"):
        reconcile_inventory(ws, user="pat", now=now)
