"""Freight rates as uncertain costs: the multiplier paths, their link to disruptions, the fit on freight_rates."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from hedgerow.domain.enums import Mode, TableName
from hedgerow.scenarios.builder import BuildSettings, build_supply_block
from hedgerow.supply.freight import (
    FREIGHT_ASSUMPTIONS,
    INSURANCE_PASS_THROUGH,
    MIN_RETURNS,
    FreightModel,
    VolatilitySource,
    sample_freight,
)
from hedgerow.supply.model import SupplyModel, fit_supply
from tests.supply.supply_network import AS_OF, workspace_frames

OCEAN_UP = FREIGHT_ASSUMPTIONS[Mode.OCEAN].disrupted_factor
AIR_DIVERTED = FREIGHT_ASSUMPTIONS[Mode.AIR].diversion_factor


def _closure(port: str = "USLAX", **kw: Any) -> dict[str, Any]:
    """A port closure known for certain now (probability 1, observed at the as-of time)."""
    row: dict[str, Any] = {
        "signal_id": f"closed-{port}", "kind": "strike", "scope_type": "port", "scope_id": port, "value": 1.0,
        "observed_at": "2025-06-02T12:00:00", "source": "test", "valid_until": None, "probability": 1.0,
        "delay_days": 10.0, "note": None,
    }  # fmt: skip
    row.update(kw)
    return row


def _model(signal_rows: list[dict[str, Any]] | None = None, rates: pd.DataFrame | None = None) -> SupplyModel:
    frames = workspace_frames(signal_rows)
    if rates is not None:
        frames[TableName.FREIGHT_RATES] = rates
    return fit_supply(frames, as_of=AS_OF, base_currency="USD", period_days=7)


def _still(model: SupplyModel) -> SupplyModel:
    """The model with zero volatility but the disruption uplifts kept."""
    assert model.freight is not None
    return replace(
        model, freight=replace(model.freight, weekly_volatility=dict.fromkeys(model.freight.lane_modes, 0.0))
    )


SETTINGS = BuildSettings(n_scenarios=400, horizon=8, seed=11)


def test_a_port_closure_raises_ocean_rates_by_the_factor_and_air_on_the_route_by_diversion() -> None:
    model = _still(_model([_closure()]))
    block = build_supply_block(model, SETTINGS)
    assert block.freight_multiplier is not None
    oc, air = block.lane_index("CN-LA-OC"), block.lane_index("CN-LA-AIR")
    closed = block.disrupted[oc]
    assert closed[:, 0].all()  # known for certain now
    assert 0 < closed.mean() < 1  # and it ends in some scenarios
    m_oc, m_air = block.freight_multiplier[oc], block.freight_multiplier[air]
    # ocean through the closed port: exactly the ocean factor while closed, exactly today's rate otherwise
    assert np.all(m_oc[closed] == OCEAN_UP)
    assert np.all(m_oc[~closed] == 1.0)
    # the air lane has no port, but it is on the same route: cargo diverts to it while the ocean lane is shut
    assert not block.disrupted[air].any()
    assert np.all(m_air[closed] == AIR_DIVERTED)
    assert np.all(m_air[~closed] == 1.0)
    # a lane the closure does not reach keeps today's rate wherever it is calm itself
    de = block.lane_index("DE-TYO-OC")
    calm = ~block.disrupted[de]
    assert np.all(block.freight_multiplier[de][calm] == 1.0)


def test_with_volatility_the_closure_flag_and_the_rate_are_positively_correlated() -> None:
    model = _model([_closure()])
    block = build_supply_block(model, BuildSettings(n_scenarios=2000, horizon=8, seed=12))
    assert block.freight_multiplier is not None
    for lane in ("CN-LA-OC", "CN-LA-AIR"):
        m = block.freight_multiplier[block.lane_index(lane)][:, 4]
        closed = block.disrupted[block.lane_index("CN-LA-OC")][:, 4]
        corr = float(np.corrcoef(closed.astype(float), np.log(m))[0, 1])
        assert corr > 0.3, (lane, corr)
        # and the rate is higher by about the factor: mean-one noise times the uplift
        factor = OCEAN_UP if lane == "CN-LA-OC" else AIR_DIVERTED
        ratio = float(np.exp(np.log(m[closed]).mean() - np.log(m[~closed]).mean()))
        assert ratio == pytest.approx(factor, rel=0.03)


def test_no_disruption_and_zero_volatility_give_exactly_one() -> None:
    model = _model()
    assert model.freight is not None
    block = build_supply_block(replace(model, freight=model.freight.calm()), SETTINGS)
    assert block.freight_multiplier is not None
    assert np.all(block.freight_multiplier == 1.0)
    # and sample_freight alone: no disruption, zero volatility
    calm = replace(model.freight, weekly_volatility=dict.fromkeys(model.freight.lane_modes, 0.0))
    lanes = tuple(model.freight.lane_modes)
    out = sample_freight(calm, lanes, np.zeros((len(lanes), 5, 6), dtype=bool), seed=1, period_days=7)
    assert np.all(out == 1.0)


def test_the_random_part_has_mean_one_and_the_assumed_spread() -> None:
    model = _model()
    assert model.freight is not None
    lanes = ("CN-LA-AIR",)
    out = sample_freight(model.freight, lanes, np.zeros((1, 20000, 3), dtype=bool), seed=2, period_days=7)
    sigma = FREIGHT_ASSUMPTIONS[Mode.AIR].weekly_volatility
    assert out[0].mean(axis=0) == pytest.approx([1.0, 1.0, 1.0], abs=0.003)
    # one week ahead the log rate has exactly one weekly step of spread
    assert float(np.log(out[0, :, 0]).std()) == pytest.approx(sigma, rel=0.03)


def test_freight_is_off_when_the_setting_says_so() -> None:
    block = build_supply_block(_model([_closure()]), replace(SETTINGS, uncertain_freight=False))
    assert block.freight_multiplier is None
    assert block.freight("CN-LA-OC") is None


def test_draws_are_keyed_on_the_lane_and_mode_not_on_the_lane_list() -> None:
    model = _model()
    assert model.freight is not None
    every = tuple(model.freight.lane_modes)
    none = np.zeros((len(every), 50, 5), dtype=bool)
    full = sample_freight(model.freight, every, none, seed=3, period_days=7)
    alone = sample_freight(model.freight, ("DE-TYO-OC",), none[:1], seed=3, period_days=7)
    np.testing.assert_array_equal(full[every.index("DE-TYO-OC")], alone[0])
    again = sample_freight(model.freight, every, none, seed=3, period_days=7)
    np.testing.assert_array_equal(full, again)
    # lanes of one mode share the mode's shock: the two ocean lanes move together
    wide = sample_freight(model.freight, every, np.zeros((len(every), 4000, 1), dtype=bool), seed=3, period_days=7)
    a, b = np.log(wide[every.index("CN-LA-OC"), :, 0]), np.log(wide[every.index("DE-TYO-OC"), :, 0])
    assert float(np.corrcoef(a, b)[0, 1]) == pytest.approx(model.freight.mode_shock_share, abs=0.04)


def _weekly(lane: str | None, mode: str | None, returns: list[float], start: float = 4.0) -> list[dict[str, Any]]:
    rates = start * np.exp(np.concatenate([[0.0], np.cumsum(returns)]))
    dates = pd.date_range("2025-01-06", periods=len(rates), freq="7D")
    return [
        {"lane_id": lane, "mode": mode, "date": d, "rate_per_unit": float(r), "currency": "USD"}
        for d, r in zip(dates, rates, strict=True)
    ]


def test_a_freight_rates_history_replaces_the_assumed_volatility() -> None:
    steps = [0.1, -0.1] * 6  # 12 weekly returns of ±10 %: sample sd = 0.1 · √(12/11)
    rows = _weekly("CN-LA-AIR", None, steps)
    rows += _weekly(None, "ocean", [0.2, -0.2] * 6)  # a mode index: every ocean lane
    rows += _weekly("LA-TYO-AIR", None, [0.3, -0.3] * ((MIN_RETURNS - 1) // 2))  # too short: assumed
    rates = pd.DataFrame(rows)
    model = _model(rates=rates)
    assert model.freight is not None
    fr = model.freight
    assert fr.weekly_volatility["CN-LA-AIR"] == pytest.approx(0.1 * math.sqrt(12 / 11))
    assert fr.sources["CN-LA-AIR"] is VolatilitySource.LANE_HISTORY
    assert fr.weekly_volatility["CN-LA-OC"] == pytest.approx(0.2 * math.sqrt(12 / 11))
    assert fr.weekly_volatility["DE-TYO-OC"] == pytest.approx(0.2 * math.sqrt(12 / 11))
    assert fr.sources["DE-TYO-OC"] is VolatilitySource.MODE_HISTORY
    assert fr.weekly_volatility["LA-TYO-AIR"] == FREIGHT_ASSUMPTIONS[Mode.AIR].weekly_volatility
    assert fr.sources["LA-TYO-AIR"] is VolatilitySource.ASSUMED


def test_a_monthly_history_is_scaled_to_a_weekly_volatility() -> None:
    rates = 4.0 * np.exp(np.concatenate([[0.0], np.cumsum([0.2, -0.2] * 5)]))
    dates = pd.date_range("2024-01-01", periods=len(rates), freq="28D")
    frame = pd.DataFrame(
        {"lane_id": "CN-LA-AIR", "mode": None, "date": dates, "rate_per_unit": rates, "currency": "USD"}
    )
    model = _model(rates=frame)
    assert model.freight is not None
    # 10 returns of ±20 % four weeks apart: sd 0.2·√(10/9) per 4 weeks → half that per week
    assert model.freight.weekly_volatility["CN-LA-AIR"] == pytest.approx(0.2 * math.sqrt(10 / 9) / 2)


def test_an_insurance_premium_signal_raises_the_rate_level_on_its_lanes() -> None:
    premium = _closure(
        signal_id="war-risk", kind="insurance_premium", scope_id="JPTYO", value=50.0, probability=0.0, delay_days=None
    )
    model = _still(_model([premium]))
    assert model.freight is not None
    assert [p.lane_ids for p in model.freight.premiums] == [("DE-TYO-OC",)]
    block = build_supply_block(replace(model, freight=replace(model.freight, disrupted_factor={})), SETTINGS)
    assert block.freight_multiplier is not None
    m = block.freight_multiplier[block.lane_index("DE-TYO-OC")]
    assert np.all(m == pytest.approx(1.0 + INSURANCE_PASS_THROUGH * 0.5))
    assert np.all(block.freight_multiplier[block.lane_index("CN-LA-OC")] == 1.0)


def test_the_model_refuses_falling_rates_in_a_disruption() -> None:
    with pytest.raises(ValueError, match="disrupted_factor must be >= 1"):
        FreightModel({"L": Mode.AIR}, {"L": 0.1}, {"L": VolatilitySource.ASSUMED}, disrupted_factor={Mode.AIR: 0.8})
