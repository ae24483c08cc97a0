"""stockpyl's newsvendor base-stock level as an external peer (optional dependency: ``pip install hedgerow[sim]``).

Each period and item-location the policy passes the same inputs the textbook policy uses — holding cost h and
shortage penalty p per unit (base currency), trailing mean and standard deviation of demand per period, lead time
L (periods, rounded) — to :func:`stockpyl.newsvendor.newsvendor_normal`, which returns
S* = μ(L + 1) + Φ⁻¹(p / (p + h))·σ√(L + 1) (Snyder & Shen (2019), *Fundamentals of Supply Chain Theory*,
eqs. (4.30), (4.37), for periodic review with lead time L), and orders up to it. The code that computes S is
stockpyl's, not ours, which is the point of a peer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from hedgerow.sim.history import Decision, HistoryView
from hedgerow.sim.policies.base import PolicyName
from hedgerow.sim.policies.estimates import lead_time_periods, shortage_penalty, trailing_stats


def stockpyl_available() -> bool:
    """Whether the optional dependency stockpyl can be imported."""
    try:
        import stockpyl.newsvendor  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass(frozen=True)
class StockpylSettings:
    """Settings of the stockpyl peer.

    Attributes
    ----------
    window:
        Trailing window for μ and σ, periods (the textbook policy's).
    refit_every:
        Recompute S every this many periods (1 = each period); between refits the last S is kept.
    """

    window: int = 13
    refit_every: int = 1


class StockpylBaseStockPolicy:
    """Order up to stockpyl's newsvendor-normal base-stock level (see the module docstring)."""

    def __init__(self, settings: StockpylSettings | None = None) -> None:
        try:
            from stockpyl.newsvendor import newsvendor_normal
        except ImportError:
            raise ImportError(
                "the stockpyl peer needs the optional dependency stockpyl: pip install 'hedgerow[sim]'"
            ) from None
        self._solve: Any = newsvendor_normal
        self.config = settings or StockpylSettings()
        self._levels: np.ndarray | None = None
        self._since = 0

    @property
    def name(self) -> str:
        """Name shown in reports."""
        return PolicyName.STOCKPYL.value

    def settings(self) -> dict[str, object]:
        """The stated settings."""
        return {"rule": "stockpyl.newsvendor.newsvendor_normal(h, p, mu, sigma, lead_time=L)", **asdict(self.config)}

    def reset(self) -> None:
        """Forget the last levels."""
        self._levels = None
        self._since = 0

    def levels(self, view: HistoryView) -> np.ndarray:
        """[il] base-stock levels from stockpyl, units."""
        mean, std = trailing_stats(view.demand, self.config.window)
        penalty = shortage_penalty(view)
        lead = np.rint(lead_time_periods(view)).astype(int)
        out = np.zeros(view.n_il)
        ok = view.orderable & (mean > 0) & (penalty > 0)
        for i in np.flatnonzero(ok & (view.holding > 0)):
            sd = max(float(std[i]), 1e-9 * float(mean[i]))
            level, _cost = self._solve(float(view.holding[i]), float(penalty[i]), float(mean[i]), sd, int(lead[i]))
            out[i] = max(float(level), 0.0)
        # with no holding cost the newsvendor is unbounded: cover L + 1 periods of the trailing maximum
        free = ok & (view.holding <= 0)
        if free.any():
            peak = view.demand[:, -self.config.window :].max(axis=1) if view.demand.shape[1] else mean
            out[free] = peak[free] * (lead[free] + 1)
        return out

    def decide(self, view: HistoryView) -> Decision:
        """Order up to stockpyl's S on the primary lane."""
        if self._levels is None or self._since >= self.config.refit_every:
            self._levels = self.levels(view)
            self._since = 0
        self._since += 1
        qty = np.maximum(self._levels - view.inventory_position, 0.0)
        return Decision.on_primary(qty, view)
