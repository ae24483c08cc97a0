"""Spike or shift? The probability that recent unusual demand is a lasting level shift, per series.

Two competing explanations of the periods since the first unusual observation of the recent window, compared
by their marginal likelihoods (Bayes factors: Kass & Raftery 1995, *JASA* 90(430)):

* **spike** (H0): a transient episode starts at the onset (prior rate ``spike_rate`` per period) at level
  ``rho * L0``, lasts a geometric number of periods (continuing with probability ``spike_persistence``) and
  then demand returns to the baseline ``NB(L0, c)``;
* **shift** (H1): a lasting change starts at the onset (prior rate ``shift_hazard`` per period): from then on
  demand is ``NB(rho * L0, c)``.

Both share one size prior, ``log rho`` uniform on ``[-log R, log R]`` (``grid_points`` values, integrated
numerically), so with a single unusual period the data cannot tell them apart and the probability is the prior
``shift_hazard / (shift_hazard + spike_rate)`` (1/3 by default). Each further period at the new level divides
the spike's odds by ``spike_persistence``; a return to the baseline sends the shift's odds towards zero. This is
the two-hypothesis special case of Bayesian change-point analysis (Adams & MacKay 2007) with an explicit
outlier-episode alternative. A sentiment signal on the item-location multiplies the prior odds.

"Unusual" means a two-sided tail probability below ``unusual_p`` under ``NB(L0, c)``, with ``L0`` and ``c``
estimated from the ``baseline`` periods before the window. Periods explained by a driver (a promotion flag set
or a price away from its usual value) are neither unusual nor evidence: a promotion is not a shift.

The probabilities are calibrated when the world behaves like the priors (docs/demand.md reports reliability on
injected spikes, shifts and promotions, including worlds that do not).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special, stats


@dataclass(frozen=True)
class ShiftConfig:
    """Settings of the spike-or-shift sensor.

    Attributes
    ----------
    window:
        Recent periods examined for unusual observations.
    baseline:
        Periods before the window that define the usual level.
    min_baseline:
        Fewest known baseline periods needed to judge anything (else probability 0).
    unusual_p:
        Two-sided tail probability under the baseline below which an observation is unusual.
    shift_hazard:
        Prior probability per period that a lasting level shift starts.
    spike_rate:
        Prior probability per period that a transient spike episode starts.
    spike_persistence:
        Probability that a spike episode lasts one more period (episodes last 1 / (1 - q) periods on average).
    max_ratio:
        Shift and spike sizes considered range from ``1 / max_ratio`` to ``max_ratio`` times the baseline.
    grid_points:
        Points of the size grid.
    level_floor:
        Smallest baseline level used, in units per period: a slow mover is judged as if it sold one unit a
        period, so the sporadic orders that are the normal texture of lumpy demand are not "unusual" (on
        carparts a floor of 0.1 flagged such orders and cost 3 % of SPL), while a jump to several units a
        period still is.
    """

    window: int = 6
    baseline: int = 26
    min_baseline: int = 8
    unusual_p: float = 0.005
    shift_hazard: float = 0.01
    spike_rate: float = 0.02
    spike_persistence: float = 0.4
    max_ratio: float = 50.0
    grid_points: int = 81
    level_floor: float = 1.0

    def __post_init__(self) -> None:
        if self.window < 1 or self.baseline < 1 or self.min_baseline < 1:
            raise ValueError("window, baseline and min_baseline must be positive numbers of periods")
        for name in ("unusual_p", "shift_hazard", "spike_rate", "spike_persistence"):
            value = getattr(self, name)
            if not 0.0 < value < 1.0:
                raise ValueError(f"{name} must be in (0, 1), got {value}")
        if self.max_ratio <= 1.0:
            raise ValueError(f"max_ratio must exceed 1, got {self.max_ratio}")

    @property
    def prior_probability(self) -> float:
        """P(shift) after one unusual period without any other evidence."""
        return self.shift_hazard / (self.shift_hazard + self.spike_rate)


@dataclass(frozen=True)
class ShiftAssessment:
    """The sensor's reading of every series.

    Attributes
    ----------
    probability:
        [series] P(lasting shift | recent data); 0 where nothing recent is unusual.
    ratio:
        [series] expected new level / baseline level if it is a shift (1 where nothing is unusual).
    onset:
        [series] index of the first unusual period (-1 where none).
    baseline_level:
        [series] the usual level L0 in units per period (NaN where the baseline is too short).
    unusual:
        [series, period] the periods flagged unusual (from the onset on).
    """

    probability: np.ndarray
    ratio: np.ndarray
    onset: np.ndarray
    baseline_level: np.ndarray
    unusual: np.ndarray


def _nb_logpmf(y: np.ndarray, mean: np.ndarray, disp: np.ndarray) -> np.ndarray:
    """log NB2 pmf (Poisson where ``disp`` is ~0); broadcasting."""
    mean = np.maximum(mean, 1e-12)
    poisson = disp < 1e-8
    r = 1.0 / np.where(poisson, 1.0, disp)
    nb = (
        special.gammaln(y + r)
        - special.gammaln(r)
        - special.gammaln(y + 1.0)
        + r * np.log(r / (r + mean))
        + y * np.log(mean / (r + mean))
    )
    po = y * np.log(mean) - mean - special.gammaln(y + 1.0)
    return np.asarray(np.where(poisson, po, nb))


def _tail_probability(y: np.ndarray, mean: np.ndarray, disp: np.ndarray) -> np.ndarray:
    """Two-sided tail probability min(P(Y <= y), P(Y >= y)) under NB2(mean, disp)."""
    mean = np.maximum(mean, 1e-12)
    k = np.round(y)
    poisson = disp < 1e-8
    r = 1.0 / np.where(poisson, 1.0, disp)
    p = r / (r + mean)
    low = np.where(poisson, stats.poisson.cdf(k, mean), stats.nbinom.cdf(k, r, p))
    high = np.where(poisson, stats.poisson.sf(k - 1, mean), stats.nbinom.sf(k - 1, r, p))
    return np.asarray(np.minimum(low, high))


def assess_shifts(
    y: np.ndarray,
    explained: np.ndarray | None = None,
    prior_odds_factor: np.ndarray | None = None,
    config: ShiftConfig | None = None,
) -> ShiftAssessment:
    """Probability of a lasting level shift for every series (see module doc).

    Parameters
    ----------
    y:
        [series, period] demand history (censoring corrected; NaN unknown).
    explained:
        [series, period] True where a driver explains an unusual value (promotion, price cut).
    prior_odds_factor:
        [series] multiplier of the prior odds of a shift (e.g. from sentiment signals); 1 = none.
    config:
        Settings; defaults when None.
    """
    cfg = config or ShiftConfig()
    y = np.asarray(y, dtype=np.float64)
    n, t_len = y.shape
    expl = np.zeros_like(y, dtype=bool) if explained is None else np.asarray(explained, dtype=bool)
    factor = np.ones(n) if prior_odds_factor is None else np.asarray(prior_odds_factor, dtype=np.float64)
    w = min(cfg.window, max(t_len - cfg.min_baseline, 0))
    probability = np.zeros(n)
    ratio = np.ones(n)
    onset = np.full(n, -1, dtype=np.int64)
    unusual = np.zeros_like(y, dtype=bool)
    level = np.full(n, np.nan)
    if w < 1:
        return ShiftAssessment(probability, ratio, onset, level, unusual)

    base = y[:, max(0, t_len - w - cfg.baseline) : t_len - w]
    base = np.where(expl[:, max(0, t_len - w - cfg.baseline) : t_len - w], np.nan, base)
    count = np.isfinite(base).sum(axis=1)
    has_base = count >= cfg.min_baseline
    mean0 = np.where(has_base, np.nansum(base, axis=1) / np.maximum(count, 1), np.nan)
    var0 = np.where(has_base, np.nansum((base - mean0[:, None]) ** 2, axis=1) / np.maximum(count - 1, 1), np.nan)
    level = np.where(has_base, np.maximum(mean0, cfg.level_floor), np.nan)
    disp_raw = np.where(has_base, (var0 - level) / level**2, 0.0)
    pooled = float(np.nanmedian(np.clip(disp_raw[has_base], 0.0, 25.0))) if has_base.any() else 0.0
    disp = np.clip((count * np.clip(np.nan_to_num(disp_raw), 0.0, 25.0) + 8.0 * pooled) / (count + 8.0), 0.0, 25.0)

    recent = y[:, t_len - w :]
    usable = np.isfinite(recent) & ~expl[:, t_len - w :] & has_base[:, None]
    tail = np.where(usable, _tail_probability(np.nan_to_num(recent), level[:, None], disp[:, None]), 1.0)
    flagged = usable & (tail < cfg.unusual_p / 2.0)
    any_flag = flagged.any(axis=1)
    first = np.where(any_flag, flagged.argmax(axis=1), w)
    rows = np.flatnonzero(any_flag)
    if rows.size == 0:
        return ShiftAssessment(probability, ratio, onset, level, unusual)

    grid = np.exp(np.linspace(-np.log(cfg.max_ratio), np.log(cfg.max_ratio), cfg.grid_points))
    log_w = -np.log(cfg.grid_points)
    after = np.arange(w)[None, :] >= first[rows, None]
    post = usable[rows] & after  # [r, w] the evidence: usable periods from the onset on
    values = np.nan_to_num(recent[rows])
    log_grid = _nb_logpmf(values[:, :, None], level[rows][:, None, None] * grid, disp[rows][:, None, None])
    log_base = _nb_logpmf(values, level[rows][:, None], disp[rows][:, None])
    prefix = np.cumsum(np.where(post[:, :, None], log_grid, 0.0), axis=1)  # [r, w, g] new level up to j
    suffix = np.cumsum(np.where(post, log_base, 0.0)[:, ::-1], axis=1)[:, ::-1]
    base_after = np.concatenate([suffix[:, 1:], np.zeros((rows.size, 1))], axis=1)  # baseline after j
    at_level = special.logsumexp(prefix + log_w, axis=2)  # [r, w] marginal over the size grid
    count = np.cumsum(post, axis=1)
    total = count[:, -1]
    last = w - 1 - np.argmax(post[:, ::-1], axis=1)
    log_q, log_end = np.log(cfg.spike_persistence), np.log1p(-cfg.spike_persistence)
    # H0: a spike episode from the onset through period j, then the baseline again (or still going on).
    ended = post & (count < total[:, None])
    end_terms = np.where(ended, log_end + (count - 1) * log_q + at_level + base_after, -np.inf)
    still_on = (total - 1) * log_q + at_level[np.arange(rows.size), last]
    log_h0 = np.log(cfg.spike_rate) + special.logsumexp(np.column_stack([end_terms, still_on]), axis=1)
    # H1: the level moved to rho * L0 at the onset and stays.
    per_rho = prefix[np.arange(rows.size), last] + log_w  # [r, g]
    log_h1 = np.log(cfg.shift_hazard) + special.logsumexp(per_rho, axis=1)
    log_odds = log_h1 - log_h0 + np.log(np.maximum(factor[rows], 1e-12))
    probability[rows] = special.expit(log_odds)
    posterior = np.exp(per_rho - special.logsumexp(per_rho, axis=1, keepdims=True))
    ratio[rows] = posterior @ grid
    onset[rows] = t_len - w + first[rows]
    unusual[rows, t_len - w :] = flagged[rows] & after
    return ShiftAssessment(probability, ratio, onset, level, unusual)


def explained_periods(drivers: np.ndarray, usual: np.ndarray, *, tolerance: float = 0.05) -> np.ndarray:
    """[series, period] True where any driver is away from its usual value (a promotion, a price cut).

    Parameters
    ----------
    drivers:
        [series, period, driver] driver values.
    usual:
        [series, driver] usual value of each driver (e.g. the series' median).
    tolerance:
        Relative distance from the usual value that counts as "away" (absolute for a usual value of 0).
    """
    if drivers.shape[2] == 0:
        return np.zeros(drivers.shape[:2], dtype=bool)
    scale = np.maximum(np.abs(usual), 1.0)[:, None, :]
    away = np.abs(drivers - usual[:, None, :]) > tolerance * scale
    return np.asarray(away.any(axis=2))


def sentiment_odds_factor(z_scores: np.ndarray, *, odds_per_sd: float = 2.0, cap_sd: float = 3.0) -> np.ndarray:
    """[series] prior-odds multiplier from sentiment z-scores: ``odds_per_sd ** min(|z|, cap_sd)``.

    An assumption, not calibrated on data: two standard deviations of sentiment make a shift four times as
    likely a priori. Series without a signal pass 0 (factor 1).
    """
    z = np.abs(np.nan_to_num(np.asarray(z_scores, dtype=np.float64), nan=0.0))
    return np.asarray(odds_per_sd ** np.minimum(z, cap_sd))
