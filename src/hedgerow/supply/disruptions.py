"""Signals → disruption regimes: probability now, persistence, delay and capacity loss, sampled jointly.

Each accepted signal drives one two-state Markov regime (normal / disrupted) over its scope. Scenario ``s``
draws one state path per regime, and every lane the scope reaches shares it: a port outage in scenario ``s``
delays every lane through that port in ``s`` (joint coherence). A lane's extra delay in a period is the sum
of the delays of the regimes disrupted over it; its capacity factor is the product of theirs.

Regime of one signal (per period of ``period_days``):

* state at period 0 ~ Bernoulli(p_now); ``p_now = π₀ + (p − π₀)·2^(−age / half-life)`` — information
  decays toward the kind's base rate π₀ as the signal ages;
* ``P(stay disrupted) = 1 − period_days / mean_duration_days``; ``P(enter) = π₀(1 − stay)/(1 − π₀)`` so the
  chain relaxes to π₀;
* after ``valid_until`` the regime is forced normal;
* when disrupted, the extra delay is Gamma(shape, mean) days (one severity per scenario and regime, mean =
  the signal's ``delay_days`` when given) and the capacity factor is Beta with mean ``capacity_factor`` and
  concentration 10 (one per scenario and regime).

Stale or missing expected feeds add *background* regimes at the base rate π₀ on the scopes they should cover
(every port for port congestion, all lanes for global kinds): without news, hedgerow assumes the long-run
chance of being disrupted rather than calm. Calibrated constants and assumptions are listed in
docs/supply.md; :mod:`hedgerow.supply.calibration` reproduces the calibrated ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np

from hedgerow.domain.enums import ScopeType, SignalKind
from hedgerow.scenarios.rng import Stream, stream_rng
from hedgerow.supply.network import LaneNetwork
from hedgerow.supply.signals import FeedState, Signal, SignalBook, lanes_in_scope

# --- calibrated on ../shared/data (see calibration.py and docs/supply.md) -------------------------------
#: GSCPI > 1 sd: share of months 1998-01 … 2025-02 (326 months).
GSCPI_BASE_RATE = 0.107
#: GSCPI > 1 sd: mean spell 1 / (1 − 0.886) = 8.75 months ≈ 38 weeks.
GSCPI_MEAN_DURATION_DAYS = 8.75 * 30.4
#: BTS US ports, congested = waiting vessels ≥ 3× calm baseline; P(congested in 4 weeks | log ratio now).
PORT_LOGIT_INTERCEPT = -4.09
PORT_LOGIT_SLOPE = 3.56
#: BTS: weekly persistence of congested spells 0.902 → mean spell 10.2 weeks.
PORT_MEAN_DURATION_DAYS = 10.2 * 7
#: BTS: median calm baseline of waiting vessels over the 7 series (used when a port has no own history).
PORT_DEFAULT_BASELINE_VESSELS = 5.0
#: Assumption: a large port clears about 5 waiting containerships a day (LA/LB's 100-vessel queue of
#: January 2022 ≈ 3 weeks of waiting, as reported at the time): extra delay ≈ (vessels − baseline) / 5 days.
PORT_VESSELS_CLEARED_PER_DAY = 5.0


@dataclass(frozen=True)
class KindAssumptions:
    """Regime parameters of one signal kind.

    Attributes
    ----------
    base_rate:
        π₀, long-run probability of being disrupted; what an aged signal or a missing feed reverts to.
    mean_duration_days:
        Mean length of a disrupted spell in days.
    half_life_days:
        Age at which a signal's information counts half.
    delay_mean_days, delay_shape:
        Gamma distribution of the extra delay while disrupted (mean in days, shape).
    capacity_factor:
        Mean share of lane capacity left while disrupted.
    """

    base_rate: float
    mean_duration_days: float
    half_life_days: float
    delay_mean_days: float
    delay_shape: float
    capacity_factor: float


#: Per-kind defaults. Calibrated: port_congestion and other (global pressure) base rates and durations
#: (GSCPI, BTS). Assumed (no public series here): strike, weather, insurance_premium parameters, every
#: half-life, delays and capacity factors. Numbers and reasons are in docs/supply.md.
KIND_ASSUMPTIONS: dict[SignalKind, KindAssumptions] = {
    SignalKind.PORT_CONGESTION: KindAssumptions(GSCPI_BASE_RATE, PORT_MEAN_DURATION_DAYS, 14.0, 10.0, 2.0, 0.8),
    SignalKind.STRIKE: KindAssumptions(0.01, 14.0, 7.0, 10.0, 2.0, 0.3),
    SignalKind.WEATHER: KindAssumptions(0.02, 7.0, 3.0, 4.0, 2.0, 0.6),
    SignalKind.INSURANCE_PREMIUM: KindAssumptions(0.02, 56.0, 30.0, 12.0, 2.0, 0.9),
    SignalKind.OTHER: KindAssumptions(GSCPI_BASE_RATE, GSCPI_MEAN_DURATION_DAYS, 30.0, 7.0, 2.0, 0.9),
}

#: Kinds that never disrupt lanes (demand-side or FX); accepted but not turned into regimes.
NON_LANE_KINDS = frozenset({SignalKind.SENTIMENT, SignalKind.FX})


def _logistic(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def value_probability(signal: Signal, baseline: float | None = None) -> float:
    """Disruption probability a signal's ``value`` implies when it gives no ``probability``.

    * port_congestion: ``value`` = vessels waiting; ``p = logit⁻¹(−4.09 + 3.56·log((v + 1)/(b + 1)))`` with
      ``b`` the port's calm baseline (median of its own signal history, else 5 vessels) — calibrated on BTS.
    * strike: ``value`` = share of the scope's labour out (1 = a called strike); ``p = 0.8·min(value, 1)``
      (assumption: four in five called strikes go ahead).
    * weather: ``value`` = storm category 0–5; ``p = 1 − exp(−0.35·value)`` (assumption; category 5 → 0.83).
    * insurance_premium: ``value`` = premium rise in percent; ``p = logit⁻¹((value − 50)/15)`` (assumption: a
      +50 % war-risk premium means even odds of avoiding or delaying the route).
    * other: ``value`` = a supply-pressure index in standard deviations (GSCPI scale);
      ``p = logit⁻¹(2.5·(value − 1))`` — 0.5 at the 1-sd regime threshold (assumption on the slope).
    * sentiment, fx: 0 (no lane disruption).
    """
    v = signal.value
    kind = signal.kind
    if kind is SignalKind.PORT_CONGESTION:
        b = PORT_DEFAULT_BASELINE_VESSELS if baseline is None else baseline
        return _logistic(PORT_LOGIT_INTERCEPT + PORT_LOGIT_SLOPE * math.log((v + 1.0) / (b + 1.0)))
    if kind is SignalKind.STRIKE:
        return 0.8 * min(v, 1.0)
    if kind is SignalKind.WEATHER:
        return 1.0 - math.exp(-0.35 * v)
    if kind is SignalKind.INSURANCE_PREMIUM:
        return _logistic((v - 50.0) / 15.0)
    if kind is SignalKind.OTHER:
        return _logistic(2.5 * (v - 1.0))
    return 0.0


def value_delay_days(signal: Signal, assumptions: KindAssumptions, baseline: float | None = None) -> float:
    """Mean extra delay (days) while disrupted: the signal's ``delay_days``, else a kind rule, else the default."""
    if signal.delay_days is not None:
        return signal.delay_days
    if signal.kind is SignalKind.PORT_CONGESTION:
        b = PORT_DEFAULT_BASELINE_VESSELS if baseline is None else baseline
        return max(assumptions.delay_mean_days, (signal.value - b) / PORT_VESSELS_CLEARED_PER_DAY)
    return assumptions.delay_mean_days


@dataclass(frozen=True)
class Regime:
    """One disruption regime over a set of lanes.

    Attributes
    ----------
    key:
        Stable identity (random streams are keyed on it): ``kind|scope`` or ``background|kind|scope``.
    kind:
        Signal kind.
    lane_ids:
        Lanes the regime reaches.
    p_now:
        Probability of being disrupted in period 0 (after ageing).
    p_stay, p_enter:
        Per-period transition probabilities.
    delay_mean_days, delay_shape:
        Gamma extra delay while disrupted.
    capacity_factor:
        Mean share of capacity left while disrupted.
    last_period:
        Last period the regime can be disrupted (``valid_until``), or None.
    signal_ids:
        Signals behind it (empty for background regimes).
    background:
        True when it stands for a stale or missing feed.
    """

    key: str
    kind: SignalKind
    lane_ids: tuple[str, ...]
    p_now: float
    p_stay: float
    p_enter: float
    delay_mean_days: float
    delay_shape: float
    capacity_factor: float
    last_period: int | None = None
    signal_ids: tuple[str, ...] = ()
    background: bool = False

    def marginal_probabilities(self, horizon: int) -> np.ndarray:
        """P(disrupted) in each period: the chain's forward equation from ``p_now``."""
        out = np.empty(horizon)
        p = self.p_now
        for t in range(horizon):
            out[t] = p if self.last_period is None or t <= self.last_period else 0.0
            p = p * self.p_stay + (1.0 - p) * self.p_enter
        return out


def _transitions(a: KindAssumptions, period_days: int) -> tuple[float, float]:
    stay = max(0.0, 1.0 - period_days / max(a.mean_duration_days, period_days))
    pi0 = min(a.base_rate, 0.999)
    enter = pi0 * (1.0 - stay) / (1.0 - pi0)
    return stay, min(enter, 1.0)


@dataclass(frozen=True)
class DisruptionModel:
    """Every regime of a plan and what was assumed for missing information."""

    regimes: tuple[Regime, ...]
    notes: tuple[str, ...] = ()
    assumptions: dict[SignalKind, KindAssumptions] = field(default_factory=lambda: dict(KIND_ASSUMPTIONS))

    def regimes_of_lane(self, lane_id: str) -> tuple[Regime, ...]:
        """The regimes that reach a lane."""
        return tuple(r for r in self.regimes if lane_id in r.lane_ids)


def _port_baselines(history: list[Signal]) -> dict[str, float]:
    """Median value of each port's own port_congestion history, for ports with at least 8 observations."""
    by_port: dict[str, list[float]] = {}
    for s in history:
        if s.kind is SignalKind.PORT_CONGESTION and s.scope_type is ScopeType.PORT and s.scope_id:
            by_port.setdefault(s.scope_id, []).append(s.value)
    return {p: float(np.median(v)) for p, v in by_port.items() if len(v) >= 8}


def build_disruptions(
    book: SignalBook,
    network: LaneNetwork,
    *,
    period_days: int,
    history: list[Signal] | None = None,
    assumptions: dict[SignalKind, KindAssumptions] | None = None,
) -> DisruptionModel:
    """Turn a :class:`SignalBook` into regimes over lanes, adding background regimes for stale/missing feeds.

    Parameters
    ----------
    book:
        Sorted signals (accepted ones drive regimes).
    network:
        Lanes and their ports.
    period_days:
        Length of a planning period in days.
    history:
        Past signals for per-port calm baselines; defaults to the book's history (superseded included).
    assumptions:
        Per-kind parameters (defaults :data:`KIND_ASSUMPTIONS`).
    """
    kinds = dict(KIND_ASSUMPTIONS if assumptions is None else assumptions)
    baselines = _port_baselines(history if history is not None else list(book.history))
    regimes: list[Regime] = []
    notes: list[str] = []
    as_of = book.as_of
    covered_ports: dict[SignalKind, set[str]] = {}
    for s in book.accepted:
        if s.kind in NON_LANE_KINDS:
            continue
        a = kinds[s.kind]
        base = baselines.get(s.scope_id or "") if s.scope_type is ScopeType.PORT else None
        p = s.probability if s.probability is not None else value_probability(s, base)
        decay = 0.5 ** (max(s.age_days(as_of), 0.0) / a.half_life_days)
        p_now = a.base_rate + (p - a.base_rate) * decay
        stay, enter = _transitions(a, period_days)
        last = None
        if s.valid_until is not None:
            last = int((s.valid_until - as_of) / timedelta(days=period_days))
        lanes = lanes_in_scope(s.scope_type, s.scope_id, network)
        regimes.append(
            Regime(
                key=f"{s.kind.value}|{s.scope_key}",
                kind=s.kind,
                lane_ids=lanes,
                p_now=float(min(max(p_now, 0.0), 1.0)),
                p_stay=stay,
                p_enter=enter,
                delay_mean_days=value_delay_days(s, a, base),
                delay_shape=a.delay_shape,
                capacity_factor=a.capacity_factor,
                last_period=last,
                signal_ids=(s.signal_id,),
            )
        )
        for lane in lanes:
            # ports with a signal of their own (fresh or aged) need no background regime: ageing already
            # reverts the signal toward the base rate
            covered_ports.setdefault(s.kind, set()).update(
                [s.scope_id] if s.scope_type is ScopeType.PORT and s.scope_id else network.lanes[lane].ports
            )
    for feed in book.feeds:
        if feed.state is FeedState.FRESH and feed.kind is not SignalKind.PORT_CONGESTION:
            continue
        if feed.kind in NON_LANE_KINDS or feed.kind not in kinds:
            continue
        a = kinds[feed.kind]
        stay, enter = _transitions(a, period_days)
        if feed.kind is SignalKind.PORT_CONGESTION:
            uncovered = [p for p in network.ports if p not in covered_ports.get(feed.kind, set())]
            for port in uncovered:
                regimes.append(
                    Regime(
                        f"background|{feed.kind.value}|port:{port}",
                        feed.kind,
                        lanes_in_scope(ScopeType.PORT, port, network),
                        a.base_rate,
                        stay,
                        enter,
                        a.delay_mean_days,
                        a.delay_shape,
                        a.capacity_factor,
                        background=True,
                    )
                )
            if uncovered:
                notes.append(
                    f"port_congestion: no fresh signal for {len(uncovered)} port(s) ({', '.join(uncovered[:5])}"
                    f"{', …' if len(uncovered) > 5 else ''}); assumed the base rate {a.base_rate:.1%} of congestion"
                )
        elif feed.state in (FeedState.STALE, FeedState.MISSING):
            notes.append(f"{feed.kind.value} feed {feed.state.value}: its signals count at their aged probability")
    return DisruptionModel(tuple(sorted(regimes, key=lambda r: r.key)), tuple(notes), kinds)


@dataclass(frozen=True)
class RegimeDraws:
    """Sampled paths of one regime: states [scenario, period], delay [scenario] days, capacity [scenario]."""

    disrupted: np.ndarray
    delay_days: np.ndarray
    capacity_factor: np.ndarray


def sample_regime(regime: Regime, *, seed: int, n_scenarios: int, horizon: int) -> RegimeDraws:
    """Draw a regime's state paths and severities from its own streams (independent of chunking)."""
    rng = stream_rng(seed, Stream.DISRUPTION, regime.key)
    u = rng.random((n_scenarios, horizon))
    states = np.zeros((n_scenarios, horizon), dtype=bool)
    states[:, 0] = u[:, 0] < regime.p_now
    for t in range(1, horizon):
        prev = states[:, t - 1]
        states[:, t] = np.where(prev, u[:, t] < regime.p_stay, u[:, t] < regime.p_enter)
    if regime.last_period is not None:
        states[:, max(regime.last_period + 1, 0) :] = False
    sev = stream_rng(seed, Stream.DISRUPTION, regime.key + "|delay")
    mean, shape = regime.delay_mean_days, regime.delay_shape
    delay = sev.gamma(shape, mean / shape, n_scenarios) if mean > 0 else np.zeros(n_scenarios)
    cap_rng = stream_rng(seed, Stream.CAPACITY, regime.key)
    c = min(max(regime.capacity_factor, 1e-3), 1 - 1e-3)
    capacity = cap_rng.beta(10 * c, 10 * (1 - c), n_scenarios)
    return RegimeDraws(states, delay, capacity)


@dataclass(frozen=True)
class LaneDisruptions:
    """What a plan's disruption regimes do to each lane, per scenario and period.

    Attributes
    ----------
    extra_delay_days:
        [lane, scenario, period] days added to the transit of goods shipped in the period: the sum of the delays
        of the regimes disrupted over the lane.
    capacity_factor:
        [lane, scenario, period] share of capacity left: the product of the disrupted regimes' factors (1 when
        none is disrupted).
    disrupted:
        [lane, scenario, period] True when any regime over the lane is disrupted.
    """

    extra_delay_days: np.ndarray
    capacity_factor: np.ndarray
    disrupted: np.ndarray


def draw_lane_disruptions(
    model: DisruptionModel, lane_ids: tuple[str, ...], *, seed: int, n_scenarios: int, horizon: int
) -> LaneDisruptions:
    """Draw every regime of ``model`` (:func:`sample_regime`) and add its effects to the lanes it reaches.

    ``lane_ids`` fixes the lane axis; every lane a regime reaches must be in it.
    """
    shape = (len(lane_ids), n_scenarios, horizon)
    extra = np.zeros(shape)
    capacity = np.ones(shape)
    disrupted = np.zeros(shape, dtype=bool)
    row = {lane: i for i, lane in enumerate(lane_ids)}
    for regime in model.regimes:
        draws = sample_regime(regime, seed=seed, n_scenarios=n_scenarios, horizon=horizon)
        delay = draws.disrupted * draws.delay_days[:, None]
        cap = np.where(draws.disrupted, draws.capacity_factor[:, None], 1.0)
        for lane in regime.lane_ids:
            i = row[lane]
            extra[i] += delay
            capacity[i] *= cap
            disrupted[i] |= draws.disrupted
    return LaneDisruptions(extra, capacity, disrupted)
