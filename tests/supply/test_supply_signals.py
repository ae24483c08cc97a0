"""Signal scopes, quarantine of bad signals, ageing, stale and missing feeds, disruption regimes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
import pytest

from hedgerow.domain.enums import ScopeType, SignalKind
from hedgerow.supply.disruptions import (
    GSCPI_BASE_RATE,
    KIND_ASSUMPTIONS,
    build_disruptions,
    sample_regime,
    value_probability,
)
from hedgerow.supply.network import LaneNetwork
from hedgerow.supply.signals import FeedState, QuarantineReason, lanes_in_scope, read_signals
from tests.supply.supply_fixtures import frame, lanes, locations, suppliers

AS_OF = datetime(2025, 6, 2, 12, 0)


def _network() -> LaneNetwork:
    return LaneNetwork.from_frames(lanes(), locations(), suppliers())


def _signal(sid: str, kind: str, scope_type: str, scope_id: str | None, **kw: Any) -> dict[str, Any]:
    row = {
        "signal_id": sid,
        "kind": kind,
        "scope_type": scope_type,
        "scope_id": scope_id,
        "value": 1.0,
        "observed_at": "2025-06-01T00:00:00",
        "source": "test",
        "valid_until": None,
        "probability": None,
        "delay_days": None,
        "note": None,
    }
    row.update(kw)
    return row


def _signals(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return frame(rows, dates=("observed_at", "valid_until"))


@pytest.mark.parametrize(
    ("scope_type", "scope_id", "expected"),
    [
        (ScopeType.LANE, "CN-LA-AIR", ("CN-LA-AIR",)),
        (ScopeType.PORT, "USLAX", ("CN-LA-OC", "LA-TYO-AIR")),
        (ScopeType.PORT, "DEHAM", ("DE-TYO-OC",)),
        (ScopeType.REGION, "Asia", ("DE-TYO-OC", "LA-TYO-AIR")),  # destination Tokyo
        (ScopeType.REGION, "Americas", ("CN-LA-AIR", "CN-LA-OC", "LA-TYO-AIR")),  # destination or origin LA
        (ScopeType.COUNTRY, "CN", ("CN-LA-AIR", "CN-LA-OC")),  # origin supplier in China
        (ScopeType.COUNTRY, "JP", ("DE-TYO-OC", "LA-TYO-AIR")),
        (ScopeType.GLOBAL, None, ("CN-LA-AIR", "CN-LA-OC", "DE-TYO-OC", "LA-TYO-AIR")),
        (ScopeType.ITEM_LOCATION, "A@LA", ()),
        (ScopeType.PORT, "NLRTM", ()),
    ],
)
def test_scope_mapping(scope_type: ScopeType, scope_id: str | None, expected: tuple[str, ...]) -> None:
    assert lanes_in_scope(scope_type, scope_id, _network()) == expected


def test_bad_signals_are_quarantined_with_reasons_and_never_raise() -> None:
    rows = [
        _signal("ok", "strike", "port", "USLAX", probability=0.5),
        _signal("unknown-scope", "strike", "port", "NLRTM"),
        _signal("bad-kind", "meteor", "global", None),
        _signal("bad-scope-type", "strike", "continent", "Asia"),
        _signal("negative-p", "strike", "port", "USLAX", probability=-0.2),
        _signal("future", "strike", "port", "USLAX", observed_at="2025-07-01T00:00:00"),
        _signal("negative-value", "weather", "global", None, value=-3.0),
        _signal("negative-delay", "weather", "global", None, delay_days=-1.0),
        _signal("inverted", "weather", "global", None, valid_until="2025-05-01T00:00:00"),
        _signal("sentiment", "sentiment", "item_location", "A@LA", value=-2.0),  # a negative z-score is fine
    ]
    book = read_signals(_signals(rows), _network(), AS_OF)
    reasons = {q.signal_id: q.reason for q in book.quarantined}
    assert reasons == {
        "unknown-scope": QuarantineReason.UNKNOWN_SCOPE,
        "bad-kind": QuarantineReason.UNKNOWN_KIND,
        "bad-scope-type": QuarantineReason.UNKNOWN_SCOPE_TYPE,
        "negative-p": QuarantineReason.BAD_PROBABILITY,
        "future": QuarantineReason.FUTURE,
        "negative-value": QuarantineReason.BAD_VALUE,
        "negative-delay": QuarantineReason.BAD_DELAY,
        "inverted": QuarantineReason.BAD_VALIDITY,
    }
    assert [s.signal_id for s in book.accepted] == ["ok"]
    assert [s.signal_id for s in book.demand_side] == ["sentiment"]
    assert any("NLRTM" in w for w in book.warnings())
    # quarantined signals drive no regime; the accepted strike does
    model = build_disruptions(book, _network(), period_days=7)
    assert [r.signal_ids for r in model.regimes if not r.background] == [("ok",)]


def test_newest_signal_per_scope_wins_and_expired_ones_drop() -> None:
    rows = [
        _signal("old", "strike", "port", "USLAX", probability=0.9, observed_at="2025-05-30T00:00:00"),
        _signal("new", "strike", "port", "USLAX", probability=0.1, observed_at="2025-06-01T00:00:00"),
        _signal("gone", "weather", "global", None, valid_until="2025-06-01T06:00:00"),
    ]
    book = read_signals(_signals(rows), _network(), AS_OF)
    assert [s.signal_id for s in book.accepted] == ["new"]
    assert book.superseded == ("old",)
    assert book.expired == ("gone",)


def test_ageing_reverts_probability_to_the_base_rate() -> None:
    a = KIND_ASSUMPTIONS[SignalKind.STRIKE]
    fresh = _signal("s", "strike", "lane", "CN-LA-AIR", probability=0.9, observed_at="2025-06-02T12:00:00")
    aged = dict(fresh, observed_at=(pd.Timestamp(AS_OF) - pd.Timedelta(days=a.half_life_days)).isoformat())
    p_fresh = build_disruptions(read_signals(_signals([fresh]), _network(), AS_OF), _network(), period_days=7)
    p_aged = build_disruptions(read_signals(_signals([aged]), _network(), AS_OF), _network(), period_days=7)
    strike_fresh = next(r for r in p_fresh.regimes if r.kind is SignalKind.STRIKE)
    strike_aged = next(r for r in p_aged.regimes if r.kind is SignalKind.STRIKE)
    assert strike_fresh.p_now == pytest.approx(0.9)
    assert strike_aged.p_now == pytest.approx(a.base_rate + (0.9 - a.base_rate) / 2)


def test_missing_feed_is_reported_and_widens_to_base_rates() -> None:
    net = _network()
    book = read_signals(None, net, AS_OF)
    feed = book.feed(SignalKind.PORT_CONGESTION)
    assert feed is not None
    assert feed.state is FeedState.MISSING
    assert any("missing" in w for w in book.warnings())
    model = build_disruptions(book, net, period_days=7)
    background = {r.key: r for r in model.regimes if r.background}
    # one background congestion regime per port of the network, at the calibrated base rate
    assert set(background) == {f"background|port_congestion|port:{p}" for p in net.ports}
    assert all(r.p_now == pytest.approx(GSCPI_BASE_RATE) for r in background.values())
    assert model.notes


def test_stale_feed_is_reported_and_a_calm_reading_ages_toward_the_base_rate() -> None:
    net = _network()
    calm = [_signal(f"c-{p}", "port_congestion", "port", p, value=0.0) for p in net.ports]
    fresh = read_signals(_signals(calm), net, AS_OF)
    old_rows = [dict(r, observed_at="2025-04-01T00:00:00") for r in calm]
    stale = read_signals(_signals(old_rows), net, AS_OF, stale_after_days=7)
    assert fresh.feed(SignalKind.PORT_CONGESTION).state is FeedState.FRESH  # type: ignore[union-attr]
    assert stale.feed(SignalKind.PORT_CONGESTION).state is FeedState.STALE  # type: ignore[union-attr]
    assert any("stale" in w for w in stale.warnings())
    p_fresh = max(r.p_now for r in build_disruptions(fresh, net, period_days=7).regimes)
    p_stale = max(r.p_now for r in build_disruptions(stale, net, period_days=7).regimes)
    assert p_fresh < 0.02 < p_stale <= GSCPI_BASE_RATE + 1e-12


def test_value_maps_to_probability_monotonically() -> None:
    base = read_signals(_signals([_signal("x", "port_congestion", "port", "USLAX", value=5.0)]), _network(), AS_OF)
    s = base.accepted[0]
    probs = [value_probability(s.__class__(**{**s.__dict__, "value": v})) for v in (0, 5, 15, 30, 100)]
    assert probs == sorted(probs)
    assert probs[0] < 0.02
    assert probs[-1] > 0.99
    assert value_probability(s) == pytest.approx(1 / (1 + np.exp(4.09)), rel=1e-3)  # at the calm baseline


def test_regime_persists_and_matches_its_marginals() -> None:
    rows = [_signal("s", "port_congestion", "port", "USLAX", probability=0.6, observed_at="2025-06-02T12:00:00")]
    model = build_disruptions(read_signals(_signals(rows), _network(), AS_OF), _network(), period_days=7)
    regime = next(r for r in model.regimes if not r.background)
    draws = sample_regime(regime, seed=7, n_scenarios=20_000, horizon=26)
    np.testing.assert_allclose(draws.disrupted.mean(axis=0), regime.marginal_probabilities(26), atol=0.015)
    # persistence: P(disrupted next week | disrupted now) is the chain's stay probability, far above the marginal
    d = draws.disrupted
    stay = (d[:, 1:] & d[:, :-1]).sum() / d[:, :-1].sum()
    assert stay == pytest.approx(regime.p_stay, abs=0.02)
    assert regime.p_stay > 0.85
    assert draws.delay_days.mean() == pytest.approx(regime.delay_mean_days, rel=0.05)


def test_valid_until_ends_the_regime() -> None:
    rows = [
        _signal(
            "s",
            "strike",
            "lane",
            "CN-LA-AIR",
            probability=1.0,
            valid_until="2025-06-20T00:00:00",
            observed_at="2025-06-02T12:00:00",
        )
    ]
    model = build_disruptions(read_signals(_signals(rows), _network(), AS_OF), _network(), period_days=7)
    regime = next(r for r in model.regimes if r.kind is SignalKind.STRIKE)
    assert regime.last_period == 2
    draws = sample_regime(regime, seed=1, n_scenarios=500, horizon=10)
    assert draws.disrupted[:, 0].all()
    assert not draws.disrupted[:, 3:].any()
