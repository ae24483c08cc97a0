"""Herding: finite capacity, a price that rises with load, amplification when firms react alike."""

from __future__ import annotations

import numpy as np
import pytest

from hedgerow.errors import SimulationInputError
from hedgerow.sim.herding import HerdingOutcome, HerdingSettings, HerdingStrategy, herding_demand, run_herding


@pytest.fixture(scope="module")
def outcomes() -> dict[HerdingStrategy, HerdingOutcome]:
    result = run_herding(HerdingSettings())
    return {o.strategy: o for o in result.outcomes}


def test_alike_firms_amplify_orders_and_spike_the_price(outcomes: dict[HerdingStrategy, HerdingOutcome]) -> None:
    same = outcomes[HerdingStrategy.SAME]
    assert same.order_amplification > 1.5
    assert same.peak_price_ratio > 1.2
    assert same.peak_lead_time > HerdingSettings().transit_periods


def test_smoothing_and_diversity_damp_the_amplification(outcomes: dict[HerdingStrategy, HerdingOutcome]) -> None:
    same = outcomes[HerdingStrategy.SAME].order_amplification
    assert outcomes[HerdingStrategy.SMOOTHED].order_amplification < same
    assert outcomes[HerdingStrategy.DIVERSE].order_amplification < same
    assert outcomes[HerdingStrategy.DIVERSE].peak_price_ratio < outcomes[HerdingStrategy.SAME].peak_price_ratio


def test_the_lane_never_carries_more_than_its_capacity(outcomes: dict[HerdingStrategy, HerdingOutcome]) -> None:
    capacity = HerdingSettings().capacity_headroom * HerdingSettings().base_demand * HerdingSettings().firms
    for o in outcomes.values():
        shipped = np.array(o.series["shipped"])
        assert shipped.max() <= capacity + 1e-9
        # and it runs full while a queue waits
        assert shipped.max() == pytest.approx(capacity)


def test_price_is_base_price_until_more_than_a_period_of_work_waits() -> None:
    cfg = HerdingSettings(firms=4, periods=80, shock_start=60, capacity_headroom=3.0)
    result = run_herding(cfg, strategies=(HerdingStrategy.SAME,))
    o = result.outcomes[0]
    queue = np.array(o.series["queue"])
    price = np.array(o.series["price"])
    calm = queue <= result.capacity
    assert calm.any()
    np.testing.assert_allclose(price[calm], cfg.base_price)
    busy = ~calm
    np.testing.assert_allclose(
        price[busy], cfg.base_price * (1 + cfg.price_slope * (queue[busy] / result.capacity - 1))
    )


def test_the_spike_is_common_to_every_firm_and_draws_are_seeded() -> None:
    cfg = HerdingSettings(firms=50, noise_cv=0.05)
    d = herding_demand(cfg)
    spike = d[:, cfg.shock_start : cfg.shock_start + cfg.shock_periods].mean()
    calm = d[:, : cfg.shock_start].mean()
    assert spike / calm == pytest.approx(1 + cfg.shock_size, rel=0.02)
    np.testing.assert_array_equal(d, herding_demand(cfg))


def test_settings_out_of_range_are_refused_with_the_reason() -> None:
    with pytest.raises(SimulationInputError, match="shock_start must be a scored period"):
        HerdingSettings(periods=40, warmup=26, shock_start=10)
