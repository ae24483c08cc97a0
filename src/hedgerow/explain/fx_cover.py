"""FX cover recommendations in plain words: one sentence per alternative (deterministic templates).

The *bad-case cost* is CVaR of the payables' landed cost at the workspace's level (the mean of the worst
``1 − α`` share of FX scenarios); the *cover cost* of a choice is what it adds to the expected landed cost
against leaving the bucket uncovered (forward premium over the expected rate plus the cost of cover).
"""

from __future__ import annotations

from dataclasses import dataclass

from hedgerow.explain.words import money, percent, period_noun
from hedgerow.plan.fx_cover import CoverBucket, CoverChoice, FxCoverPlan


@dataclass(frozen=True)
class CoverWords:
    """The sentences of one bucket: the headline (the recommendation) and one per alternative."""

    headline: str
    alternatives: dict[CoverChoice, str]


def horizon_words(first_period: int, last_period: int, period_days: int) -> str:
    """``week 3`` / ``weeks 3–6`` for 0-based periods (people count from 1)."""
    noun = period_noun(period_days)
    if first_period == last_period:
        return f"{noun} {first_period + 1}"
    return f"{noun}s {first_period + 1}–{last_period + 1}"


def rate_words(rate: float) -> str:
    """An FX rate as dealers quote it: 4 decimals under 10 (``7.1034``), 2 under 1,000 (``149.85``), else none."""
    decimals = 4 if abs(rate) < 10 else 2 if abs(rate) < 1000 else 0
    return f"{rate:,.{decimals}f}"


def _amount(bucket: CoverBucket, period_days: int) -> str:
    due = horizon_words(bucket.first_period, bucket.last_period, period_days)
    return f"the {bucket.currency} {bucket.amount_local:,.0f} due in {due}"


def _trade(bad_case_change: float, cost_change: float, base: str) -> str:
    """``the bad-case cost falls by $41,000 for $6,000 of cover cost``."""
    bad = (
        f"the bad-case cost falls by {money(-bad_case_change, base)}"
        if bad_case_change < 0
        else f"the bad-case cost rises by {money(bad_case_change, base)}"
    )
    if cost_change >= 0.5:
        return f"{bad} for {money(cost_change, base)} of cover cost"
    if cost_change <= -0.5:
        return f"{bad} and the expected cost falls by {money(-cost_change, base)}"
    return f"{bad} at no expected cost"


def bucket_words(bucket: CoverBucket, base_currency: str, period_days: int) -> CoverWords:
    """The headline and the alternatives of one bucket (figures on the whole portfolio)."""
    what = _amount(bucket, period_days)
    none, full = bucket.alternative(CoverChoice.NONE).outcome, bucket.alternative(CoverChoice.FULL).outcome
    rec = bucket.alternative(CoverChoice.RECOMMENDED).outcome
    at = f"at the forward {rate_words(bucket.forward_rate)}"
    r = bucket.cover_ratio
    shown = percent(r)
    if shown == percent(0.0):
        trade = _trade(
            full.cvar_base - none.cvar_base, full.expected_cost_base - none.expected_cost_base, base_currency
        )
        headline = f"Leave {what} uncovered: with full cover {at} {trade}."
    else:
        share = "all" if shown == percent(1.0) else shown
        trade = _trade(rec.cvar_base - none.cvar_base, rec.expected_cost_base - none.expected_cost_base, base_currency)
        headline = f"Cover {share} of {what} {at}: {trade}."
    alts = {
        CoverChoice.NONE: (
            f"No cover: pay {what} at the rate of the day; expected cost "
            f"{money(none.expected_cost_base, base_currency)}, bad case {money(none.cvar_base, base_currency)}."
        ),
        CoverChoice.FULL: (
            f"Full cover {at}: expected cost {money(full.expected_cost_base, base_currency)}, bad case "
            f"{money(full.cvar_base, base_currency)}, of which {money(bucket.cover_cost_base, base_currency)} cost "
            f"of cover."
        ),
        CoverChoice.RECOMMENDED: (
            f"Recommended, {percent(r)} cover: expected cost {money(rec.expected_cost_base, base_currency)}, bad case "
            f"{money(rec.cvar_base, base_currency)}."
        ),
    }
    return CoverWords(headline, alts)


def plan_words(plan: FxCoverPlan, base_currency: str) -> str:
    """One sentence on the whole portfolio: no cover against the recommended cover."""
    if not plan.buckets:
        return "No foreign-currency payables: nothing to cover."
    trade = _trade(
        plan.recommended.cvar_base - plan.none.cvar_base,
        plan.recommended.expected_cost_base - plan.none.expected_cost_base,
        base_currency,
    )
    tail = percent(1.0 - plan.level)
    return (
        f"With the recommended cover {trade} (bad case: the mean of the worst {tail} of {plan.scenarios} FX scenarios)."
    )
