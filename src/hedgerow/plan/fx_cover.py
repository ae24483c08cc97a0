"""FX cover: how much of the foreign-currency payables to buy forward, per currency and horizon (pure).

hedgerow recommends; it never trades. The inputs are deterministic payables (an amount of a currency due at the
end of a period), FX scenario paths ``fx[currency, scenario, period]`` in units of the currency per base unit
(the scenario set's, :func:`hedgerow.supply.fx.sample_fx_paths`), a forward rate ``F[currency, period]`` and a
cost of cover ``k[currency, period]`` (fraction of the covered amount, in the base currency).

Payables are grouped into *buckets*: one currency and a horizon of consecutive periods. Bucket ``b`` costs, in
scenario ``s`` and with cover ratio ``h_b ∈ [0, 1]``,

``L_bs(h_b) = (1 − h_b) · Y_bs + h_b · C_b``, with ``Y_bs = Σ_p A_p / fx[c, s, t_p]`` (paid at the scenario's rate)
and ``C_b = Σ_p A_p (1 + k[c, t_p]) / F[c, t_p]`` (paid at the forward, plus the cost of cover),

and the landed cost of the payables is ``L_s(h) = Σ_b L_bs(h_b)``. The recommended ratios minimise
``CVaR_α[L(h)]`` (Rockafellar & Uryasev 2000) over ``h ∈ [0, 1]^B``, with ties broken by the lower expected cost,
then by the lower total cover. It is a linear programme over the scenarios, solved exactly with HiGHS in three
lexicographic stages; a later stage may lose at most :data:`TIE_TOLERANCE_REL` of an earlier stage's optimum, and
ratios within :data:`RATIO_SNAP` of 0 or 1 are reported as 0 or 1.

Why jointly: CVaR is translation-invariant and positively homogeneous, and the covered part ``h_b C_b`` is
certain, so for one bucket alone ``CVaR[L_b(h)] = (1 − h) CVaR[Y_b] + h C_b`` is linear in ``h`` and its best
ratio is always 0 or 1. A partial ratio is right only because of the other buckets: an earlier and a later
payable of the same currency, or two currencies, partly offset each other in the bad scenarios.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy.optimize import linprog

from hedgerow.errors import SupplyInputError

#: Relative slack a lexicographic stage may lose of the earlier stage's optimum (CVaR, then expected cost).
TIE_TOLERANCE_REL = 1e-9
#: Absolute floor of that slack, base currency (keeps tiny portfolios solvable).
TIE_TOLERANCE_ABS = 1e-9
#: Ratios this close to 0 or 1 are reported as 0 or 1 (what the solver's tolerances leave is no advice).
RATIO_SNAP = 1e-6
#: Slack on a cumulative probability (rounding of summed scenario weights) when finding a quantile.
PROBABILITY_TIE = 1e-12
#: Days per year, to turn per-year cover costs and forward premiums into a period's share.
DAYS_PER_YEAR = 365.0


class CoverChoice(StrEnum):
    """The alternatives every cover recommendation is shown with."""

    NONE = "none"
    FULL = "full"
    RECOMMENDED = "recommended"


class PayableSource(StrEnum):
    """Where a payable comes from."""

    ORDER = "order"  # an order line recommended by the plan
    OPEN_SHIPMENT = "open_shipment"  # goods in transit, not yet paid


@dataclass(frozen=True)
class Payable:
    """An amount of a foreign currency to pay at the end of a period.

    Attributes
    ----------
    currency:
        ISO 4217 code of the amount.
    due_period:
        0-based planning period at whose end it is paid (the FX path's period).
    amount:
        Units of ``currency`` (> 0).
    source, reference:
        What gives rise to it (a recommendation id, a shipment id).
    """

    currency: str
    due_period: int
    amount: float
    source: PayableSource
    reference: str

    def __post_init__(self) -> None:
        if not self.amount > 0:
            raise ValueError(f"payable {self.reference}: amount must be > 0 {self.currency}, got {self.amount}")
        if self.due_period < 0:
            raise ValueError(f"payable {self.reference}: due_period must be >= 0, got {self.due_period}")


@dataclass(frozen=True)
class CoverOutcome:
    """Expected cost and CVaR of landed cost of the payables (base currency) under one choice of cover."""

    expected_cost_base: float
    cvar_base: float


@dataclass(frozen=True)
class CoverAlternative:
    """One alternative for a bucket, the other buckets at their recommended ratio.

    Attributes
    ----------
    choice:
        None, full or recommended.
    cover_ratio:
        Share of the bucket's amount bought forward (0–1).
    outcome:
        Expected cost and CVaR of the whole portfolio's landed cost under this alternative.
    """

    choice: CoverChoice
    cover_ratio: float
    outcome: CoverOutcome


@dataclass(frozen=True)
class CoverBucket:
    """The payables of one currency over one horizon, what they put at risk and the recommended cover.

    Attributes
    ----------
    currency:
        The payables' currency.
    first_period, last_period:
        0-based periods the horizon spans (inclusive).
    amount_local:
        Payables in the bucket, units of ``currency``.
    exposure_base:
        Their value at the forward rate, base currency (what the cover locks in, before its cost).
    forward_rate:
        Amount-weighted forward rate, units of ``currency`` per base unit (``amount_local / exposure_base``).
    cover_cost_base:
        Cost of covering all of it (fraction × value at the forward), base currency.
    expected_base, var_base, cvar_base:
        The bucket alone, uncovered: mean, ``α``-quantile and CVaR_α of its cost in the base currency.
    cover_ratio:
        Recommended share to buy forward (0–1).
    alternatives:
        No cover, full cover, recommended (in that order), each on the whole portfolio.
    payables:
        How many payables the bucket holds.
    """

    currency: str
    first_period: int
    last_period: int
    amount_local: float
    exposure_base: float
    forward_rate: float
    cover_cost_base: float
    expected_base: float
    var_base: float
    cvar_base: float
    cover_ratio: float
    alternatives: tuple[CoverAlternative, ...]
    payables: int

    def alternative(self, choice: CoverChoice) -> CoverAlternative:
        """The alternative of that choice."""
        return next(a for a in self.alternatives if a.choice is choice)


@dataclass(frozen=True)
class FxCoverPlan:
    """Cover recommendations of every bucket and the whole portfolio's figures with no, full and recommended cover.

    Attributes
    ----------
    level:
        CVaR level α (the worst ``1 − α`` share of scenarios is averaged).
    scenarios:
        Number of FX scenarios.
    buckets:
        One per currency and horizon with payables, ordered by currency then horizon.
    none, full, recommended:
        The portfolio with every bucket uncovered, fully covered, and at the recommended ratios.
    """

    level: float
    scenarios: int
    buckets: tuple[CoverBucket, ...]
    none: CoverOutcome
    full: CoverOutcome
    recommended: CoverOutcome


def horizon_of(period: int, bucket_periods: int) -> tuple[int, int]:
    """The horizon (first, last period, inclusive) a 0-based period falls in, buckets of ``bucket_periods``."""
    first = (period // bucket_periods) * bucket_periods
    return first, first + bucket_periods - 1


def forward_curve(spot: float, premium_per_year: float, horizon: int, period_days: int) -> np.ndarray:
    """Forward rates [period] for payment at the end of each period: ``spot · (1 + p · t)``, ``t`` in years.

    ``premium_per_year`` is the annualised forward premium of the rate (units per base): by covered interest
    parity about the currency's interest rate minus the base currency's (0 = forward at spot).
    """
    years = (np.arange(horizon) + 1.0) * period_days / DAYS_PER_YEAR
    return np.asarray(spot * (1.0 + premium_per_year * years), dtype=float)


def cover_cost_curve(fraction: float, per_year: float, horizon: int, period_days: int) -> np.ndarray:
    """Cost of cover [period] as a fraction of the covered amount: ``fraction + per_year · t``, ``t`` in years."""
    years = (np.arange(horizon) + 1.0) * period_days / DAYS_PER_YEAR
    return np.asarray(fraction + per_year * years, dtype=float)


def cvar_of(cost: np.ndarray, weight: np.ndarray, level: float) -> float:
    """CVaR_α of a cost vector [S] under scenario probabilities (the worst ``1 − α`` filled exactly)."""
    beta = 1.0 - level
    order = np.argsort(-cost, kind="stable")
    p = weight[order]
    take = np.clip(beta - (np.cumsum(p) - p), 0.0, p)
    return float((take * cost[order]).sum() / beta)


def var_of(cost: np.ndarray, weight: np.ndarray, level: float) -> float:
    """VaR_α: the smallest cost whose cumulative probability reaches ``α``."""
    order = np.argsort(cost, kind="stable")
    cum = np.cumsum(weight[order])
    i = int(np.searchsorted(cum, level - PROBABILITY_TIE))
    return float(cost[order][min(i, cost.size - 1)])


@dataclass(frozen=True)
class _Portfolio:
    keys: tuple[tuple[str, int, int], ...]  # (currency, first, last) per bucket
    uncovered: np.ndarray  # Y [B, S]
    covered: np.ndarray  # C [B]
    amount: np.ndarray  # [B] local
    at_forward: np.ndarray  # [B] base, before cost of cover
    counts: tuple[int, ...]


def _portfolio(
    payables: Sequence[Payable],
    currencies: tuple[str, ...],
    fx: np.ndarray,
    forward: np.ndarray,
    cover_cost: np.ndarray,
    bucket_periods: int,
) -> _Portfolio:
    horizon = fx.shape[2]
    acc: dict[tuple[str, int, int], list[Payable]] = {}
    for p in payables:
        if p.currency not in currencies:
            raise SupplyInputError(
                f"payable {p.reference} is in {p.currency}, which has no FX scenarios (have: {', '.join(currencies)})"
            )
        if p.due_period >= horizon:
            raise SupplyInputError(
                f"payable {p.reference} is due in period {p.due_period}, beyond the FX horizon of {horizon} periods"
            )
        acc.setdefault((p.currency, *horizon_of(p.due_period, bucket_periods)), []).append(p)
    keys = tuple(sorted(acc))
    y = np.zeros((len(keys), fx.shape[1]))
    c = np.zeros(len(keys))
    amount = np.zeros(len(keys))
    at_fwd = np.zeros(len(keys))
    for b, key in enumerate(keys):
        for p in acc[key]:
            j, t = currencies.index(p.currency), p.due_period
            y[b] += p.amount / fx[j, :, t]
            at_fwd[b] += p.amount / forward[j, t]
            c[b] += p.amount * (1.0 + cover_cost[j, t]) / forward[j, t]
            amount[b] += p.amount
    return _Portfolio(keys, y, c, amount, at_fwd, tuple(len(acc[k]) for k in keys))


def _cost(pf: _Portfolio, ratio: np.ndarray) -> np.ndarray:
    """Landed cost [S] of the portfolio at cover ratios [B]."""
    return np.asarray(((1.0 - ratio)[:, None] * pf.uncovered).sum(axis=0) + float(ratio @ pf.covered))


def _outcome(pf: _Portfolio, ratio: np.ndarray, weight: np.ndarray, level: float) -> CoverOutcome:
    cost = _cost(pf, ratio)
    return CoverOutcome(float(cost @ weight), cvar_of(cost, weight, level))


def _slack(value: float) -> float:
    return max(TIE_TOLERANCE_ABS, TIE_TOLERANCE_REL * abs(value))


def optimal_ratios(uncovered: np.ndarray, covered: np.ndarray, weight: np.ndarray, level: float) -> np.ndarray:
    """Cover ratios [B] minimising CVaR_α of ``Σ_b (1 − h_b) Y_b + h_b C_b``; ties: lower mean, then lower Σ h.

    Variables ``(h [B], η, u [S])``; CVaR = ``η + Σ_s p_s u_s / (1 − α)`` with ``u_s ≥ L_s(h) − η``, ``u ≥ 0``.

    Raises
    ------
    RuntimeError
        When HiGHS does not report an optimum (a bug: the problem is always feasible and bounded).
    """
    n_b, n_s = uncovered.shape
    if n_b == 0:
        return np.zeros(0)
    delta = covered[:, None] - uncovered  # [B, S]: extra cost of covering bucket b in scenario s
    base = uncovered.sum(axis=0)  # [S]
    # rows: Σ_b δ_bs h_b − η − u_s ≤ −base_s
    a_ub = np.hstack([delta.T, -np.ones((n_s, 1)), -np.eye(n_s)])
    b_ub = -base
    cvar_row = np.concatenate([np.zeros(n_b), [1.0], weight / (1.0 - level)])
    mean_row = np.concatenate([delta @ weight, [0.0], np.zeros(n_s)])
    bounds = [(0.0, 1.0)] * n_b + [(None, None)] + [(0.0, None)] * n_s
    stages = (cvar_row, mean_row, np.concatenate([np.ones(n_b), np.zeros(1 + n_s)]))
    rows, rhs = [a_ub], [b_ub]
    x = np.zeros(n_b + 1 + n_s)
    for k, objective in enumerate(stages):
        res = linprog(objective, A_ub=np.vstack(rows), b_ub=np.concatenate(rhs), bounds=bounds, method="highs")
        if res.status != 0:
            raise RuntimeError(f"FX cover LP stage {k + 1} did not solve: {res.message}")
        x = res.x
        value = float(objective @ x) + (float(weight @ base) if k == 1 else 0.0)
        rows.append(objective[None, :])
        rhs.append(np.array([float(objective @ x) + _slack(value)]))
    h = np.clip(x[:n_b], 0.0, 1.0)
    return np.where(h < RATIO_SNAP, 0.0, np.where(h > 1.0 - RATIO_SNAP, 1.0, h))


def recommend_fx_cover(
    payables: Sequence[Payable],
    currencies: tuple[str, ...],
    fx: np.ndarray,
    forward: np.ndarray,
    cover_cost: np.ndarray,
    *,
    level: float,
    bucket_periods: int,
    base_currency: str,
    weight: np.ndarray | None = None,
) -> FxCoverPlan:
    """Recommended forward cover per currency and horizon, with no / full cover alternatives.

    Parameters
    ----------
    payables:
        Amounts due; those in ``base_currency`` carry no FX risk and are left out.
    currencies:
        The FX axis of ``fx``, ``forward`` and ``cover_cost``.
    fx:
        Scenario rates [currency, scenario, period], units of the currency per base unit at period end.
    forward:
        Forward rates [currency, period] for payment at the end of each period, units per base unit.
    cover_cost:
        Cost of cover [currency, period], fraction of the covered amount (valued at the forward).
    level:
        CVaR level α in (0, 1) ([risk] cvar_level).
    bucket_periods:
        Periods per horizon bucket (≥ 1).
    base_currency:
        The currency costs are reported in.
    weight:
        Scenario probabilities [S] (default: equally likely).

    Raises
    ------
    SupplyInputError
        When a payable's currency has no FX paths or it falls due beyond the paths' horizon.
    ValueError
        When the shapes disagree or a setting is out of range.
    """
    n_c, n_s, horizon = fx.shape
    if forward.shape != (n_c, horizon) or cover_cost.shape != (n_c, horizon):
        raise ValueError(
            f"forward and cover_cost must be [currency, period] = {(n_c, horizon)}, got {forward.shape} and "
            f"{cover_cost.shape}"
        )
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level}")
    if bucket_periods < 1:
        raise ValueError(f"bucket_periods must be >= 1, got {bucket_periods}")
    w = np.full(n_s, 1.0 / n_s) if weight is None else np.asarray(weight, dtype=float)
    foreign = [p for p in payables if p.currency != base_currency]
    pf = _portfolio(foreign, currencies, fx, forward, cover_cost, bucket_periods)
    n_b = len(pf.keys)
    ratio = optimal_ratios(pf.uncovered, pf.covered, w, level)
    buckets = []
    for b, (ccy, first, last) in enumerate(pf.keys):
        alts = []
        for choice, value in ((CoverChoice.NONE, 0.0), (CoverChoice.FULL, 1.0), (CoverChoice.RECOMMENDED, ratio[b])):
            r = ratio.copy()
            r[b] = value
            alts.append(CoverAlternative(choice, float(value), _outcome(pf, r, w, level)))
        alone = pf.uncovered[b]
        buckets.append(
            CoverBucket(
                currency=ccy,
                first_period=first,
                last_period=last,
                amount_local=float(pf.amount[b]),
                exposure_base=float(pf.at_forward[b]),
                forward_rate=float(pf.amount[b] / pf.at_forward[b]),
                cover_cost_base=float(pf.covered[b] - pf.at_forward[b]),
                expected_base=float(alone @ w),
                var_base=var_of(alone, w, level),
                cvar_base=cvar_of(alone, w, level),
                cover_ratio=float(ratio[b]),
                alternatives=tuple(alts),
                payables=pf.counts[b],
            )
        )
    return FxCoverPlan(
        level=level,
        scenarios=n_s,
        buckets=tuple(buckets),
        none=_outcome(pf, np.zeros(n_b), w, level),
        full=_outcome(pf, np.ones(n_b), w, level),
        recommended=_outcome(pf, ratio, w, level),
    )


def portfolio_outcome(
    payables: Sequence[Payable],
    currencies: tuple[str, ...],
    fx: np.ndarray,
    forward: np.ndarray,
    cover_cost: np.ndarray,
    ratios: Mapping[tuple[str, int, int], float],
    *,
    level: float,
    bucket_periods: int,
    base_currency: str,
) -> CoverOutcome:
    """Expected cost and CVaR of the payables' landed cost at given ratios per (currency, first, last) bucket.

    Buckets not in ``ratios`` stay uncovered. Used to evaluate a cover decided on one FX set on another (a
    shocked path, say).
    """
    n_s = fx.shape[1]
    foreign = [p for p in payables if p.currency != base_currency]
    pf = _portfolio(foreign, currencies, fx, forward, cover_cost, bucket_periods)
    r = np.array([ratios.get(k, 0.0) for k in pf.keys])
    return _outcome(pf, r, np.full(n_s, 1.0 / n_s), level)
