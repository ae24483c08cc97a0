"""Driver effects: the pooled regression recovers known lifts and elasticities, drops a driver that does nothing,
and the engine uses it to see next weeks' planned promotions with a family that knows nothing of drivers."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from hedgerow.demand.distributions import Marginals
from hedgerow.demand.drivers import DriverEffectsConfig, DriverKind, driver_kinds, fit_driver_effects
from hedgerow.demand.engine import EngineConfig, fit_demand
from hedgerow.demand.models.base import FamilyName
from hedgerow.demand.synthetic import SyntheticDemand
from tests.demand.conftest import promoted_plan_panel

LIFT, ELASTICITY = 2.0, -1.5


def _panel_arrays(seed: int = 0, n: int = 300, t: int = 104) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Negative-binomial demand with a seasonal level, a promotion flag (× LIFT), a price around 2.0 with the
    given elasticity, and a driver of pure noise."""
    rng = np.random.default_rng(seed)
    level = rng.lognormal(2.0, 1.0, n)[:, None] * (1 + 0.3 * np.sin(np.arange(t) / 52 * 2 * np.pi))[None]
    promo = (rng.random((n, t)) < 0.2).astype(float)
    price = 2.0 * np.exp(rng.normal(0.0, 0.1, (n, t)))
    noise = rng.normal(size=(n, t))
    mu = level * LIFT**promo * (price / 2.0) ** ELASTICITY
    y = rng.negative_binomial(3, 3 / (3 + mu)).astype(float)
    drivers = np.stack([promo, price, noise], axis=2)
    usual = np.stack([np.zeros(n), np.full(n, 2.0), np.zeros(n)], axis=1)
    return y, drivers, usual


def test_recovers_a_known_lift_and_elasticity_and_drops_a_driver_that_does_nothing() -> None:
    y, drivers, usual = _panel_arrays()
    fit = fit_driver_effects(y, drivers, usual, ("promo", "price", "noise"))
    assert fit.kinds == (DriverKind.FLAG, DriverKind.LOG_RATIO, DriverKind.STANDARDISED)
    lifts = fit.lifts()
    assert lifts["promo"] == pytest.approx(LIFT, rel=0.05)
    assert fit.coef[1] == pytest.approx(ELASTICITY, abs=0.15)
    assert "noise" not in lifts
    assert fit.coef[2] == 0.0
    # the multiplier of a promoted week at the usual price is the lift
    weeks = np.zeros((y.shape[0], 2, 3))
    weeks[:, 0, 0], weeks[:, :, 1] = 1.0, 2.0
    np.testing.assert_allclose(fit.multiplier(weeks), np.tile([lifts["promo"], 1.0], (y.shape[0], 1)))


def test_unknown_demand_is_skipped_and_nothing_to_learn_means_no_effect() -> None:
    y, drivers, usual = _panel_arrays(seed=1, n=200)
    y[:, :10] = np.nan
    fit = fit_driver_effects(y, drivers, usual, ("promo", "price", "noise"))
    assert fit.lifts()["promo"] == pytest.approx(LIFT, rel=0.06)
    flat = fit_driver_effects(np.zeros_like(y), drivers, usual, ("promo", "price", "noise"))
    assert not flat.active
    np.testing.assert_array_equal(flat.multiplier(drivers), np.ones(y.shape))


def test_a_multiplier_is_capped_and_kinds_follow_the_values() -> None:
    y, drivers, usual = _panel_arrays(seed=2, n=200)
    fit = fit_driver_effects(y, drivers, usual, ("promo", "price", "noise"), DriverEffectsConfig(max_multiplier=1.5))
    assert float(fit.multiplier(drivers).max()) <= 1.5 + 1e-12
    assert float(fit.multiplier(drivers).min()) >= 1 / 1.5 - 1e-12
    values = np.array([[[0.0, 1.5, -1.0], [1.0, 2.5, 3.0]]])
    seen = np.ones((1, 2), dtype=bool)
    assert driver_kinds(values, seen) == (DriverKind.FLAG, DriverKind.LOG_RATIO, DriverKind.STANDARDISED)


def test_settings_and_shapes_are_checked_with_what_was_received() -> None:
    with pytest.raises(ValueError, match="level_block must be at least 2 periods, got 1"):
        DriverEffectsConfig(level_block=1)
    with pytest.raises(ValueError, match=r"max_multiplier must be > 1, got 1\.0"):
        DriverEffectsConfig(max_multiplier=1.0)
    y, drivers, usual = _panel_arrays(n=10, t=20)
    with pytest.raises(ValueError, match=r"drivers must have shape \(10, >= 20, 2\)"):
        fit_driver_effects(y, drivers, usual[:, :2], ("promo", "price"))


def test_marginals_scale_per_period() -> None:
    marg = Marginals.negative_binomial(np.full((2, 3), 10.0), np.full((2, 3), 0.1))
    scaled = marg.scaled(np.array([[1.0, 2.0, 0.5], [1.0, 1.0, 3.0]]))
    np.testing.assert_allclose(scaled.expected(), [[10.0, 20.0, 5.0], [10.0, 10.0, 30.0]])
    np.testing.assert_allclose(marg.scaled(np.array([2.0, 1.0])).expected()[:, 0], [20.0, 10.0])


def test_a_smoothing_family_sees_planned_promotions_with_driver_effects(small_data: SyntheticDemand) -> None:
    """The synthetic promotions double demand; SES alone cannot know which weeks are promoted."""
    panel = promoted_plan_panel(small_data)
    config = EngineConfig(horizon=4, families=(FamilyName.SES,), shift=None)
    with_effects = fit_demand(panel, replace(config, drivers=DriverEffectsConfig()))
    mean = with_effects.expected()
    lift = mean[:, [1, 3]].sum() / mean[:, [0, 2]].sum()
    assert lift == pytest.approx(2.0, rel=0.2)
    lifts = with_effects.selection["driver_lifts"]
    assert isinstance(lifts, dict)
    assert lifts["promo"] == pytest.approx(2.0, rel=0.2)
    plain = fit_demand(panel, config).expected()
    assert plain[:, [1, 3]].sum() / plain[:, [0, 2]].sum() == pytest.approx(1.0, abs=0.02)
    # de-promoted history: the level between promotions is not inflated by past promotions
    assert mean[:, [0, 2]].sum() < plain[:, [0, 2]].sum()


def test_a_price_with_unrecorded_weeks_is_still_an_elasticity_and_items_keep_their_own_lift() -> None:
    """Half the series are promoted with lift 3, half with lift 1.5; 5 % of the prices were not recorded (0).
    Pooled, the lift is in between; per item (groups), each half gets close to its own."""
    rng = np.random.default_rng(3)
    n, t = 200, 104
    level = rng.lognormal(2.5, 0.5, n)[:, None]
    promo = (rng.random((n, t)) < 0.2).astype(float)
    price = 2.0 * np.exp(rng.normal(0.0, 0.1, (n, t)))
    lift = np.where(np.arange(n) < n // 2, 3.0, 1.5)[:, None]
    mu = level * lift**promo * (price / 2.0) ** ELASTICITY
    y = rng.negative_binomial(5, 5 / (5 + mu)).astype(float)
    price[rng.random((n, t)) < 0.05] = 0.0
    drivers = np.stack([promo, price], axis=2)
    usual = np.stack([np.zeros(n), np.full(n, 2.0)], axis=1)
    groups = (np.arange(n) >= n // 2).astype(np.int64)
    fit = fit_driver_effects(y, drivers, usual, ("promo", "price"), groups=groups)
    assert fit.kinds[1] is DriverKind.LOG_RATIO
    assert fit.coef[1] == pytest.approx(ELASTICITY, abs=0.2)
    assert 1.5 < fit.lifts()["promo"] < 3.0
    own = np.exp(fit.series_coef[:, 0])
    assert own[: n // 2] == pytest.approx(3.0, rel=0.08)
    assert own[n // 2 :] == pytest.approx(1.5, rel=0.08)
    with pytest.raises(ValueError, match=r"groups must have shape \(200,\), got \(3,\)"):
        fit_driver_effects(y, drivers, usual, ("promo", "price"), groups=np.zeros(3, dtype=np.int64))
