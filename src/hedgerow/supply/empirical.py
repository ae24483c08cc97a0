"""A discrete distribution on weighted atoms: the building block of pooled, shrunk lead-time models.

Lateness in days is recorded in whole days, so an empirical distribution has few distinct values and is kept
exactly (atoms and weights). Mixing a sparse lane with its parent pool (shrinkage) is a weighted union of atoms,
and sampling is the generalised inverse of the CDF applied to uniforms, which keeps atoms (the mass at exactly
zero lateness) intact and lets several draws share one uniform (common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class DiscreteDistribution:
    """Atoms ``values`` (sorted, unique) with probabilities ``weights`` (summing to 1).

    Attributes
    ----------
    values:
        Support points, strictly increasing (e.g. days of lateness).
    weights:
        Probability of each support point; non-negative, sums to 1.
    """

    values: np.ndarray
    weights: np.ndarray

    def __post_init__(self) -> None:
        if self.values.ndim != 1 or self.values.shape != self.weights.shape or self.values.size == 0:
            raise ValueError("values and weights must be non-empty 1-D arrays of the same length")
        if np.any(np.diff(self.values) <= 0):
            raise ValueError("values must be strictly increasing")
        if np.any(self.weights < 0) or not np.isclose(self.weights.sum(), 1.0):
            raise ValueError("weights must be non-negative and sum to 1")
        self.values.setflags(write=False)
        self.weights.setflags(write=False)

    @classmethod
    def from_samples(cls, samples: np.ndarray, weights: np.ndarray | None = None) -> DiscreteDistribution:
        """Empirical distribution of ``samples`` (optionally weighted); NaNs are dropped."""
        x = np.asarray(samples, dtype=float)
        w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
        keep = np.isfinite(x) & (w > 0)
        x, w = x[keep], w[keep]
        if x.size == 0:
            raise ValueError("cannot build a distribution from no finite samples")
        values, inverse = np.unique(x, return_inverse=True)
        summed = np.bincount(inverse, weights=w, minlength=values.size)
        return cls(values, summed / summed.sum())

    @classmethod
    def point(cls, value: float) -> DiscreteDistribution:
        """All mass at one value."""
        return cls(np.array([float(value)]), np.array([1.0]))

    @classmethod
    def mixture(cls, parts: list[tuple[float, DiscreteDistribution]]) -> DiscreteDistribution:
        """Mixture ``sum_k w_k F_k`` of distributions with weights ``w_k`` (normalised to 1)."""
        parts = [(w, d) for w, d in parts if w > 0]
        if not parts:
            raise ValueError("a mixture needs at least one part with positive weight")
        values = np.concatenate([d.values for _, d in parts])
        weights = np.concatenate([w * d.weights for w, d in parts])
        return cls.from_samples(values, weights)

    @property
    def cdf_values(self) -> np.ndarray:
        """Cumulative probabilities at each atom."""
        c = np.cumsum(self.weights)
        c[-1] = 1.0
        return c

    def quantile(self, p: np.ndarray | float) -> np.ndarray:
        """Generalised inverse CDF: the smallest atom ``v`` with ``F(v) >= p`` (vectorised over ``p``)."""
        idx = np.searchsorted(self.cdf_values, np.asarray(p, dtype=float) - 1e-12, side="left")
        return np.asarray(self.values[np.minimum(idx, self.values.size - 1)])

    def prob_greater(self, x: float) -> float:
        """P(X > x)."""
        return float(self.weights[self.values > x].sum())

    def mean(self) -> float:
        """Expected value."""
        return float(np.dot(self.values, self.weights))

    def shift(self, delta: float) -> DiscreteDistribution:
        """The distribution of X + delta."""
        return DiscreteDistribution(self.values + delta, self.weights.copy())

    def scale_about(self, centre: float, factor: float) -> DiscreteDistribution:
        """The distribution of centre + factor·(X − centre): widens (factor > 1) around ``centre``."""
        if factor <= 0:
            raise ValueError(f"factor must be > 0, got {factor}")
        return DiscreteDistribution(centre + factor * (self.values - centre), self.weights.copy())

    def conditional_above(self, x: float) -> DiscreteDistribution | None:
        """The distribution of X given X > x, or None when P(X > x) is zero."""
        keep = self.values > x
        mass = self.weights[keep].sum()
        if mass <= 0:
            return None
        return DiscreteDistribution(self.values[keep].copy(), self.weights[keep] / mass)
