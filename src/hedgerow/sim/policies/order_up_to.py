"""Order-up-to policies as planners run them: the ERP textbook rule, and the margin maximiser of the field story.

Textbook (periodic review, review period R, lead time L, trailing window W):

    S = μ·(L + R) + z·σ·√(L + R),   order = max(0, S − inventory position)

with μ, σ the mean and standard deviation of demand per period over the last W periods and z = Φ⁻¹(CR), CR the
critical ratio b / (b + h) of the shortage penalty b and the holding cost h per period — the service level a
competent planner derives from costs rather than picks by habit (Silver, Pyke & Thomas (2017), *Inventory and
Production Management in Supply Chains*, §6.7 and §7.5; Snyder & Shen (2019) eq. (4.16)). A DC plans on the
requests of its stores, with their penalty. L is the mean lead time observed so far (the lane's planned transit
until the first order arrives). The service level is capped (default 0.999, z ≈ 3.09) as ERP service tables are.

Margin maximiser: the same rule, but the service level comes from the lost margin only (no goodwill, no bundle
that cannot be sold without the item), and items whose margin rate is below a threshold have their safety stock
trimmed to a low service level. It is what a margin-focused review does to cheap accessories — and the failure of
the field story when a bundle cannot ship for want of a cable.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from hedgerow.sim.history import Decision, HistoryView
from hedgerow.sim.policies.base import PolicyName
from hedgerow.sim.policies.estimates import (
    critical_ratio,
    lead_time_periods,
    margin_rate,
    shortage_penalty,
    trailing_stats,
    z_score,
)


@dataclass(frozen=True)
class OrderUpToSettings:
    """Settings of the textbook order-up-to policy.

    Attributes
    ----------
    window:
        Trailing window W for μ and σ, periods (13 weeks = one quarter, the usual ERP setting).
    review_periods:
        Review period R, periods.
    service_floor, service_cap:
        Bounds of the cycle service level taken from the critical ratio.
    lead_time_variance:
        Add the lead-time variance to the protection: σ_P² = (L + R)σ² + μ²σ_L² (Silver, Pyke & Thomas eq. 6.11).
        Off by default: the issue's textbook rule is z·σ·√(L + R).
    """

    window: int = 13
    review_periods: int = 1
    service_floor: float = 0.5
    service_cap: float = 0.999
    lead_time_variance: bool = False

    def __post_init__(self) -> None:
        if self.window < 1 or self.review_periods < 1:
            raise ValueError("window and review_periods must be at least 1 period")
        if not 0.0 < self.service_floor <= self.service_cap < 1.0:
            raise ValueError("service levels must satisfy 0 < service_floor <= service_cap < 1")


def order_up_to_level(
    mean: np.ndarray, std: np.ndarray, lead: np.ndarray, review: int, z: np.ndarray, lead_std: np.ndarray | None = None
) -> np.ndarray:
    """S = μ(L + R) + z·σ_P with σ_P = σ√(L + R), or √((L + R)σ² + μ²σ_L²) when ``lead_std`` is given; units."""
    protection = lead + review
    sigma = std * np.sqrt(protection) if lead_std is None else np.sqrt(protection * std**2 + (mean * lead_std) ** 2)
    return np.asarray(np.maximum(mean * protection + z * sigma, 0.0), dtype=np.float64)


def _primary(view: HistoryView, qty: np.ndarray) -> Decision:
    return Decision.on_primary(qty, view)


class OrderUpToPolicy:
    """The textbook order-up-to policy with normal safety stock z·σ·√(L + R) (see the module docstring)."""

    def __init__(self, settings: OrderUpToSettings | None = None, *, name: str = PolicyName.ORDER_UP_TO.value) -> None:
        self.config = settings or OrderUpToSettings()
        self._name = name

    @property
    def name(self) -> str:
        """Name shown in reports."""
        return self._name

    def settings(self) -> dict[str, object]:
        """The stated settings."""
        return {"rule": "S = mu(L+R) + z sigma sqrt(L+R); z = Phi^-1(b/(b+h))", **asdict(self.config)}

    def reset(self) -> None:
        """Stateless."""

    def service_level(self, view: HistoryView) -> np.ndarray:
        """[il] cycle service level: the critical ratio of the full shortage penalty, within the bounds."""
        cr = critical_ratio(shortage_penalty(view), view.holding)
        return np.asarray(np.clip(cr, self.config.service_floor, self.config.service_cap), dtype=np.float64)

    def decide(self, view: HistoryView) -> Decision:
        """Order up to S on the primary lane."""
        cfg = self.config
        mean, std = trailing_stats(view.demand, cfg.window)
        lead = lead_time_periods(view)
        z = z_score(self.service_level(view))
        level = order_up_to_level(
            mean, std, lead, cfg.review_periods, z, view.lead_time_std if cfg.lead_time_variance else None
        )
        return _primary(view, np.maximum(level - view.inventory_position, 0.0))


@dataclass(frozen=True)
class MarginMaximiserSettings(OrderUpToSettings):
    """Settings of the margin maximiser.

    Attributes
    ----------
    margin_threshold:
        Items whose margin rate (margin / price) is below this get the trimmed service level.
    low_margin_service:
        Cycle service level of low-margin items (0.80: z ≈ 0.84).
    """

    margin_threshold: float = 0.20
    low_margin_service: float = 0.80


class MarginMaximiserPolicy(OrderUpToPolicy):
    """Order-up-to on lost margin only, with the safety stock of low-margin items trimmed (module docstring)."""

    def __init__(self, settings: MarginMaximiserSettings | None = None) -> None:
        super().__init__(settings or MarginMaximiserSettings(), name=PolicyName.MARGIN_MAXIMISER.value)

    def settings(self) -> dict[str, object]:
        """The stated settings."""
        return {
            "rule": "order-up-to with z = Phi^-1(margin/(margin+h)); items with margin rate < threshold get "
            "low_margin_service; goodwill and bundles ignored",
            **asdict(self.config),
        }

    def service_level(self, view: HistoryView) -> np.ndarray:
        """[il] critical ratio of the lost margin alone; the trimmed level for low-margin items."""
        cfg = self.config
        assert isinstance(cfg, MarginMaximiserSettings)
        margin = np.asarray(view.unit_margin, dtype=np.float64)
        margin = np.where(margin > 0, margin, shortage_penalty(view))  # a DC: its stores' penalty
        service = np.clip(critical_ratio(margin, view.holding), cfg.service_floor, cfg.service_cap)
        low = margin_rate(view) < cfg.margin_threshold
        return np.asarray(np.where(low, np.minimum(service, cfg.low_margin_service), service), dtype=np.float64)


class BaseStockPolicy:
    """Order up to a fixed level S[il] every period (the stationary base-stock policy)."""

    def __init__(self, levels: np.ndarray, *, name: str = "base_stock", settings: dict[str, object] | None = None):
        if levels.ndim != 1 or (levels.size and float(np.min(levels)) < 0):
            raise ValueError("base-stock levels must be a non-negative vector [il]")
        self.levels = levels
        self._name = name
        self._settings = settings or {}

    @property
    def name(self) -> str:
        """Name shown in reports."""
        return self._name

    def settings(self) -> dict[str, object]:
        """The stated settings."""
        return {"rule": "order up to a fixed S every period", **self._settings}

    def reset(self) -> None:
        """Stateless."""

    def decide(self, view: HistoryView) -> Decision:
        """max(0, S − inventory position) on the primary lane."""
        return _primary(view, np.maximum(self.levels - view.inventory_position, 0.0))


class SmoothedOrderUpToPolicy(OrderUpToPolicy):
    """Proportional order-up-to: order the expected demand plus only a share of the gap to the target,
    order = max(0, μ + (S − μ − IP) / Tᵢ).

    ``S − μ`` is where the position would stand before ordering if the last order had reached S and an average
    period had passed, so in steady state the gap is 0 and the order is μ. With ``smoothing_periods`` Tᵢ = 1 it is
    the textbook order ``S − IP``; larger Tᵢ damp the bullwhip at the price of slower recovery (Disney & Towill
    (2003), *Int. J. Production Economics* 85(2), the POUT model).
    """

    def __init__(
        self,
        settings: OrderUpToSettings | None = None,
        *,
        smoothing_periods: float = 4.0,
        name: str = "smoothed_order_up_to",
    ) -> None:
        if smoothing_periods < 1:
            raise ValueError(f"smoothing_periods must be at least 1, got {smoothing_periods}")
        super().__init__(settings, name=name)
        self.smoothing_periods = smoothing_periods

    def settings(self) -> dict[str, object]:
        """The stated settings."""
        return {
            "rule": "order = max(0, mu + (S - mu - IP) / Ti), S as the textbook policy",
            "smoothing_periods": self.smoothing_periods,
            **asdict(self.config),
        }

    def decide(self, view: HistoryView) -> Decision:
        """Close 1/Tᵢ of the gap to S on top of the expected demand."""
        cfg = self.config
        mean, std = trailing_stats(view.demand, cfg.window)
        lead = lead_time_periods(view)
        z = z_score(self.service_level(view))
        level = order_up_to_level(
            mean, std, lead, cfg.review_periods, z, view.lead_time_std if cfg.lead_time_variance else None
        )
        gap = level - mean - view.inventory_position
        return _primary(view, np.maximum(mean + gap / self.smoothing_periods, 0.0))
