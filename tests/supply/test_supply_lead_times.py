"""Lead-time fitting, pooling (shrinkage) and in-transit conditioning on hand-checkable histories."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hedgerow.domain.enums import Mode
from hedgerow.supply.empirical import DiscreteDistribution
from hedgerow.supply.lead_times import LeadTimeSource, PoolingSettings, fit_lead_times, open_shipments
from hedgerow.supply.network import LaneNetwork
from tests.supply.supply_fixtures import lanes, locations, shipment_rows, shipments, suppliers


def _network() -> LaneNetwork:
    return LaneNetwork.from_frames(lanes(), locations(), suppliers())


def test_empirical_distribution_quantiles_and_atoms() -> None:
    d = DiscreteDistribution.from_samples(np.array([0, 0, 0, 0, 0, 0, 2, 4, 10, -3.0]))
    assert d.prob_greater(0) == pytest.approx(0.3)
    assert float(d.quantile(0.5)) == 0.0
    assert float(d.quantile(0.9)) == 4.0  # F(4) = 0.9 exactly
    assert float(d.quantile(0.95)) == 10.0
    assert d.mean() == pytest.approx(1.3)
    mix = DiscreteDistribution.mixture([(0.5, DiscreteDistribution.point(0)), (0.5, DiscreteDistribution.point(10))])
    assert mix.mean() == pytest.approx(5.0)


def test_lane_with_long_history_follows_its_own_data() -> None:
    # 200 shipments on the ocean lane: 30 % late by 10 days, the rest on time.
    late = [10] * 60 + [0] * 140
    model = fit_lead_times(_network(), shipments(shipment_rows("CN-LA-OC", late, planned=30)))
    lane = model.lane("CN-LA-OC")
    assert lane.source is LeadTimeSource.LANE_HISTORY
    assert lane.n_shipments == 200
    w = 200 / (200 + 20)
    # the lane's only shipments are its own, so the mode pool equals them and pooling changes nothing
    assert lane.own_weight == pytest.approx(w)
    assert lane.late_share == pytest.approx(0.3)
    assert lane.median_days == 30.0
    assert lane.p90_days == 40.0


def test_sparse_lane_is_shrunk_toward_its_mode_pool() -> None:
    # Two ocean lanes: a rich one (DE-TYO, 100 shipments, all on time) and a sparse one (CN-LA, 5, all late by 10).
    rows = shipment_rows("DE-TYO-OC", [0] * 100, planned=40) + shipment_rows("CN-LA-OC", [10] * 5, planned=30)
    model = fit_lead_times(_network(), shipments(rows), PoolingSettings(prior_shipments=20))
    sparse = model.lane("CN-LA-OC")
    # mode pool late share = 5/105; origin group (country:CN) = 5 own samples shrunk w_g = 5/25 toward mode;
    # lane = same 5 samples shrunk w_l = 5/25 toward the group.
    mode_late = 5 / 105
    group_late = 0.2 * 1.0 + 0.8 * mode_late
    lane_late = 0.2 * 1.0 + 0.8 * group_late
    assert sparse.late_share == pytest.approx(lane_late)
    assert 0.3 < sparse.late_share < 1.0  # neither its own 100 % nor the pool's 5 %
    rich = model.lane("DE-TYO-OC")
    assert rich.late_share < 0.05


def test_lanes_without_history_fall_back_to_transit_days_then_mode() -> None:
    rows = shipment_rows("CN-LA-AIR", [0] * 18 + [2, 4], planned=5)
    model = fit_lead_times(_network(), shipments(rows))
    fallback = model.lane("LA-TYO-AIR")  # no history, no transit_days
    assert fallback.source is LeadTimeSource.MODE_POOL
    assert fallback.planned_days == 5.0  # the air mode's median planned transit
    assert fallback.late_share == pytest.approx(0.1)
    ocean = model.lane("DE-TYO-OC")  # no history, transit_days = 40, no ocean history at all
    assert ocean.source is LeadTimeSource.TRANSIT_DAYS
    assert ocean.median_days == 40.0


def test_bad_dates_are_left_out_and_counted() -> None:
    rows = shipment_rows("CN-LA-OC", [0] * 10, planned=30)
    rows[0]["delivered_date"] = rows[0]["ship_date"] - pd.Timedelta(days=3)  # delivered before shipped
    rows[1]["delivered_date"] = rows[1]["ship_date"] + pd.Timedelta(days=400)
    model = fit_lead_times(_network(), shipments(rows))
    assert model.excluded_rows == 1
    assert model.lane("CN-LA-OC").n_shipments == 9
    assert model.lane("CN-LA-OC").transit.values.min() >= 0


def test_in_transit_conditioning_known_answer() -> None:
    # lateness 0 (50 %), 5 (30 %), 20 (20 %), planned 30 days
    late = [0] * 50 + [5] * 30 + [20] * 20
    model = fit_lead_times(_network(), shipments(shipment_rows("CN-LA-OC", late, planned=30)), PoolingSettings(0))
    lane = model.lane("CN-LA-OC")
    # after 32 days in transit the on-time outcome (30 days) is ruled out: remaining 3 days (p 0.6) or 18 (0.4)
    rem = lane.remaining(32.0)
    assert list(rem.values) == [3.0, 18.0]
    assert list(rem.weights) == pytest.approx([0.6, 0.4])
    # after 10 days nothing is ruled out
    assert lane.remaining(10.0).mean() == pytest.approx(20 + 0.3 * 5 + 0.2 * 20)
    # later than anything seen: late by the mean delay when late ((0.3*5 + 0.2*20)/0.5 = 11 days)
    assert list(lane.remaining(80.0).values) == [11.0]


@settings(max_examples=40, deadline=None)
@given(
    lateness=st.lists(st.integers(-10, 40), min_size=1, max_size=60),
    elapsed=st.integers(0, 80),
)
def test_remaining_time_is_positive_and_stochastically_ordered(lateness: list[int], elapsed: int) -> None:
    model = fit_lead_times(_network(), shipments(shipment_rows("CN-LA-OC", lateness, planned=30)))
    lane = model.lane("CN-LA-OC")
    rem = lane.remaining(float(elapsed))
    assert rem.values.min() > 0
    # a shipment that has already travelled longer never has a shorter expected total trip
    assert rem.mean() + elapsed >= lane.remaining(max(0.0, elapsed - 5.0)).mean() + max(0.0, elapsed - 5.0) - 1e-9


def test_open_shipments_elapsed_days() -> None:
    rows = shipment_rows("CN-LA-OC", [0, 0], planned=30)
    rows[1]["delivered_date"] = pd.NaT
    out = open_shipments(shipments(rows), pd.Timestamp("2025-01-20").date())
    assert len(out) == 1
    assert out[0].shipment_id == "CN-LA-OC-1"
    assert out[0].elapsed_days == 7.0  # shipped 2025-01-13
    assert out[0].planned_days == 30.0


def test_mode_summary() -> None:
    rows = shipment_rows("CN-LA-AIR", [0] * 9 + [3], planned=5)
    summary = fit_lead_times(_network(), shipments(rows)).mode_summary()
    assert summary[Mode.AIR]["late_share"] == pytest.approx(0.1)
    assert summary[Mode.AIR]["n_shipments"] == 10
    assert summary[Mode.OCEAN]["n_shipments"] == 0
