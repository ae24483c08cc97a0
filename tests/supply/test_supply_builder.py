"""The joint scenario builder: shapes, coherence, in-transit, bad signals, reproducibility across workers."""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pytest

from hedgerow.domain.enums import TableName
from hedgerow.scenarios.builder import BuildSettings, build_supply_block, iter_scenario_sets, map_chunks
from hedgerow.scenarios.scenario_set import ScenarioSet
from hedgerow.scenarios.synthetic import PoissonDemandSource
from hedgerow.supply.disruptions import sample_regime
from hedgerow.supply.model import SupplyModel, fit_supply
from tests.supply.supply_network import AS_OF, workspace_frames


def _model(signal_rows: list[dict[str, Any]] | None = None) -> SupplyModel:
    return fit_supply(workspace_frames(signal_rows), as_of=AS_OF, base_currency="USD", period_days=7)


def _signal(sid: str, **kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "signal_id": sid, "kind": "port_congestion", "scope_type": "port", "scope_id": "USLAX", "value": 2.0,
        "observed_at": "2025-06-02T12:00:00", "source": "test", "valid_until": None, "probability": None,
        "delay_days": None, "note": None,
    }  # fmt: skip
    row.update(kw)
    return row


SETTINGS = BuildSettings(n_scenarios=64, horizon=8, seed=99, chunk_size=2)
ITEM_LOCATIONS = [("A", "LA"), ("A", "TYO"), ("B", "TYO"), ("C", "LA"), ("D", "TYO")]


def test_supply_block_shapes_and_read_only() -> None:
    block = build_supply_block(_model(), SETTINGS)
    assert block.lane_ids == ("CN-LA-AIR", "CN-LA-OC", "DE-TYO-OC", "LA-TYO-AIR")
    assert block.lead_time_days.shape == (4, 64, 8)
    assert block.currencies == ("CNY", "EUR", "JPY", "USD")
    assert block.fx_units_per_base.shape == (4, 64, 8)
    assert block.shipment_ids == ("OPEN-0",)
    assert (block.lead_time_days >= 0).all()
    assert ((block.capacity_factor >= 0) & (block.capacity_factor <= 1)).all()
    with pytest.raises(ValueError, match="read-only"):
        block.lead_time_days[0, 0, 0] = 1.0


def test_lane_without_disruption_follows_its_fitted_distribution() -> None:
    model = _model()
    block = build_supply_block(model, BuildSettings(n_scenarios=4000, horizon=2, seed=3))
    air = block.lead_time_days[block.lane_index("CN-LA-AIR")]
    # the air lane has no port, so no regime: its draws are its fitted distribution
    fitted = model.lead_times.lane("CN-LA-AIR")
    assert not block.disrupted[block.lane_index("CN-LA-AIR")].any()
    assert np.mean(air > fitted.planned_days) == pytest.approx(fitted.late_share, abs=0.03)


def test_port_disruption_hits_every_lane_through_the_port_in_the_same_scenarios() -> None:
    calm = workspace_frames()[TableName.SIGNALS].to_dict("records")
    strike = _signal("strike-lax", kind="strike", value=1.0, probability=0.5, delay_days=12.0)
    model = _model([*calm, strike])
    block = build_supply_block(model, BuildSettings(n_scenarios=2000, horizon=6, seed=5))
    oc, air_via_lax = block.lane_index("CN-LA-OC"), block.lane_index("LA-TYO-AIR")
    other = block.lane_index("CN-LA-AIR")
    strike = next(r for r in model.disruptions.regimes if r.kind.value == "strike")
    assert set(strike.lane_ids) == {"CN-LA-OC", "LA-TYO-AIR"}
    # wherever the strike is on, both lanes through USLAX are disrupted; the lane avoiding it never is
    assert block.disrupted[oc, :, 0].mean() == pytest.approx(0.5, abs=0.04)
    on = sample_regime(strike, seed=5, n_scenarios=2000, horizon=6).disrupted
    assert block.disrupted[oc][on].all()
    assert block.disrupted[air_via_lax][on].all()
    assert not block.disrupted[other].any()
    # disrupted scenarios are slower by about the strike's 12-day mean delay
    d0 = block.disrupted[oc, :, 0]
    gap = block.lead_time_days[oc, d0, 0].mean() - block.lead_time_days[oc, ~d0, 0].mean()
    assert gap == pytest.approx(12.0, abs=2.5)
    assert block.capacity_factor[oc, d0, 0].mean() < 0.5 < block.capacity_factor[oc, ~d0, 0].mean()


def test_open_shipment_arrival_is_conditional_on_time_travelled() -> None:
    model = _model()
    ship = model.open_shipments[0]
    assert ship.elapsed_days == 21.0  # shipped 2025-05-12, as of 2025-06-02
    block = build_supply_block(model, BuildSettings(n_scenarios=2000, horizon=8, seed=5))
    arrival = block.shipment_arrival_days[0]
    assert (arrival > 0).all()
    # planned 30 days, 21 travelled: on time in 9 days; lateness as the lane's history (shrunk)
    assert np.median(arrival) == pytest.approx(9.0, abs=1.0)
    assert np.mean(arrival > 9.0) == pytest.approx(model.lead_times.lane("CN-LA-OC").late_share, abs=0.06)


def test_bad_signals_never_change_the_plan() -> None:
    good = _model()
    bad_rows = [
        _signal("bad-scope", scope_id="XXNOPE"),
        _signal("bad-p", probability=-0.3),
        _signal("future", observed_at="2030-01-01T00:00:00"),
        _signal("bad-kind", kind="alien"),
    ]
    frames = workspace_frames()
    calm = frames[TableName.SIGNALS].to_dict("records")
    frames[TableName.SIGNALS] = workspace_frames(calm + bad_rows)[TableName.SIGNALS]
    with_bad = fit_supply(frames, as_of=AS_OF, base_currency="USD", period_days=7)
    assert len(with_bad.signals.quarantined) == 4
    a, b = build_supply_block(good, SETTINGS), build_supply_block(with_bad, SETTINGS)
    np.testing.assert_array_equal(a.lead_time_days, b.lead_time_days)
    np.testing.assert_array_equal(a.capacity_factor, b.capacity_factor)
    assert any("quarantined" in n for n in b.notes)


def test_missing_signal_feed_still_plans_and_widens() -> None:
    frames = workspace_frames()
    del frames[TableName.SIGNALS]
    missing = fit_supply(frames, as_of=AS_OF, base_currency="USD", period_days=7)
    fresh = _model()
    s = BuildSettings(n_scenarios=3000, horizon=4, seed=8)
    lead_missing = build_supply_block(missing, s).lead_time_days
    lead_fresh = build_supply_block(fresh, s).lead_time_days
    i = build_supply_block(fresh, s).lane_index("CN-LA-OC")
    # beyond the longest trip in the history (50 days) only disruptions reach
    assert np.mean(lead_missing[i] > 50.5) > np.mean(lead_fresh[i] > 50.5) + 0.015
    assert lead_missing[i].mean() > lead_fresh[i].mean()
    assert any("missing" in n for n in build_supply_block(missing, s).notes)


def _digest(ss: ScenarioSet) -> tuple[tuple[str, ...], float, str]:
    h = hashlib.sha256()
    for arr in (ss.supply.lead_time_days, ss.supply.fx_units_per_base, ss.supply.shipment_arrival_days):
        h.update(np.ascontiguousarray(arr).tobytes())
    return ss.demand.item_ids, float(ss.demand.paths.sum()), h.hexdigest()


def _paths_by_item(results: list[Any]) -> dict[str, float]:
    return {item: total for items, totals, _ in results for item, total in zip(items, totals, strict=True)}


def _per_item(ss: ScenarioSet) -> tuple[tuple[str, ...], list[float], str]:
    ids, _, digest = _digest(ss)
    return ids, [float(x) for x in ss.demand.paths.sum(axis=(1, 2))], digest


def test_identical_across_chunk_sizes_and_worker_counts() -> None:
    model = _model()
    source = PoissonDemandSource()
    one = map_chunks(model, ITEM_LOCATIONS, source, SETTINGS, _per_item, workers=1)
    two = map_chunks(model, ITEM_LOCATIONS, source, SETTINGS, _per_item, workers=2)
    bigger = map_chunks(
        model, ITEM_LOCATIONS, source, BuildSettings(n_scenarios=64, horizon=8, seed=99, chunk_size=3), _per_item
    )
    assert one == two
    assert _paths_by_item(one) == _paths_by_item(bigger)
    assert {d for _, _, d in one} == {d for _, _, d in bigger}  # one shared supply block, the same everywhere
    other_seed = map_chunks(
        model, ITEM_LOCATIONS, source, BuildSettings(n_scenarios=64, horizon=8, seed=100, chunk_size=2), _per_item
    )
    assert _paths_by_item(other_seed) != _paths_by_item(one)


def test_iter_scenario_sets_yields_chunks_in_order() -> None:
    sets = list(iter_scenario_sets(_model(), ITEM_LOCATIONS, PoissonDemandSource(), SETTINGS))
    assert [s.demand.item_ids for s in sets] == [("A", "A"), ("B", "C"), ("D",)]
    assert all(s.supply is sets[0].supply for s in sets)
    assert sets[0].as_of == AS_OF.date()
    assert sets[0].n_scenarios == 64
