"""Signals replayed in the simulator: a policy sees each signal from its ``observed_at``, never earlier.

The no-lookahead tests replay the same history with a signal observed at period ``K`` and with the same signal moved
to ``K + 3``: every decision before ``K`` is identical, and the signal changes what hedgerow's policy orders once it
is seen (a congestion signal on the primary lane; a sentiment signal backing a demand shift, with the shift sensor
turned on).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from hedgerow.config import Settings
from hedgerow.domain.enums import ScopeType, SignalKind, TableName
from hedgerow.errors import SimulationInputError
from hedgerow.sim.costs import cost_arrays
from hedgerow.sim.engine import _Replay, simulate
from hedgerow.sim.frames import FrameOptions, inputs_from_frames
from hedgerow.sim.inputs import SimInputs, UnmetDemand
from hedgerow.sim.policies.hedgerow import DemandSettings, HedgerowSettings, NetworkSpec, hedgerow_backend
from hedgerow.sim.policies.hedgerow.supply import Pipeline, delayed_arrivals, disruption_reach
from hedgerow.sim.signals import ReplaySignals
from hedgerow.sim.stress import STRESS_SIGNAL_SOURCE, apply_shock
from hedgerow.sim.synthetic import single_echelon
from hedgerow.supply.disruptions import DisruptionModel, LaneDisruptions, Regime
from hedgerow.supply.signals import lanes_in_scope
from tests.sim.helpers import network_frames
from tests.sim.test_hedgerow_policy import Recorder

FAST = HedgerowSettings(n_scenarios=60)
START = 20
K = START + 3  # the period the signal is observed in


def _signal(inputs: SimInputs, observed_at: datetime, **values: object) -> ReplaySignals:
    record: dict[str, object] = {
        "signal_id": "sig-1",
        "kind": SignalKind.PORT_CONGESTION.value,
        "scope_type": ScopeType.LANE.value,
        "scope_id": "LANE-0",
        "value": 0.0,
        "observed_at": observed_at,
        "source": "test",
        "probability": 1.0,
        "delay_days": 21.0,
    }
    return ReplaySignals.from_records([record | values])


def _orders(inputs: SimInputs, settings: HedgerowSettings = FAST) -> np.ndarray:
    """[simulated period, il] what hedgerow's policy ordered on each primary lane."""
    rec = Recorder(hedgerow_backend(inputs, settings))
    simulate(inputs, rec)
    return np.array([d.qty[:, 0] for d in rec.decisions])


@pytest.fixture(scope="module")
def steady() -> SimInputs:
    """Two items bought over two-week truck lanes, 20 units a week, 10 weeks replayed."""
    demand = np.random.default_rng(4).poisson(20.0, size=(2, START + 10)).astype(np.float64)
    return single_echelon(demand, start=START, lead_time_days=14.0, goodwill_multiplier=1.0)


@pytest.fixture(scope="module")
def unsignalled(steady: SimInputs) -> np.ndarray:
    return _orders(steady)


def test_the_decision_moment_is_midnight_utc_of_the_periods_first_day(steady: SimInputs) -> None:
    moment = steady.decision_moment(K)
    assert moment == datetime(2024, 1, 1) + timedelta(days=7 * K)
    assert NetworkSpec.from_inputs(steady).decision_moment(K) == moment
    # at the moment itself (given in another zone) the signal is seen; a second later it waits a period
    at = pd.Timestamp(moment).tz_localize("UTC").tz_convert("Asia/Tokyo")
    later = moment + timedelta(seconds=1)
    signals = _signal(steady, at.to_pydatetime()).added(_signal(steady, later, signal_id="sig-2"))
    replay = _Replay(replace(steady, signals=signals), UnmetDemand.LOST, cost_arrays(steady))
    seen = {t: replay.view(t).signals for t in (K - 1, K, K + 1)}
    assert {t: list(v["signal_id"]) if v is not None else None for t, v in seen.items()} == {
        K - 1: [],
        K: ["sig-1"],
        K + 1: ["sig-1", "sig-2"],
    }
    assert seen[K]["observed_at"].iloc[0] == pd.Timestamp(moment)  # naive UTC
    assert _Replay(steady, UnmetDemand.LOST, cost_arrays(steady)).view(K).signals is None


def test_no_lookahead_a_congestion_signal_moved_later_leaves_earlier_orders_unchanged(
    steady: SimInputs, unsignalled: np.ndarray
) -> None:
    at_k = _orders(replace(steady, signals=_signal(steady, steady.decision_moment(K))))
    later = _orders(replace(steady, signals=_signal(steady, steady.decision_moment(K + 3))))
    j = K - START
    np.testing.assert_array_equal(at_k[:j], later[:j])  # before K nobody has seen the signal
    np.testing.assert_array_equal(at_k[:j], unsignalled[:j])
    np.testing.assert_array_equal(later[: j + 3], unsignalled[: j + 3])  # moved: unseen until K + 3
    # seen at K: three weeks more on lane 0 (probability 1) -> a much larger order on it, at K and at K + 3
    assert at_k[j, 0] > 2.0 * unsignalled[j, 0]
    assert later[j + 3, 0] > 2.0 * unsignalled[j + 3, 0]
    assert not np.array_equal(at_k[j:], later[j:])


def test_a_signal_observed_after_the_replay_ends_changes_nothing(steady: SimInputs, unsignalled: np.ndarray) -> None:
    after = steady.decision_moment(steady.n_periods - 1) + timedelta(seconds=1)
    np.testing.assert_array_equal(_orders(replace(steady, signals=_signal(steady, after))), unsignalled)


def test_no_lookahead_a_sentiment_signal_backing_a_shift_reaches_the_demand_engine() -> None:
    """Demand doubles from period K − 1; a sentiment signal (z = 3) on item 0 is observed at K or at K + 3. With the
    spike-or-shift sensor on it raises the prior odds of a shift (× 8) and changes the orders once seen; with the
    sensor off (the replay's default) the engine does not read signals and nothing changes."""
    t_all, start, k = 34, 24, 27
    level = np.where(np.arange(t_all) < k - 1, 10.0, 20.0)
    demand = np.random.default_rng(4).poisson(np.broadcast_to(level, (2, t_all))).astype(np.float64)
    inputs = single_echelon(demand, start=start, lead_time_days=14.0, goodwill_multiplier=1.0)

    def sentiment(t: int) -> ReplaySignals:
        record = {
            "signal_id": "viral",
            "kind": SignalKind.SENTIMENT.value,
            "scope_type": ScopeType.ITEM_LOCATION.value,
            "scope_id": "I0@L0",
            "value": 3.0,
            "observed_at": inputs.decision_moment(t),
            "source": "test",
        }
        return ReplaySignals.from_records([record])

    sensor = replace(FAST, demand=DemandSettings(shift_sensor=True))
    at_k = _orders(replace(inputs, signals=sentiment(k)), sensor)
    later = _orders(replace(inputs, signals=sentiment(k + 3)), sensor)
    none = _orders(inputs, sensor)
    j = k - start
    np.testing.assert_array_equal(at_k[:j], later[:j])
    np.testing.assert_array_equal(later[: j + 3], none[: j + 3])
    assert not np.array_equal(at_k[j:], none[j:])  # seen from K: the shift is believed sooner
    assert not np.array_equal(later[j + 3 :], none[j + 3 :])
    np.testing.assert_array_equal(at_k[:, 1], none[:, 1])  # item 1 has no signal: its orders never move
    # the sensor off (DemandSettings' default): the sentiment signal reaches nothing
    np.testing.assert_array_equal(_orders(replace(inputs, signals=sentiment(k))), _orders(inputs))


def test_inputs_from_frames_read_the_signals_table() -> None:
    frames = network_frames()
    assert len(inputs_from_frames(frames, Settings(), FrameOptions(periods=40)).signals) == 0
    signals = pd.DataFrame(
        {
            "signal_id": ["p2", "p1", "s1"],
            "kind": ["port_congestion", "port_congestion", "sentiment"],
            "scope_type": ["port", "port", "item_location"],
            "scope_id": ["USLAX", "USLAX", "CHG-65@ST-1"],
            "value": [40.0, 12.0, 2.0],
            "observed_at": pd.to_datetime(
                ["2025-03-03 09:00+01:00", "2025-02-03 00:00+00:00", "2025-02-10 00:00+00:00"], utc=True
            ),
            "source": ["bts", "bts", "social"],
        }
    )
    inputs = inputs_from_frames(frames | {TableName.SIGNALS: signals}, Settings(), FrameOptions(periods=40))
    got = inputs.signals.frame
    assert list(got["signal_id"]) == ["p1", "s1", "p2"]  # oldest first
    assert got["observed_at"].iloc[2] == pd.Timestamp("2025-03-03 08:00")  # naive UTC
    assert got["valid_until"].isna().all()
    assert got["probability"].isna().all()
    t = inputs.period_starts.index(pd.Timestamp("2025-02-10").date())
    replay = _Replay(inputs, UnmetDemand.LOST, cost_arrays(inputs))
    view = replay.view(t).signals
    assert view is not None
    assert list(view["signal_id"]) == ["p1", "s1"]
    # the port reaches the ocean lane through Los Angeles, a country the lanes into it, as in hedgerow plan
    lanes = NetworkSpec.from_inputs(inputs).lane_network()
    assert lanes_in_scope(ScopeType.PORT, "USLAX", lanes) == ("CN-LA-OCN",)
    assert lanes_in_scope(ScopeType.COUNTRY, "JP", lanes) == ("CN-TYO-AIR",)
    assert lanes_in_scope(ScopeType.REGION, "Asia-Pacific", lanes) == ("CN-TYO-AIR",)


def test_replay_signals_refuse_missing_columns_times_and_duplicate_ids(steady: SimInputs) -> None:
    with pytest.raises(SimulationInputError, match="observed_at"):
        ReplaySignals(pd.DataFrame({"signal_id": ["a"], "kind": ["strike"]}))
    with pytest.raises(SimulationInputError, match="missing for"):
        ReplaySignals(_signal(steady, steady.decision_moment(K)).frame.assign(observed_at=pd.NaT))
    one = _signal(steady, steady.decision_moment(K))
    with pytest.raises(SimulationInputError, match="unique"):
        one.added(one)


def test_stresses_announce_themselves_only_when_asked() -> None:
    inputs = inputs_from_frames(network_frames(), Settings(), FrameOptions(periods=40))
    start = inputs.start + 5
    plain = apply_shock(inputs, "port_closure", port="USLAX", weeks=3, start=start)
    assert plain.inputs.signals is inputs.signals
    assert "signals" not in plain.changed
    told = apply_shock(inputs, "port_closure", port="USLAX", weeks=3, start=start, announce=True)
    assert told.changed == ("lane_lead_time_days", "signals")
    row = told.inputs.signals.frame.iloc[0].to_dict()
    assert (row["kind"], row["scope_type"], row["scope_id"]) == ("port_congestion", "port", "USLAX")
    assert row["observed_at"] == pd.Timestamp(inputs.decision_moment(start))
    assert row["valid_until"] == pd.Timestamp(inputs.decision_moment(start + 3))
    assert (row["probability"], row["delay_days"], row["source"]) == (1.0, 21.0, STRESS_SIGNAL_SOURCE)
    np.testing.assert_array_equal(told.inputs.lane_lead_time_days, plain.inputs.lane_lead_time_days)
    shift = apply_shock(inputs, "demand_shift", factor=1.5, start=start, location="ST-1", sentiment_z=2.5)
    frame = shift.inputs.signals.frame
    rows = [i for i, loc in enumerate(inputs.location_ids) if loc == "ST-1"]
    assert shift.changed == ("demand", "signals")
    assert sorted(frame["scope_id"]) == sorted(f"{inputs.item_ids[r]}@ST-1" for r in rows)
    assert set(frame["kind"]) == {"sentiment"}
    assert set(frame["value"]) == {2.5}
    assert set(frame["observed_at"]) == {pd.Timestamp(inputs.decision_moment(start))}


def test_disruptions_stretch_the_horizon_and_delay_what_is_on_order() -> None:
    regime = Regime("strike|lane:B", SignalKind.STRIKE, ("B",), 1.0, 0.9, 0.01, 10.0, 2.0, 0.3)
    # mean 10 days + 2 sd (10 / sqrt 2) = 24.1 days -> 4 weekly periods on lane B, none on A
    np.testing.assert_array_equal(disruption_reach(DisruptionModel((regime,)), ("A", "B"), 7), [0.0, 4.0])
    np.testing.assert_array_equal(disruption_reach(None, ("A", "B"), 7), [0.0, 0.0])
    extra = np.zeros((2, 2, 3))
    extra[1] = [[0.0, 5.0, 9.0], [1.0, 2.0, 3.0]]
    hit = LaneDisruptions(extra, np.ones(extra.shape), extra > 0)
    pipe = Pipeline(il=np.array([0, 1]), qty=np.array([4.0, 6.0]), arrival=np.array([[0, 1], [1, 7]]))
    days = delayed_arrivals(pipe, np.array([0, 1]), hit, 7)
    # lane A is not disrupted; on lane B the delay of the period of arrival (capped at the last one) is added
    np.testing.assert_array_equal(days, [[0.0, 7.0], [7.0 + 5.0, 49.0 + 3.0]])
