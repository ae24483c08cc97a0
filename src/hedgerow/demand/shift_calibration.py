"""Injected spikes, shifts and promotions with known truth, and the calibration of the shift probability.

Each case is a negative-binomial series at a base level whose last ``since`` periods (1 .. window) follow an
event that started at the onset:

* ``shift``: the level is multiplied by ``rho`` from the onset on;
* ``spike``: the level is multiplied by ``rho`` for a geometric number of periods (continuation probability
  ``spike_persistence``), then returns;
* ``promotion``: a spike whose periods carry a promotion flag (the driver explains it).

``rho`` is log-uniform in [2, 8] or its reciprocal. The share of shifts among spikes and shifts is a parameter,
so the study can be run in worlds that match the sensor's priors and in worlds that do not.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from hedgerow.demand.shift import ShiftConfig, assess_shifts


class CaseKind(StrEnum):
    """What was injected."""

    SPIKE = "spike"
    SHIFT = "shift"
    PROMOTION = "promotion"


@dataclass(frozen=True)
class InjectedCases:
    """Series with one injected event each.

    Attributes
    ----------
    y:
        [case, period] demand.
    explained:
        [case, period] True at promoted periods.
    kind:
        [case] what was injected.
    since:
        [case] periods from the onset to the end of the history (1 = only the last period is affected).
    """

    y: np.ndarray
    explained: np.ndarray
    kind: tuple[CaseKind, ...]
    since: np.ndarray

    @property
    def is_shift(self) -> np.ndarray:
        """[case] True for real shifts."""
        return np.array([k is CaseKind.SHIFT for k in self.kind])


def inject_cases(
    rng: np.random.Generator,
    n_cases: int,
    *,
    shift_share: float = 1.0 / 3.0,
    promotion_share: float = 0.2,
    spike_persistence: float = 0.4,
    window: int = 6,
    history: int = 40,
    dispersion: float = 0.1,
) -> InjectedCases:
    """Generate ``n_cases`` series with one event each (see module doc).

    Parameters
    ----------
    rng:
        Source of randomness.
    n_cases:
        Number of series.
    shift_share:
        Share of shifts among the spikes and shifts.
    promotion_share:
        Share of promotions among all cases.
    spike_persistence:
        Probability that a spike lasts one more period.
    window:
        Largest number of periods since the onset.
    history:
        Periods before the window.
    dispersion:
        NB2 dispersion of the noise.
    """
    t_len = history + window
    level = np.exp(rng.normal(np.log(12.0), 0.7, n_cases))
    since = rng.integers(1, window + 1, n_cases)
    onset = t_len - since
    promo = rng.random(n_cases) < promotion_share
    shift = ~promo & (rng.random(n_cases) < shift_share)
    up = rng.random(n_cases) < 0.6
    size = np.exp(rng.uniform(np.log(2.0), np.log(8.0), n_cases))
    rho = np.where(up, size, 1.0 / size)
    duration = rng.geometric(1.0 - spike_persistence, n_cases)
    t = np.arange(t_len)[None, :]
    active = (t >= onset[:, None]) & np.where(shift[:, None], True, t < (onset + duration)[:, None])
    mean = level[:, None] * np.where(active, rho[:, None], 1.0)
    r = 1.0 / dispersion
    y = rng.poisson(rng.gamma(r, mean / r)).astype(np.float64)
    explained = active & promo[:, None]
    kind = tuple(
        CaseKind.PROMOTION if p else CaseKind.SHIFT if s else CaseKind.SPIKE for p, s in zip(promo, shift, strict=True)
    )
    return InjectedCases(y=y, explained=explained, kind=kind, since=since)


@dataclass(frozen=True)
class Calibration:
    """Reliability of predicted shift probabilities against injected truth.

    Attributes
    ----------
    bins:
        Rows of (lower edge, upper edge, cases, mean predicted probability, observed share of shifts).
    expected_calibration_error:
        Case-weighted mean |predicted - observed| over the bins.
    brier:
        Mean squared error of the probability against the 0/1 truth (flagged cases).
    flagged_share:
        Share of spike and shift cases the sensor flagged as unusual.
    promotion_mean_probability:
        Mean shift probability given to promotions (should be near 0).
    detection:
        Mean probability by (kind, periods since onset).
    """

    bins: tuple[tuple[float, float, int, float, float], ...]
    expected_calibration_error: float
    brier: float
    flagged_share: float
    promotion_mean_probability: float
    detection: dict[str, dict[int, float]]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "bins": [
                {"low": lo, "high": hi, "cases": n, "predicted": p, "observed": o} for lo, hi, n, p, o in self.bins
            ],
            "expected_calibration_error": self.expected_calibration_error,
            "brier": self.brier,
            "flagged_share": self.flagged_share,
            "promotion_mean_probability": self.promotion_mean_probability,
            "detection": self.detection,
        }


def calibrate(cases: InjectedCases, config: ShiftConfig | None = None, n_bins: int = 10) -> Calibration:
    """Run the sensor on injected cases and measure how well its probabilities match the truth."""
    assessment = assess_shifts(cases.y, cases.explained, None, config)
    p = assessment.probability
    kinds = np.array([k.value for k in cases.kind])
    event = kinds != CaseKind.PROMOTION.value
    flagged = event & (assessment.onset >= 0)
    truth = cases.is_shift.astype(np.float64)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    rows = []
    ece = 0.0
    total = int(flagged.sum())
    for lo, hi in itertools.pairwise(edges):
        inside = flagged & (p >= lo) & ((p < hi) if hi < 1.0 else (p <= hi))
        count = int(inside.sum())
        if count == 0:
            continue
        predicted, observed = float(p[inside].mean()), float(truth[inside].mean())
        rows.append((float(lo), float(hi), count, predicted, observed))
        ece += count / max(total, 1) * abs(predicted - observed)
    brier = float(np.mean((p[flagged] - truth[flagged]) ** 2)) if total else float("nan")
    detection: dict[str, dict[int, float]] = {}
    for kind in CaseKind:
        mask = kinds == kind.value
        detection[kind.value] = {
            int(k): float(p[mask & (cases.since == k)].mean()) for k in np.unique(cases.since[mask])
        }
    promos = kinds == CaseKind.PROMOTION.value
    return Calibration(
        bins=tuple(rows),
        expected_calibration_error=float(ece),
        brier=brier,
        flagged_share=float(flagged.sum() / max(event.sum(), 1)),
        promotion_mean_probability=float(p[promos].mean()) if promos.any() else float("nan"),
        detection=detection,
    )
