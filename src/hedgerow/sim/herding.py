"""Herding: many firms running the same policy against one supplier and lane with finite capacity.

N firms sell the same product to their own customers. Their demand shares a common level that spikes for a few
weeks (panic buying, a viral post) on top of each firm's own noise. All buy from one supplier whose lane carries
at most ``capacity`` units per period; orders queue first-in first-out (pro rata within a period) and travel
``transit_periods`` after they leave. The spot price of a unit rises with the queue:

    price_t = base_price × (1 + price_slope × max(0, queue_t / capacity − 1))

(one period's work waiting is normal; every further period of backlog adds ``price_slope`` to the price).

When every firm reacts alike, each one's order-up-to level rises with the spike *and* with the lead times it now
observes; their orders add up, the queue and the price climb, lead times stretch further, and orders swell again:
the amplification of Lee, Padmanabhan & Whang (1997) through rationing and shortage gaming. Smoothing orders
(proportional order-up-to, Disney & Towill 2003) or a mix of policies damps it. :func:`run_herding` compares
named strategies on the same demand.

Firms use the simulator's policies through the same :class:`~hedgerow.sim.history.HistoryView`: they see their
own past demand, stock, what they have on order (queued or in transit) and the lead times of what has arrived.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum

import numpy as np

from hedgerow.errors import SimulationInputError
from hedgerow.sim.history import HistoryView
from hedgerow.sim.inputs import UnmetDemand
from hedgerow.sim.policies.base import Policy
from hedgerow.sim.policies.order_up_to import OrderUpToPolicy, OrderUpToSettings, SmoothedOrderUpToPolicy


class HerdingStrategy(StrEnum):
    """How the firms replenish."""

    SAME = "same"  # every firm: textbook order-up-to, 8-week window, lead time as observed
    SMOOTHED = "smoothed"  # every firm: proportional order-up-to, Ti = 4
    DIVERSE = "diverse"  # firms spread over windows, smoothing and lead-time habits


@dataclass(frozen=True)
class HerdingSettings:
    """The herding experiment.

    Attributes
    ----------
    firms:
        Number of firms N.
    periods, warmup:
        Periods simulated in all, and of those the first ones not scored (policies settle).
    base_demand:
        Mean demand per firm and period, units.
    noise_cv:
        Coefficient of variation of each firm's own demand noise.
    shock_start, shock_periods, shock_size:
        The common spike: demand × (1 + shock_size) for ``shock_periods`` from ``shock_start``.
    capacity_headroom:
        Lane capacity per period as a multiple of the mean total demand.
    transit_periods:
        Periods from leaving the supplier to arrival.
    base_price, price_slope:
        Spot price at normal load (base currency per unit) and its rise per period of excess backlog.
    unit_margin:
        Margin lost per unit short, base currency.
    holding_per_period:
        Holding cost per unit and period, base currency.
    seed:
        Seed of the demand draws.
    """

    firms: int = 20
    periods: int = 104
    warmup: int = 26
    base_demand: float = 100.0
    noise_cv: float = 0.2
    shock_start: int = 52
    shock_periods: int = 6
    shock_size: float = 0.5
    capacity_headroom: float = 1.15
    transit_periods: int = 2
    base_price: float = 10.0
    price_slope: float = 0.25
    unit_margin: float = 4.0
    holding_per_period: float = 0.05
    seed: int = 7

    def __post_init__(self) -> None:
        checks = {
            "firms must be at least 1": self.firms >= 1,
            "warmup must lie in [1, periods)": 1 <= self.warmup < self.periods,
            "shock_start must be a scored period": self.warmup <= self.shock_start < self.periods,
            "shock_periods must be at least 1": self.shock_periods >= 1,
            "capacity_headroom must be > 0": self.capacity_headroom > 0,
            "transit_periods must be >= 0": self.transit_periods >= 0,
            "base_demand, base_price, unit_margin must be > 0": min(self.base_demand, self.base_price, self.unit_margin)
            > 0,
            "noise_cv, price_slope, holding_per_period must be >= 0": min(
                self.noise_cv, self.price_slope, self.holding_per_period
            )
            >= 0,
        }
        failed = [msg for msg, ok in checks.items() if not ok]
        if failed:
            raise SimulationInputError("herding: " + "; ".join(failed))


@dataclass(frozen=True)
class HerdingOutcome:
    """What one strategy did.

    Attributes
    ----------
    strategy:
        The strategy.
    policies:
        Stated settings of the policies the firms used (with how many firms used each).
    order_amplification:
        Var(total orders) / Var(total demand) over the scored periods (the supplier's bullwhip).
    peak_order_ratio:
        Largest total order of a period / mean total demand.
    peak_price_ratio:
        Highest spot price / base price.
    mean_price_paid:
        Mean price per unit ordered, base currency.
    peak_queue_periods:
        Largest backlog at the supplier, in periods of capacity.
    peak_lead_time:
        Longest lead time of any order that arrived, periods.
    fill_rate:
        Units served / units demanded over all firms.
    cost_per_firm:
        Mean per firm of purchases + holding + lost margin over the scored periods, base currency.
    series:
        Per period: total demand, total orders, queue (units), units shipped, spot price, served share.
    """

    strategy: HerdingStrategy
    policies: list[dict[str, object]]
    order_amplification: float
    peak_order_ratio: float
    peak_price_ratio: float
    mean_price_paid: float
    peak_queue_periods: float
    peak_lead_time: float
    fill_rate: float
    cost_per_firm: float
    series: dict[str, list[float]] = field(default_factory=dict)


@dataclass(frozen=True)
class HerdingResult:
    """The outcomes of every strategy on the same demand, and the settings."""

    settings: HerdingSettings
    capacity: float
    outcomes: tuple[HerdingOutcome, ...]

    def as_dict(self) -> dict[str, object]:
        """Plain data for JSON."""
        return {
            "settings": asdict(self.settings),
            "capacity": self.capacity,
            "outcomes": [asdict(o) | {"strategy": o.strategy.value} for o in self.outcomes],
        }


def herding_demand(cfg: HerdingSettings) -> np.ndarray:
    """[firm, period] demand: common level with the spike, times each firm's own log-normal noise."""
    rng = np.random.default_rng(cfg.seed)
    level = np.ones(cfg.periods)
    level[cfg.shock_start : cfg.shock_start + cfg.shock_periods] += cfg.shock_size
    sigma = np.sqrt(np.log1p(cfg.noise_cv**2))
    noise = rng.lognormal(-(sigma**2) / 2, sigma, size=(cfg.firms, cfg.periods))
    return cfg.base_demand * level[None, :] * noise


def _strategy_policies(strategy: HerdingStrategy, firms: int) -> tuple[list[Policy], np.ndarray]:
    """The policies of a strategy and which one each firm uses."""
    if strategy is HerdingStrategy.SAME:
        return [OrderUpToPolicy(OrderUpToSettings(window=8), name="order_up_to_w8")], np.zeros(firms, dtype=int)
    if strategy is HerdingStrategy.SMOOTHED:
        return [SmoothedOrderUpToPolicy(OrderUpToSettings(window=8), smoothing_periods=4.0)], np.zeros(firms, dtype=int)
    variants: list[Policy] = [
        OrderUpToPolicy(OrderUpToSettings(window=8), name="order_up_to_w8"),
        SmoothedOrderUpToPolicy(OrderUpToSettings(window=13), smoothing_periods=2.0, name="smoothed_w13_ti2"),
        SmoothedOrderUpToPolicy(OrderUpToSettings(window=26), smoothing_periods=4.0, name="smoothed_w26_ti4"),
        SmoothedOrderUpToPolicy(OrderUpToSettings(window=52), smoothing_periods=6.0, name="smoothed_w52_ti6"),
    ]
    return variants, np.arange(firms) % len(variants)


class _Market:
    """State of the shared supplier and of every firm; one instance per strategy run."""

    def __init__(self, cfg: HerdingSettings, demand: np.ndarray) -> None:
        n, t = demand.shape
        self.cfg, self.demand = cfg, demand
        self.capacity = cfg.capacity_headroom * cfg.base_demand * n
        mean = cfg.base_demand
        self.on_hand = np.full(n, mean * (cfg.transit_periods + 2))
        self.queued = np.zeros((n, t))  # ordered at period s, not yet shipped
        self.arriving = np.zeros((n, t + cfg.transit_periods + 1))
        self.arriving[:, : cfg.transit_periods] = mean
        self.on_order = np.full(n, mean * cfg.transit_periods)
        self.lt_sum = np.zeros((n, t + cfg.transit_periods + 1))
        self.lt_w = np.zeros((n, t + cfg.transit_periods + 1))
        self.obs_sum = np.zeros(n)
        self.obs_w = np.zeros(n)
        self.seen = np.zeros((n, t))
        self.orders = np.zeros((n, t))
        self.peak_lt = float(cfg.transit_periods)

    def view(self, t: int) -> HistoryView:
        cfg, n = self.cfg, self.demand.shape[0]
        nominal = float(cfg.transit_periods)
        mean_lt = np.where(self.obs_w > 0, self.obs_sum / np.maximum(self.obs_w, 1e-12), nominal)
        price = np.full(n, cfg.base_price)
        return HistoryView(
            t=t,
            start=0,
            period_days=7,
            demand=self.seen[:, :t],
            orders=self.orders[:, :t],
            on_hand=self.on_hand.copy(),
            on_order=self.on_order.copy(),
            backlog=np.zeros(n),
            lead_time_mean=mean_lt,
            lead_time_std=np.zeros(n),
            lead_time_count=self.obs_w.copy(),
            nominal_lead=np.full((n, 1), cfg.transit_periods),
            unit_cost=price,
            unit_price=price + cfg.unit_margin,
            unit_margin=np.full(n, cfg.unit_margin),
            holding=np.full(n, cfg.holding_per_period),
            shortage=np.full(n, cfg.unit_margin),
            transport=np.zeros((n, 1)),
            item_class=("A",) * n,
            parent=np.full(n, -1),
            echelon=np.zeros(n, dtype=np.int64),
            assembled=np.zeros(n, dtype=bool),
            unmet=UnmetDemand.LOST,
        )

    def ship(self, t: int) -> float:
        """The supplier ships up to capacity, oldest orders first, pro rata within a period; returns units shipped."""
        room = self.capacity
        transit = self.cfg.transit_periods
        for s in np.flatnonzero(self.queued[:, : t + 1].sum(axis=0) > 0):
            if room <= 0:
                break
            waiting = self.queued[:, s]
            total = float(waiting.sum())
            take = min(room, total)
            out = waiting * (take / total)
            self.queued[:, s] -= out
            room -= take
            due = t + transit
            self.arriving[:, due] += out
            self.lt_sum[:, due] += out * (due - s)
            self.lt_w[:, due] += out
            if take > 0:
                self.peak_lt = max(self.peak_lt, float(due - s))
        return float(self.capacity - room)


def _simulate_strategy(cfg: HerdingSettings, demand: np.ndarray, strategy: HerdingStrategy) -> HerdingOutcome:
    policies, which = _strategy_policies(strategy, cfg.firms)
    for p in policies:
        p.reset()
    m = _Market(cfg, demand)
    n, horizon = demand.shape
    price = np.zeros(horizon)
    queue = np.zeros(horizon)
    shipped = np.zeros(horizon)
    served = np.zeros((n, horizon))
    cost = np.zeros((n, horizon))
    for t in range(horizon):
        arrived = m.arriving[:, t]
        m.on_hand += arrived
        m.on_order -= arrived
        m.obs_sum += m.lt_sum[:, t]
        m.obs_w += m.lt_w[:, t]
        view = m.view(t)
        qty = np.zeros(n)
        for k, policy in enumerate(policies):
            rows = which == k
            if rows.any():
                qty[rows] = policy.decide(view).qty[rows, 0]
        m.queued[:, t] = qty
        m.orders[:, t] = qty
        m.on_order += qty
        queue[t] = float(m.queued.sum())
        price[t] = cfg.base_price * (1.0 + cfg.price_slope * max(0.0, queue[t] / m.capacity - 1.0))
        shipped[t] = m.ship(t)
        sales = np.minimum(m.on_hand, demand[:, t])
        m.on_hand -= sales
        served[:, t] = sales
        m.seen[:, t] = demand[:, t]
        cost[:, t] = qty * price[t] + cfg.holding_per_period * m.on_hand + cfg.unit_margin * (demand[:, t] - sales)
    w = slice(cfg.warmup, horizon)
    total_demand = demand[:, w].sum(axis=0)
    total_orders = m.orders[:, w].sum(axis=0)
    mean_demand = float(total_demand.mean())
    var_demand = float(total_demand.var())
    ordered = float(total_orders.sum())
    counts = np.bincount(which, minlength=len(policies))
    return HerdingOutcome(
        strategy=strategy,
        policies=[p.settings() | {"name": p.name, "firms": int(c)} for p, c in zip(policies, counts, strict=True)],
        order_amplification=float(total_orders.var() / var_demand) if var_demand > 0 else float("nan"),
        peak_order_ratio=float(total_orders.max() / mean_demand),
        peak_price_ratio=float(price[w].max() / cfg.base_price),
        mean_price_paid=float((total_orders * price[w]).sum() / ordered) if ordered > 0 else cfg.base_price,
        peak_queue_periods=float(queue[w].max() / m.capacity),
        peak_lead_time=m.peak_lt,
        fill_rate=float(served[:, w].sum() / demand[:, w].sum()),
        cost_per_firm=float(cost[:, w].sum() / n),
        series={
            "demand": [float(v) for v in total_demand],
            "orders": [float(v) for v in total_orders],
            "queue": [float(v) for v in queue[w]],
            "shipped": [float(v) for v in shipped[w]],
            "price": [float(v) for v in price[w]],
            "served_share": [float(v) for v in served[:, w].sum(axis=0) / np.maximum(total_demand, 1e-12)],
        },
    )


def run_herding(
    settings: HerdingSettings | None = None, strategies: tuple[HerdingStrategy, ...] = tuple(HerdingStrategy)
) -> HerdingResult:
    """Run every strategy on the same demand draw and return their outcomes."""
    cfg = settings or HerdingSettings()
    demand = herding_demand(cfg)
    outcomes = tuple(_simulate_strategy(cfg, demand, s) for s in strategies)
    return HerdingResult(settings=cfg, capacity=cfg.capacity_headroom * cfg.base_demand * cfg.firms, outcomes=outcomes)
