"""FX cover recommendations: hand-computed cases and properties of the CVaR-minimising cover ratios."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hedgerow.explain.fx_cover import bucket_words, horizon_words, plan_words, rate_words
from hedgerow.plan.fx_cover import (
    CoverChoice,
    Payable,
    PayableSource,
    cover_cost_curve,
    cvar_of,
    forward_curve,
    horizon_of,
    optimal_ratios,
    portfolio_outcome,
    recommend_fx_cover,
)

CCY = ("CNY", "USD")


def _payable(amount: float, period: int, ref: str = "P") -> Payable:
    return Payable("CNY", period, amount, PayableSource.ORDER, ref)


def _two_scenarios() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """fx [2, 2, 2]: CNY at 8 / 12 (period 0) and 12 / 10 (period 1) in scenarios 1 / 2; forwards 10 and 8."""
    fx = np.ones((2, 2, 2))
    fx[0, :, 0] = [8.0, 12.0]
    fx[0, :, 1] = [12.0, 10.0]
    forward = np.ones((2, 2))
    forward[0] = [10.0, 8.0]
    return fx, forward, np.zeros((2, 2))


def test_one_currency_two_scenarios_known_optimal_ratio() -> None:
    """CNY 1,200 due in period 0 (bucket A) and CNY 1,200 due in period 1 (bucket B), two equally likely
    scenarios, CVaR at level 0.5 (= the worse scenario), no cost of cover.

    Uncovered, in USD: A costs 1200/8 = 150 or 1200/12 = 100; B costs 1200/12 = 100 or 1200/10 = 120.
    Covered at the forward: A costs 1200/10 = 120, B costs 1200/8 = 150 (dearer than either scenario, so
    h_B = 0: covering B raises the cost in both scenarios).
    With h_B = 0: L1 = 150 − 30 h + 100 = 250 − 30 h, L2 = 100 + 20 h + 120 = 220 + 20 h.
    max(L1, L2) is least where they meet: 250 − 30 h = 220 + 20 h → h = 0.6, L = 232.
    No cover: max(250, 220) = 250, mean 235; full cover of A: max(220, 240) = 240, mean 230.
    """
    fx, forward, cost = _two_scenarios()
    plan = recommend_fx_cover(
        [_payable(1200, 0, "A"), _payable(1200, 1, "B")],
        CCY,
        fx,
        forward,
        cost,
        level=0.5,
        bucket_periods=1,
        base_currency="USD",
    )
    a, b = plan.buckets
    assert (a.first_period, b.first_period) == (0, 1)
    assert a.cover_ratio == pytest.approx(0.6, abs=1e-6)
    assert b.cover_ratio == pytest.approx(0.0, abs=1e-9)
    assert plan.recommended.cvar_base == pytest.approx(232.0)
    assert plan.recommended.expected_cost_base == pytest.approx(232.0)
    assert a.alternative(CoverChoice.NONE).outcome.cvar_base == pytest.approx(250.0)
    assert a.alternative(CoverChoice.NONE).outcome.expected_cost_base == pytest.approx(235.0)
    assert a.alternative(CoverChoice.FULL).outcome.cvar_base == pytest.approx(240.0)
    assert a.alternative(CoverChoice.FULL).outcome.expected_cost_base == pytest.approx(230.0)
    # the bucket alone, uncovered: mean 125, VaR_0.5 = 100 (the lower cost reaches 50 %), CVaR_0.5 = 150
    assert (a.expected_base, a.var_base, a.cvar_base) == pytest.approx((125.0, 100.0, 150.0))
    assert (a.exposure_base, a.forward_rate, a.cover_cost_base) == pytest.approx((120.0, 10.0, 0.0))
    words = bucket_words(a, "USD", 7)
    assert words.headline == (
        "Cover 60 % of the CNY 1,200 due in week 1 at the forward 10.00: the bad-case cost falls by $18 and the "
        "expected cost falls by $3."
    )


def test_one_bucket_alone_is_all_or_nothing() -> None:
    """One bucket: CVaR[(1 − h) Y + h C] = (1 − h) CVaR[Y] + h C is linear, so the best ratio is 0 or 1.

    Y = (150, 100), CVaR_0.5 = 150. C = 120 < 150 → cover all (CVaR 120). C = 160 > 150 → none.
    """
    y = np.array([[150.0, 100.0]])
    w = np.array([0.5, 0.5])
    assert optimal_ratios(y, np.array([120.0]), w, 0.5) == pytest.approx([1.0])
    assert optimal_ratios(y, np.array([160.0]), w, 0.5) == pytest.approx([0.0])


def test_ties_go_to_lower_expected_cost_then_lower_cover() -> None:
    """C = 150 = CVaR[Y]: every ratio has CVaR 150; the mean 125 + 25 h is least at h = 0.

    Two buckets that offset exactly (Y_A = (110, 90), Y_B = (90, 110), C = 100 each): every h_A = h_B has CVaR
    and mean 200, so the lower total cover, h = (0, 0), wins.
    """
    w = np.array([0.5, 0.5])
    assert optimal_ratios(np.array([[150.0, 100.0]]), np.array([150.0]), w, 0.5) == pytest.approx([0.0], abs=1e-7)
    y = np.array([[110.0, 90.0], [90.0, 110.0]])
    assert optimal_ratios(y, np.array([100.0, 100.0]), w, 0.5) == pytest.approx([0.0, 0.0], abs=1e-7)


def test_cover_cost_is_paid_on_the_covered_amount() -> None:
    """1% cost of cover on A: C_A = 1200 · 1.01 / 10 = 121.2; with h_B = 0 the lines meet where
    250 − 28.8 h = 220 + 21.2 h → h = 30 / 50 = 0.6 again, at L = 232.72."""
    fx, forward, cost = _two_scenarios()
    cost[0, 0] = 0.01
    plan = recommend_fx_cover(
        [_payable(1200, 0), _payable(1200, 1)], CCY, fx, forward, cost, level=0.5, bucket_periods=1,
        base_currency="USD",
    )  # fmt: skip
    assert plan.buckets[0].cover_ratio == pytest.approx(0.6, abs=1e-6)
    assert plan.recommended.cvar_base == pytest.approx(232.72)
    assert plan.buckets[0].cover_cost_base == pytest.approx(1.2)


def test_base_currency_payables_and_buckets() -> None:
    fx, forward, cost = _two_scenarios()
    plan = recommend_fx_cover(
        [_payable(1200, 0), _payable(1200, 1), Payable("USD", 0, 50.0, PayableSource.OPEN_SHIPMENT, "S")],
        CCY, fx, forward, cost, level=0.5, bucket_periods=2, base_currency="USD",
    )  # fmt: skip
    (bucket,) = plan.buckets  # USD left out; both CNY payables in weeks 1-2
    assert (bucket.first_period, bucket.last_period, bucket.amount_local, bucket.payables) == (0, 1, 2400.0, 2)
    # one bucket: Y = (250, 220), C = 270 > CVaR 250 → no cover
    assert bucket.cover_ratio == pytest.approx(0.0, abs=1e-9)
    assert horizon_of(5, 4) == (4, 7)
    assert horizon_words(4, 7, 7) == "weeks 5–8"
    assert (rate_words(7.10341), rate_words(149.851), rate_words(1234.5)) == ("7.1034", "149.85", "1,234")
    assert plan_words(plan, "USD").startswith("With the recommended cover the bad-case cost")


def test_payable_beyond_horizon_is_refused() -> None:
    fx, forward, cost = _two_scenarios()
    with pytest.raises(Exception, match="beyond the FX horizon of 2 periods"):
        recommend_fx_cover([_payable(1, 2)], CCY, fx, forward, cost, level=0.5, bucket_periods=1, base_currency="USD")


def test_curves() -> None:
    """A 52-week year: week 52 ends at 364/365 years; 4 % premium → spot · (1 + 0.04 · 364/365)."""
    f = forward_curve(7.0, 0.04, 52, 7)
    assert f[-1] == pytest.approx(7.0 * (1 + 0.04 * 364 / 365))
    c = cover_cost_curve(0.002, 0.01, 2, 7)
    assert c == pytest.approx([0.002 + 0.01 * 7 / 365, 0.002 + 0.01 * 14 / 365])


def test_cvar_of_fills_the_tail_exactly() -> None:
    """Ten scenarios 1..10, α = 0.85: the worst 15 % = all of 10 and half of 9 → (10 + 0.5·9) / 1.5."""
    cost = np.arange(1.0, 11.0)
    assert cvar_of(cost, np.full(10, 0.1), 0.85) == pytest.approx((10 + 4.5) / 1.5)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_periods=st.integers(1, 6),
    cost_frac=st.floats(0.0, 0.05),
    level=st.sampled_from([0.5, 0.8, 0.95]),
)
def test_recommended_is_never_dominated(seed: int, n_periods: int, cost_frac: float, level: float) -> None:
    """Ratios 0 and 1 reproduce the no / full cover alternatives, and no alternative beats the recommendation
    on both expected cost and CVaR."""
    rng = np.random.default_rng(seed)
    n_s = 40
    fx = np.ones((3, n_s, n_periods))
    fx[0] = 7.0 * np.exp(np.cumsum(rng.normal(0, 0.02, (n_s, n_periods)), axis=1))
    fx[1] = 0.9 * np.exp(np.cumsum(rng.normal(0, 0.01, (n_s, n_periods)), axis=1))
    ccy = ("CNY", "EUR", "USD")
    forward = np.array([np.full(n_periods, 7.0), np.full(n_periods, 0.9), np.ones(n_periods)])
    cost = np.full((3, n_periods), cost_frac)
    pays = [
        Payable(c, int(rng.integers(0, n_periods)), float(rng.uniform(10, 1000)), PayableSource.ORDER, f"P{i}")
        for i, c in enumerate(rng.choice(["CNY", "EUR"], size=6))
    ]
    plan = recommend_fx_cover(pays, ccy, fx, forward, cost, level=level, bucket_periods=2, base_currency="USD")
    recommended = {(b.currency, b.first_period, b.last_period): b.cover_ratio for b in plan.buckets}
    tol = 1e-6 * max(1.0, plan.none.cvar_base)
    for b in plan.buckets:
        assert 0.0 <= b.cover_ratio <= 1.0
        rec = b.alternative(CoverChoice.RECOMMENDED).outcome
        assert rec == plan.recommended
        for choice, value in ((CoverChoice.NONE, 0.0), (CoverChoice.FULL, 1.0)):
            ratios = {**recommended, (b.currency, b.first_period, b.last_period): value}
            got = portfolio_outcome(
                pays, ccy, fx, forward, cost, ratios, level=level, bucket_periods=2, base_currency="USD"
            )
            alt = b.alternative(choice).outcome
            assert got.cvar_base == pytest.approx(alt.cvar_base)
            assert got.expected_cost_base == pytest.approx(alt.expected_cost_base)
            assert rec.cvar_base <= alt.cvar_base + tol
            dominated = alt.cvar_base < rec.cvar_base - tol or (
                alt.cvar_base <= rec.cvar_base + tol and alt.expected_cost_base < rec.expected_cost_base - tol
            )
            assert not dominated
    for whole in (plan.none, plan.full):
        assert plan.recommended.cvar_base <= whole.cvar_base + tol


def test_no_foreign_payables_means_nothing_to_cover() -> None:
    fx, forward, cost = _two_scenarios()
    plan = recommend_fx_cover(
        [Payable("USD", 0, 50.0, PayableSource.ORDER, "U")], CCY, fx, forward, cost, level=0.5, bucket_periods=1,
        base_currency="USD",
    )  # fmt: skip
    assert plan.buckets == ()
    assert plan.none == plan.full == plan.recommended
    assert plan.recommended.cvar_base == 0.0
    assert plan_words(plan, "USD") == "No foreign-currency payables: nothing to cover."
