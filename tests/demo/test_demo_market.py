"""The demo's outside world: FX history and the signals feed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hedgerow.demo import DemoNetwork
from hedgerow.demo.market import LATEST_UNITS_PER_USD
from hedgerow.domain.enums import ScopeType, SignalKind, TableName

FX_CURRENCIES = {"EUR", "JPY", "SGD", "CNY", "VND", "MXN"}


def test_fx_business_days_up_to_the_day_before(standard: DemoNetwork) -> None:
    fx = standard.tables[TableName.FX_RATES]
    assert set(fx["currency"]) == FX_CURRENCIES
    days = fx["date"].drop_duplicates()
    assert (days.dt.weekday < 5).all()
    assert days.max() == pd.Timestamp(standard.spec.as_of) - pd.Timedelta(days=3)  # the Friday before
    assert days.min() <= pd.Timestamp(standard.spec.history_start) + pd.Timedelta(days=3)
    assert len(days) > 150 * 5
    assert (fx.groupby("currency").size() == len(days)).all()


def test_fx_levels_end_at_realistic_rates(standard: DemoNetwork) -> None:
    fx = standard.tables[TableName.FX_RATES]
    last = fx[fx["date"] == fx["date"].max()].set_index("currency")["units_per_base"]
    assert last.to_dict() == pytest.approx(LATEST_UNITS_PER_USD)
    ranges = fx.groupby("currency")["units_per_base"].agg(["min", "max"])
    assert (ranges["max"] / ranges["min"] < 2.0).all()
    assert 0.6 < last["EUR"] < 1.2
    assert 90 < last["JPY"] < 200


@pytest.mark.parametrize("currency", sorted(FX_CURRENCIES))
def test_fx_volatility_is_realistic(standard: DemoNetwork, currency: str) -> None:
    fx = standard.tables[TableName.FX_RATES]
    rates = fx[fx["currency"] == currency].sort_values("date")["units_per_base"]
    returns = np.diff(np.log(rates.to_numpy()))
    vol = returns.std() * np.sqrt(252)
    assert 0.03 <= vol <= 0.20


def test_fx_returns_have_fat_tails(standard: DemoNetwork) -> None:
    fx = standard.tables[TableName.FX_RATES].sort_values(["currency", "date"])
    returns = fx.groupby("currency")["units_per_base"].transform(lambda s: np.log(s).diff()).dropna()
    z = returns.groupby(fx["currency"]).transform(lambda r: (r - r.mean()) / r.std())
    assert (z**4).mean() - 3.0 > 0.5  # pooled excess kurtosis: more big days than a normal walk


def test_signals_feed(standard: DemoNetwork) -> None:
    signals = standard.tables[TableName.SIGNALS]
    as_of = pd.Timestamp(standard.spec.as_of)
    assert (signals["observed_at"] <= as_of).all()
    assert signals["observed_at"].max() >= as_of - pd.Timedelta(days=2)
    kinds = set(signals["kind"])
    assert {
        k.value for k in (SignalKind.PORT_CONGESTION, SignalKind.STRIKE, SignalKind.WEATHER, SignalKind.SENTIMENT)
    } <= kinds
    assert signals["probability"].dropna().between(0, 1).all()
    assert signals["delay_days"].notna().any()
    assert signals["signal_id"].is_unique


def test_port_congestion_is_weekly(standard: DemoNetwork) -> None:
    signals = standard.tables[TableName.SIGNALS]
    congestion = signals[signals["kind"] == SignalKind.PORT_CONGESTION.value]
    assert (congestion["scope_type"] == ScopeType.PORT.value).all()
    assert {"USLAX", "CNSHA", "NLRTM", "SGSIN"} <= set(congestion["scope_id"])
    per_port = congestion.groupby("scope_id")["observed_at"]
    assert (per_port.size() == standard.spec.weeks).all()
    assert (per_port.agg(lambda s: s.sort_values().diff().dropna().dt.days.eq(7).all())).all()
    assert (congestion["value"] >= 0).all()


def test_signal_scopes_exist_in_the_network(standard: DemoNetwork) -> None:
    t = standard.tables
    signals = t[TableName.SIGNALS]
    il = t[TableName.ITEM_LOCATIONS]
    item_locations = set(il["item_id"] + "@" + il["location_id"])
    sentiment = signals[signals["scope_type"] == ScopeType.ITEM_LOCATION.value]
    assert len(sentiment) > 0
    assert set(sentiment["scope_id"]) <= item_locations
    ports = {p for value in t[TableName.LANES]["ports"].dropna() for p in value.split(";")}
    assert set(signals.loc[signals["scope_type"] == ScopeType.PORT.value, "scope_id"]) <= ports
    lanes = set(t[TableName.LANES]["lane_id"])
    assert set(signals.loc[signals["scope_type"] == ScopeType.LANE.value, "scope_id"]) <= lanes
