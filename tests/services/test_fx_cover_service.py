"""FX cover of a workspace: payables from the newest plan and the shipments in transit, the ledger's lifecycle."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from hedgerow.decide.fx_cover import FxCoverStatus
from hedgerow.decide.lifecycle import DecisionKind
from hedgerow.errors import HedgerowError, InvalidTransition, NotFound, PermissionDenied
from hedgerow.plan.fx_cover import CoverChoice
from hedgerow.services.audit import verify_audit
from hedgerow.services.fx_cover import compute_fx_cover, evaluate_ratios, fx_cover_inputs, ratios_of
from hedgerow.services.fx_cover_ledger import decide_fx_cover, get_fx_cover, list_fx_cover, record_fx_cover
from hedgerow.services.importing import import_sources, sources_from_folder
from hedgerow.services.recommendations import record_plan
from hedgerow.services.workspace import Workspace
from tests.decide.conftest import NETWORK, NOW, make_workspace, plan_record, rec

#: Latest JPY rate of the history written by :func:`write_fx_history` (units per USD).
JPY_SPOT = 150.0


def write_fx_history(path: Path) -> None:
    """90 business days of JPY per USD: a seeded random walk (0.6 % a day) ending at :data:`JPY_SPOT`."""
    rng = np.random.default_rng(7)
    steps = rng.normal(0.0, 0.006, 89)
    levels = JPY_SPOT * np.exp(np.concatenate([[0.0], np.cumsum(steps)]) - np.sum(steps))
    dates = np.busday_offset("2026-11-20", -np.arange(90)[::-1], roll="backward")
    lines = ["date,currency,units_per_base"] + [f"{d},JPY,{v:.6f}" for d, v in zip(dates, levels, strict=True)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def fx_workspace(root: Path) -> Workspace:
    """The decision tests' network (I2 costs 1,500 JPY from SUP1) with 90 days of JPY history and a plan ordering
    100 × I2 on the 30-day ocean lane to LA; shipment S4 (40 × I1, USD) is in transit."""
    data = root.parent / "network"
    shutil.copytree(NETWORK, data)
    write_fx_history(data / "fx_rates.csv")
    ws = make_workspace(root)
    sources, _ = sources_from_folder(data)
    import_sources(ws, sources, user="pat", now=NOW)
    plan = plan_record("P-FX", rec("R-I2", item="I2", qty=100.0), rec("R-I1", item="I1", qty=10.0, rank=2))
    record_plan(ws, plan, user="pat", now=NOW)
    return ws


@pytest.fixture
def fx_ws(tmp_path: Path) -> Iterator[Workspace]:
    with fx_workspace(tmp_path / "ws") as ws:
        yield ws


def test_payables_come_from_the_plan_and_the_shipments_in_transit(fx_ws: Workspace) -> None:
    """R-I2 owes 100 × 1,500 = 150,000 JPY to SUP1 and 100 × 1 USD freight, due after the lane's ~30-day transit
    (period 4 of 7-day periods); R-I1 owes 10 × 10 USD + 10 USD freight; S4 owes 40 × 10 + 40 × 1 USD."""
    inputs = fx_cover_inputs(fx_ws, now=NOW)
    got = sorted((p.source.value, p.reference, p.currency, p.amount) for p in inputs.payables)
    assert got == [
        ("open_shipment", "S4", "USD", 40.0),
        ("open_shipment", "S4", "USD", 400.0),
        ("order", "R-I1", "USD", 10.0),
        ("order", "R-I1", "USD", 100.0),
        ("order", "R-I2", "JPY", 150_000.0),
        ("order", "R-I2", "USD", 100.0),
    ]
    (jpy,) = [p for p in inputs.payables if p.currency == "JPY"]
    assert jpy.due_period == 4
    assert inputs.spot == {"JPY": pytest.approx(JPY_SPOT)}
    assert inputs.fx.shape == (2, 500, 26)  # the plan's scenario count and horizon; USD is 1 throughout


def test_one_bucket_is_covered_all_or_nothing_and_explained(fx_ws: Workspace) -> None:
    report = compute_fx_cover(fx_ws, now=NOW)
    (b,) = report.plan.buckets
    assert (b.currency, b.first_period, b.last_period, b.amount_local) == ("JPY", 4, 7, 150_000.0)
    assert b.forward_rate == pytest.approx(JPY_SPOT)  # no forward premium set
    assert b.exposure_base == pytest.approx(1000.0)
    assert b.cover_cost_base == pytest.approx(1.0)  # 0.1 % of $1,000
    none, full = b.alternative(CoverChoice.NONE).outcome, b.alternative(CoverChoice.FULL).outcome
    assert full.cvar_base == pytest.approx(1001.0)  # certain: $1,000 at the forward plus $1 of cover
    assert b.cover_ratio == (1.0 if full.cvar_base < none.cvar_base else 0.0)
    assert report.words[0].headline.startswith("Cover all of the JPY 150,000 due in weeks 5–8 at the forward 150")
    shocked = fx_cover_inputs(fx_ws, now=NOW, shock={"JPY": 1 / 1.1})
    moved = evaluate_ratios(shocked, ratios_of(report.plan, CoverChoice.NONE))
    assert moved.expected_cost_base == pytest.approx(1.1 * none.expected_cost_base)
    assert evaluate_ratios(shocked, ratios_of(report.plan, CoverChoice.FULL)).cvar_base == pytest.approx(1001.0)
    with pytest.raises(HedgerowError, match="shock names EUR"):
        fx_cover_inputs(fx_ws, now=NOW, shock={"EUR": 0.9})


def test_record_decide_supersede_and_audit(fx_ws: Workspace) -> None:
    report = compute_fx_cover(fx_ws, now=NOW)
    (first,) = record_fx_cover(fx_ws, report, user="pat", now=NOW)
    assert (first.status, first.version, first.plan_id) == ("proposed", 1, "P-FX")
    assert set(first.alternatives) == {"none", "full", "recommended"}
    with pytest.raises(PermissionDenied):
        decide_fx_cover(fx_ws, first.id, DecisionKind.APPROVE, reason=None, user="vic", now=NOW)
    with pytest.raises(HedgerowError, match="needs a reason"):
        decide_fx_cover(fx_ws, first.id, DecisionKind.REJECT, reason=" ", user="pat", now=NOW)
    with pytest.raises(NotFound):
        decide_fx_cover(fx_ws, "FX-NONE", DecisionKind.APPROVE, reason=None, user="pat", now=NOW)
    approved = decide_fx_cover(fx_ws, first.id, DecisionKind.APPROVE, reason="treasury agrees", user="pat", now=NOW)
    assert (approved.status, approved.version, approved.decided_by) == ("approved", 2, "pat")
    with pytest.raises(InvalidTransition):
        decide_fx_cover(fx_ws, first.id, DecisionKind.REJECT, reason="too late", user="pat", now=NOW)
    (second,) = record_fx_cover(fx_ws, report, user="pat", now=NOW)
    (third,) = record_fx_cover(fx_ws, report, user="pat", now=NOW)
    assert get_fx_cover(fx_ws, first.id).status == "approved"  # decided ones stay
    assert get_fx_cover(fx_ws, second.id).status == "superseded"
    assert [v.id for v in list_fx_cover(fx_ws, status=FxCoverStatus.PROPOSED)] == [third.id]
    rejected = decide_fx_cover(
        fx_ws, third.id, DecisionKind.REJECT, reason="budget", user="alex", now=NOW, expected_version=1
    )
    assert (rejected.status, rejected.reason) == ("rejected", "budget")
    audit = verify_audit(fx_ws)
    assert audit.ok, audit.to_dict()
    assert audit.rows_checked >= 3


def test_no_plan_is_named(tmp_path: Path) -> None:
    with make_workspace(tmp_path / "ws") as ws, pytest.raises(NotFound, match="run `hedgerow plan` first"):
        compute_fx_cover(ws, now=NOW)
