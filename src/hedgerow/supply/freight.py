"""Freight as an uncertain cost: a spot-rate multiplier per lane, scenario and period (dimensionless).

A lane's ``cost_per_unit`` is today's rate. What a booking pays when it leaves in period ``t`` of scenario ``s``
is ``cost_per_unit × M[l, s, t]`` with (docs/supply.md, section 6)::

    M[l, s, t] = exp(x[l, s, t] − v_l[t] / 2) · max(u_mode(l) if D[l, s, t], d_mode(l) if D'[l, s, t], 1) · I[l, t]

* ``x`` is a mean-reverting Gaussian AR(1) in log rate, started at today's rate (``x[-1] = 0``):
  ``x[t] = φ x[t-1] + σ_p ε[t]`` with ``φ = 2^(−period_days / half-life)`` and
  ``σ_p = σ_week · √(period_days / 7)``; ``v_l[t] = σ_p² Σ_{k≤t} φ^{2k}`` is its variance, so the random part has
  mean 1. Spot rates of one mode move together: ``ε = √ρ · e_mode + √(1−ρ) · e_lane`` with a shock common to
  every lane of the mode and one of the lane's own (ρ = :data:`MODE_SHOCK_SHARE`).
* ``D[l, s, t]`` (``D'``: another lane of the same route) is the lane's disrupted state in the scenario (any disruption regime over it: a port closure, a
  strike, congestion): while it holds, spot rates of the lane's mode rise by ``u_mode``
  (:data:`FREIGHT_ASSUMPTIONS`), so freight is dearest exactly in the scenarios where goods are also late; a lane
  whose route (origin → destination) has another lane disrupted takes the diverted cargo and rises by its mode's
  diversion factor ``d`` (air: a closed sea route sends cargo to the air; the larger factor applies, never both).
* ``I[l, t]`` is the level an insurance-premium signal over the lane adds while it is valid:
  ``1 + pass-through × premium rise / 100``, aged like the signal's disruption probability (the largest one
  over the lane applies).

Volatility ``σ_week`` is a documented assumption per mode unless a ``freight_rates`` history replaces it: the
standard deviation of a lane's own weekly log returns (at least :data:`MIN_RETURNS` of them), else of its mode's
rows (rows with a mode and no lane), else the assumption. With no disruption and zero volatility ``M`` is
exactly 1. Every draw comes from :func:`~hedgerow.scenarios.rng.stream_rng` keyed on the mode or the lane, so
paths do not depend on chunking or workers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

import numpy as np
import pandas as pd

from hedgerow.domain.enums import Mode, SignalKind
from hedgerow.scenarios.rng import Stream, stream_rng
from hedgerow.supply.disruptions import KIND_ASSUMPTIONS
from hedgerow.supply.network import LaneNetwork
from hedgerow.supply.signals import SignalBook, lanes_in_scope


@dataclass(frozen=True)
class ModeFreight:
    """Freight-rate assumptions of one transport mode.

    Attributes
    ----------
    weekly_volatility:
        σ_week, standard deviation of the weekly change of the log spot rate.
    disrupted_factor:
        u, multiplier of the spot rate while a lane of the mode is disrupted (≥ 1).
    diversion_factor:
        d, multiplier of the spot rate while another lane on the same route (origin → destination) is
        disrupted and shippers divert to this one (≥ 1).
    """

    weekly_volatility: float
    disrupted_factor: float
    diversion_factor: float = 1.0


#: Per-mode assumptions (no public freight price series is at hand; reasons in docs/supply.md, section 6).
#: Ocean: container spot indices (Drewry WCI, Freightos FBX) move a few percent a week in calm markets and rose
#: 1.5–3× when the Suez canal closed (2021) and when Red Sea routes were avoided (2024). Air: TAC-type indices
#: move less week to week; capacity shortfalls add about 40 %, and cargo diverted from a closed sea route adds
#: about 30 % to air rates on that route. Rail and road spot rates are steadier.
FREIGHT_ASSUMPTIONS: dict[Mode, ModeFreight] = {
    Mode.OCEAN: ModeFreight(weekly_volatility=0.06, disrupted_factor=1.5),
    Mode.AIR: ModeFreight(weekly_volatility=0.05, disrupted_factor=1.4, diversion_factor=1.3),
    Mode.RAIL: ModeFreight(weekly_volatility=0.03, disrupted_factor=1.1),
    Mode.TRUCK: ModeFreight(weekly_volatility=0.03, disrupted_factor=1.1),
}
#: Assumption: a freight-rate shock halves in 13 weeks (spot markets mean-revert over a season).
FREIGHT_HALF_LIFE_DAYS = 91.0
#: Assumption: share of a lane's weekly rate variance common to every lane of its mode (one market index).
MODE_SHOCK_SHARE = 0.8
#: Assumption: an insurance premium rise of p % raises freight on the lanes it covers by 0.2 · p % (war-risk
#: surcharges are passed on to shippers in part).
INSURANCE_PASS_THROUGH = 0.2
#: Fewest log returns a lane's or a mode's freight_rates history needs to replace the assumed volatility.
MIN_RETURNS = 8


class VolatilitySource(StrEnum):
    """Where a lane's freight volatility came from (plain words for notes and explanations)."""

    ASSUMED = "assumed"
    LANE_HISTORY = "fitted on the lane's freight_rates"
    MODE_HISTORY = "fitted on the mode's freight_rates"


@dataclass(frozen=True)
class PremiumLevel:
    """Freight level an insurance-premium signal adds on its lanes.

    Attributes
    ----------
    lane_ids:
        Lanes the signal's scope reaches.
    factor:
        Multiplier of their rates (≥ 1) while valid.
    last_period:
        Last period it applies (``valid_until``), None = the whole horizon.
    """

    lane_ids: tuple[str, ...]
    factor: float
    last_period: int | None = None


@dataclass(frozen=True)
class FreightModel:
    """Per-lane freight-rate parameters of a workspace.

    Attributes
    ----------
    lane_modes:
        Lane → mode.
    weekly_volatility:
        Lane → σ_week (log rate per week).
    sources:
        Lane → where σ_week came from (:class:`VolatilitySource`).
    disrupted_factor:
        Mode → multiplier while disrupted.
    lane_routes:
        Lane → (origin_id, destination_id), to find the lanes a disrupted lane's cargo diverts to.
    diversion_factor:
        Mode → multiplier while another lane on the same route is disrupted.
    premiums:
        Insurance-premium levels.
    half_life_days:
        Half-life of a rate shock.
    mode_shock_share:
        ρ, share of the variance common to a mode.
    """

    lane_modes: dict[str, Mode]
    weekly_volatility: dict[str, float]
    sources: dict[str, VolatilitySource]
    disrupted_factor: dict[Mode, float] = field(
        default_factory=lambda: {m: a.disrupted_factor for m, a in FREIGHT_ASSUMPTIONS.items()}
    )
    lane_routes: dict[str, tuple[str, str]] = field(default_factory=dict)
    diversion_factor: dict[Mode, float] = field(
        default_factory=lambda: {m: a.diversion_factor for m, a in FREIGHT_ASSUMPTIONS.items()}
    )
    premiums: tuple[PremiumLevel, ...] = ()
    half_life_days: float = FREIGHT_HALF_LIFE_DAYS
    mode_shock_share: float = MODE_SHOCK_SHARE

    def __post_init__(self) -> None:
        bad = {lane: v for lane, v in self.weekly_volatility.items() if not (v >= 0 and math.isfinite(v))}
        if bad:
            raise ValueError(f"weekly_volatility must be finite and >= 0, got {bad}")
        low = {m.value: u for m, u in (*self.disrupted_factor.items(), *self.diversion_factor.items()) if u < 1.0}
        if low:
            raise ValueError(f"disrupted_factor must be >= 1 (rates do not fall in a disruption), got {low}")
        if not 0.0 <= self.mode_shock_share <= 1.0:
            raise ValueError(f"mode_shock_share must be in [0, 1], got {self.mode_shock_share}")
        if self.half_life_days <= 0:
            raise ValueError(f"half_life_days must be > 0, got {self.half_life_days}")

    def calm(self) -> FreightModel:
        """The same lanes with zero volatility, no disruption uplift and no premium: every multiplier is 1."""
        return replace(
            self,
            weekly_volatility=dict.fromkeys(self.weekly_volatility, 0.0),
            disrupted_factor=dict.fromkeys(self.disrupted_factor, 1.0),
            diversion_factor=dict.fromkeys(self.diversion_factor, 1.0),
            premiums=(),
        )


def _weekly_volatility(series: pd.DataFrame) -> float | None:
    """σ_week of one rate series (``date``, ``rate_per_unit`` in one currency), or None with too few returns."""
    s = series.sort_values("date").drop_duplicates("date", keep="last")
    rates = s["rate_per_unit"].to_numpy(dtype=np.float64)
    if len(rates) < MIN_RETURNS + 1:
        return None
    returns = np.diff(np.log(rates))
    gaps = np.diff(s["date"].to_numpy()).astype("timedelta64[s]").astype(np.float64) / 86400.0
    step_days = float(np.median(gaps))
    if step_days <= 0:
        return None
    return float(np.std(returns, ddof=1) / math.sqrt(step_days / 7.0))


def _history_volatility(rates: pd.DataFrame, column: str, key: str) -> float | None:
    rows = rates[rates[column].astype("string") == key]
    if column == "mode" and "lane_id" in rates.columns:
        rows = rows[rows["lane_id"].isna()]
    if not len(rows):
        return None
    # returns within one currency only: the currency with most quotes
    currency = rows["currency"].value_counts().sort_index().idxmax()
    return _weekly_volatility(rows[rows["currency"] == currency])


def fit_freight(
    network: LaneNetwork,
    rates: pd.DataFrame | None,
    signals: SignalBook | None,
    *,
    as_of: datetime,
    period_days: int,
    assumptions: Mapping[Mode, ModeFreight] | None = None,
) -> FreightModel:
    """Freight parameters of every lane: volatility from ``freight_rates`` where it has history, else assumed.

    Parameters
    ----------
    network:
        The lanes and their modes.
    rates:
        The ``freight_rates`` table (lane_id and/or mode, date, rate_per_unit, currency) or None.
    signals:
        Accepted signals; insurance_premium ones raise the level of the lanes they cover.
    as_of:
        Naive-UTC moment of the plan (signal ageing and validity).
    period_days:
        Length of a planning period in days.
    assumptions:
        Per-mode defaults (:data:`FREIGHT_ASSUMPTIONS`).
    """
    modes = dict(FREIGHT_ASSUMPTIONS if assumptions is None else assumptions)
    usable = None
    if rates is not None and len(rates):
        usable = rates.copy()
        for column in ("lane_id", "mode"):
            if column not in usable.columns:
                usable[column] = pd.NA
        usable = usable[usable["rate_per_unit"] > 0]
    mode_vol: dict[Mode, float] = {}
    if usable is not None:
        for mode in modes:
            v = _history_volatility(usable, "mode", mode.value)
            if v is not None:
                mode_vol[mode] = v
    lane_modes: dict[str, Mode] = {}
    vol: dict[str, float] = {}
    sources: dict[str, VolatilitySource] = {}
    for lane_id in network.lane_ids:
        mode = network.lanes[lane_id].mode
        lane_modes[lane_id] = mode
        own = _history_volatility(usable, "lane_id", lane_id) if usable is not None else None
        if own is not None:
            vol[lane_id], sources[lane_id] = own, VolatilitySource.LANE_HISTORY
        elif mode in mode_vol:
            vol[lane_id], sources[lane_id] = mode_vol[mode], VolatilitySource.MODE_HISTORY
        else:
            vol[lane_id], sources[lane_id] = modes[mode].weekly_volatility, VolatilitySource.ASSUMED
    return FreightModel(
        lane_modes=lane_modes,
        weekly_volatility=vol,
        sources=sources,
        disrupted_factor={m: a.disrupted_factor for m, a in modes.items()},
        lane_routes={lane: (network.lanes[lane].origin_id, network.lanes[lane].destination_id) for lane in lane_modes},
        diversion_factor={m: a.diversion_factor for m, a in modes.items()},
        premiums=_premium_levels(signals, network, as_of=as_of, period_days=period_days),
    )


def _premium_levels(
    book: SignalBook | None, network: LaneNetwork, *, as_of: datetime, period_days: int
) -> tuple[PremiumLevel, ...]:
    """Freight levels of the accepted insurance_premium signals (``value``: premium rise in percent)."""
    if book is None:
        return ()
    half_life = KIND_ASSUMPTIONS[SignalKind.INSURANCE_PREMIUM].half_life_days
    out: list[PremiumLevel] = []
    for s in book.accepted:
        if s.kind is not SignalKind.INSURANCE_PREMIUM or s.value <= 0:
            continue
        decay = 0.5 ** (max(s.age_days(as_of), 0.0) / half_life)
        factor = 1.0 + INSURANCE_PASS_THROUGH * s.value / 100.0 * decay
        last = None if s.valid_until is None else int((s.valid_until - as_of) / timedelta(days=period_days))
        lanes = lanes_in_scope(s.scope_type, s.scope_id, network)
        if lanes and (last is None or last >= 0):
            out.append(PremiumLevel(lanes, factor, last))
    return tuple(out)


def sample_freight(
    model: FreightModel,
    lane_ids: tuple[str, ...],
    disrupted: np.ndarray,
    *,
    seed: int,
    period_days: int,
) -> np.ndarray:
    """[lane, scenario, period] freight multipliers ``M`` (module docstring) of ``lane_ids``.

    Parameters
    ----------
    model:
        Fitted freight parameters; lanes it does not know keep a multiplier of 1.
    lane_ids:
        Lanes, aligned with axis 0 of ``disrupted`` and of the result.
    disrupted:
        [lane, scenario, period] True where the lane is disrupted in the scenario (the scenario set's states).
    seed:
        The scenario set's seed.
    period_days:
        Length of a period in days.
    """
    n_l, n_s, h = disrupted.shape
    if n_l != len(lane_ids):
        raise ValueError(f"disrupted has {n_l} lanes, lane_ids {len(lane_ids)}")
    out = np.ones((n_l, n_s, h))
    phi = 0.5 ** (period_days / model.half_life_days)
    rho = model.mode_shock_share
    common: dict[Mode, np.ndarray] = {}
    by_route: dict[tuple[str, str], list[int]] = {}
    for i, lane in enumerate(lane_ids):
        if lane in model.lane_routes:
            by_route.setdefault(model.lane_routes[lane], []).append(i)
    # variance of the AR(1) started at 0 after t + 1 steps, per unit σ_p²
    var_unit = np.cumsum(phi ** (2 * np.arange(h)))
    for i, lane in enumerate(lane_ids):
        mode = model.lane_modes.get(lane)
        if mode is None:
            continue
        sigma = model.weekly_volatility[lane] * math.sqrt(period_days / 7.0)
        if sigma > 0:
            if mode not in common:
                common[mode] = stream_rng(seed, Stream.FREIGHT, f"mode:{mode.value}").standard_normal((n_s, h))
            own = stream_rng(seed, Stream.FREIGHT, lane).standard_normal((n_s, h))
            eps = math.sqrt(rho) * common[mode] + math.sqrt(1.0 - rho) * own
            x = np.empty((n_s, h))
            x[:, 0] = sigma * eps[:, 0]
            for t in range(1, h):
                x[:, t] = phi * x[:, t - 1] + sigma * eps[:, t]
            out[i] = np.exp(x - 0.5 * sigma * sigma * var_unit[None, :])
        uplift = np.where(disrupted[i], model.disrupted_factor.get(mode, 1.0), 1.0)
        divert = model.diversion_factor.get(mode, 1.0)
        route = model.lane_routes.get(lane)
        others = [j for j in by_route.get(route, []) if j != i] if route is not None else []
        if divert != 1.0 and others:
            uplift = np.maximum(uplift, np.where(disrupted[others].any(axis=0), divert, 1.0))
        out[i] *= uplift
    row = {lane: i for i, lane in enumerate(lane_ids)}
    level = np.ones((n_l, h))
    for p in model.premiums:
        stop = h if p.last_period is None else min(h, p.last_period + 1)
        for lane in p.lane_ids:
            if lane in row:
                level[row[lane], :stop] = np.maximum(level[row[lane], :stop], p.factor)
    return np.asarray(out * level[:, None, :])
