"""The demand engine: history in, a fitted distribution of future demand per item-location out.

``fit_demand`` runs the whole pipeline on a :class:`~hedgerow.demand.series.SeriesPanel`:

1. censored sales are unconstrained (:mod:`hedgerow.demand.censoring`);
2. the spike-or-shift sensor reads the recent periods (:mod:`hedgerow.demand.shift`); unusual recent points
   are set aside so the models describe the "spike" future;
3. every candidate family is scored on rolling origins and each series gets its best one, with calibrated
   dispersion (:mod:`hedgerow.demand.selection`);
4. the chosen families forecast from the full history; where the sensor saw something unusual the
   distribution becomes a two-component mixture: (1 - p) × spike future + p × shifted future;
5. the result, :class:`FittedDemand`, is picklable and implements the scenario set's ``DemandPathSource``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from hedgerow.demand.bundles import BundleLinks
from hedgerow.demand.censoring import unconstrain
from hedgerow.demand.distributions import Marginals, Predictive
from hedgerow.demand.drivers import DriverEffects, DriverEffectsConfig, fit_driver_effects
from hedgerow.demand.models.base import FamilyForecast, FamilyName, ModelInput
from hedgerow.demand.models.global_gbm import GbmConfig, global_gbm_family
from hedgerow.demand.models.intermittent import croston_sba_family, imapa_family, tsb_family
from hedgerow.demand.models.smoothing import seasonal_naive_family, seasonal_ses_family, ses_family
from hedgerow.demand.models.statsforecast_models import statsforecast_family
from hedgerow.demand.paths import sample_paths
from hedgerow.demand.selection import Selection, SelectionConfig, cross_validate, scale_dispersion
from hedgerow.demand.series import IssueKind, SeriesIssue, SeriesPanel
from hedgerow.demand.shift import ShiftConfig, assess_shifts, explained_periods, sentiment_odds_factor
from hedgerow.domain.enums import DemandProfile, ScopeType, SignalKind
from hedgerow.errors import DemandDataError
from hedgerow.scenarios.rng import item_location_key
from hedgerow.scenarios.scenario_set import DemandBlock

#: Families tried by default, cheapest first.
DEFAULT_FAMILIES: tuple[FamilyName, ...] = (
    FamilyName.SEASONAL_NAIVE,
    FamilyName.SES,
    FamilyName.SEASONAL_SES,
    FamilyName.CROSTON_SBA,
    FamilyName.TSB,
    FamilyName.IMAPA,
    FamilyName.AUTO_ETS,
    FamilyName.THETA,
    FamilyName.GLOBAL_GBM,
)

#: Families of the fast profile: the vectorised numpy families and the global model (no per-series statsforecast).
FAST_FAMILIES: tuple[FamilyName, ...] = (
    FamilyName.SEASONAL_NAIVE,
    FamilyName.SES,
    FamilyName.SEASONAL_SES,
    FamilyName.CROSTON_SBA,
    FamilyName.TSB,
    FamilyName.IMAPA,
    FamilyName.GLOBAL_GBM,
)

#: Families fitted per series by statsforecast: in the final fit they run only on the series that chose them.
_PER_SERIES_FAMILIES = frozenset({FamilyName.AUTO_ETS, FamilyName.THETA})

#: Share of periods with demand below which a series counts as intermittent (ADI > 1.32, Syntetos et al. 2005).
_INTERMITTENT_SHARE = 1.0 / 1.32


@dataclass(frozen=True)
class EngineConfig:
    """Settings of the demand engine.

    Attributes
    ----------
    horizon:
        Periods forecast (the longest horizon paths can be drawn for).
    families:
        Candidate model families.
    selection:
        Rolling-origin selection settings.
    shift:
        Spike-or-shift settings; None switches the sensor off.
    censoring:
        Unconstrain censored sales (stockout_fraction > 0).
    gbm:
        Global model settings.
    statsforecast_jobs:
        Processes statsforecast families may use.
    ets_seasonal:
        Let AutoETS fit seasonal models on series with two full seasons (44 ms per weekly series).
    drivers:
        Driver-effects regression (:mod:`hedgerow.demand.drivers`): history is divided by what the drivers did
        before the families fit it, and forecasts are multiplied by what the planned drivers will do. None (the
        default) leaves drivers to the families that read them (the global model).
    seed:
        Seed of the model fitting randomness (row sampling); paths take their own seed.
    """

    horizon: int = 26
    families: tuple[FamilyName, ...] = DEFAULT_FAMILIES
    selection: SelectionConfig = field(default_factory=SelectionConfig)
    shift: ShiftConfig | None = field(default_factory=ShiftConfig)
    censoring: bool = True
    gbm: GbmConfig = field(default_factory=GbmConfig)
    statsforecast_jobs: int = 1
    ets_seasonal: bool = False
    drivers: DriverEffectsConfig | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        if self.horizon < 1:
            raise DemandDataError(f"horizon must be at least one period, got {self.horizon}")
        if not self.families:
            raise DemandDataError("families must name at least one model family")
        unknown = [f for f in self.families if f not in _RUNNERS]
        if unknown:
            raise DemandDataError(
                f"families {unknown} cannot be fitted; allowed: {', '.join(f.value for f in _RUNNERS)}"
            )


def _zero_forecast(inp: ModelInput) -> FamilyForecast:
    n, h = inp.n_series, inp.horizon
    marg = Marginals(np.zeros((n, h)), np.zeros(n), np.zeros((n, h)), np.zeros((n, h)))
    return FamilyForecast(FamilyName.ZERO, marg, np.zeros(n), np.ones(n, dtype=bool))


def run_family(family: FamilyName, inp: ModelInput, config: EngineConfig) -> FamilyForecast:
    """Fit one family with the engine's settings."""
    if family is FamilyName.GLOBAL_GBM:
        return global_gbm_family(inp, config.gbm)
    if family is FamilyName.AUTO_ETS:
        return statsforecast_family(inp, family, n_jobs=config.statsforecast_jobs, seasonal=config.ets_seasonal)
    if family is FamilyName.THETA:
        return statsforecast_family(inp, family, n_jobs=config.statsforecast_jobs)
    return _RUNNERS[family](inp)


_RUNNERS = {
    FamilyName.SEASONAL_NAIVE: seasonal_naive_family,
    FamilyName.SES: ses_family,
    FamilyName.SEASONAL_SES: seasonal_ses_family,
    FamilyName.CROSTON_SBA: croston_sba_family,
    FamilyName.TSB: tsb_family,
    FamilyName.IMAPA: imapa_family,
    FamilyName.AUTO_ETS: lambda inp: statsforecast_family(inp, FamilyName.AUTO_ETS),
    FamilyName.THETA: lambda inp: statsforecast_family(inp, FamilyName.THETA),
    FamilyName.GLOBAL_GBM: global_gbm_family,
    FamilyName.ZERO: _zero_forecast,
}


@dataclass(frozen=True)
class FittedDemand:
    """Fitted demand distributions of every item-location; a ``DemandPathSource``.

    Attributes
    ----------
    item_ids, location_ids:
        The series, aligned with axis 0 of the arrays.
    period_starts:
        First day of each forecast period.
    predictive:
        [series, period] predictive distribution (a mixture where a shift is possible).
    persistence:
        [series] temporal persistence of sample paths (copula alpha).
    is_count:
        [series] whole-unit demand.
    shift_probability, shift_ratio:
        [series] P(recent unusual demand is a lasting shift) and the level ratio of the shifted future.
    family:
        Family chosen for each series.
    bundles:
        Bundle links used to add pull-through demand to components.
    issues:
        What was repaired or could not be modelled as asked, per series.
    selection:
        Summary of the cross-validation (scores per family, dispersion factors, origins).
    """

    item_ids: tuple[str, ...]
    location_ids: tuple[str, ...]
    period_starts: tuple[date, ...]
    predictive: Predictive
    persistence: np.ndarray
    is_count: np.ndarray
    shift_probability: np.ndarray
    shift_ratio: np.ndarray
    family: tuple[str, ...]
    bundles: BundleLinks = field(default_factory=BundleLinks.empty)
    issues: tuple[SeriesIssue, ...] = ()
    selection: dict[str, object] = field(default_factory=dict)
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        keys = {
            item_location_key(i, loc): k
            for k, (i, loc) in enumerate(zip(self.item_ids, self.location_ids, strict=True))
        }
        object.__setattr__(self, "_index", keys)

    @property
    def horizon(self) -> int:
        """Periods forecast."""
        return self.predictive.horizon

    @property
    def n_series(self) -> int:
        """Number of item-locations."""
        return len(self.item_ids)

    @property
    def keys(self) -> tuple[str, ...]:
        """``item@location`` of each series."""
        return tuple(self._index)

    def row(self, item_id: str, location_id: str) -> int:
        """Row of an item-location.

        Raises
        ------
        DemandDataError
            When the fit has no such item-location.
        """
        key = item_location_key(item_id, location_id)
        try:
            return self._index[key]
        except KeyError:
            raise DemandDataError(f"the demand fit has no item-location {key!r}") from None

    def quantiles(self, levels: tuple[float, ...] | np.ndarray) -> np.ndarray:
        """[series, period, level] quantiles of each series' own demand (without bundle pull-through)."""
        levels = np.asarray(levels, dtype=np.float64)
        out = np.empty((self.n_series, self.horizon, levels.size))
        for start in range(0, self.n_series, 1000):
            rows = slice(start, min(start + 1000, self.n_series))
            out[rows] = self.predictive.rows(rows).cdf_table(self.is_count[rows]).quantiles(levels)
        return out

    def expected(self) -> np.ndarray:
        """[series, period] mean of each series' own demand, in units."""
        return self.predictive.expected()

    def sample_block(
        self,
        item_ids: tuple[str, ...],
        location_ids: tuple[str, ...],
        *,
        n_scenarios: int,
        horizon: int,
        seed: int,
    ) -> DemandBlock:
        """Draw demand paths for a chunk of item-locations (bundle pull-through included for components).

        The paths of an item-location depend only on (seed, item-location, n_scenarios, horizon), never on
        the chunk or the worker.

        Raises
        ------
        DemandDataError
            For an unknown item-location, a horizon beyond the fit, or fewer than one scenario.
        """
        if len(item_ids) != len(location_ids):
            raise DemandDataError("item_ids and location_ids must have the same length")
        if not 1 <= horizon <= self.horizon:
            raise DemandDataError(f"horizon must be between 1 and the fitted {self.horizon} periods, got {horizon}")
        if n_scenarios < 1:
            raise DemandDataError(f"n_scenarios must be at least 1, got {n_scenarios}")
        rows = [self.row(i, loc) for i, loc in zip(item_ids, location_ids, strict=True)]
        needed = list(dict.fromkeys(rows))
        pulls: list[list[tuple[int, float]]] = []
        for item, loc in zip(item_ids, location_ids, strict=True):
            links = []
            for bundle, qty in self.bundles.bundles_of(item):
                b = self._index.get(item_location_key(bundle, loc))
                if b is not None:
                    links.append((b, qty))
                    if b not in needed:
                        needed.append(b)
            pulls.append(links)
        position = {r: k for k, r in enumerate(needed)}
        idx = np.asarray(needed, dtype=np.int64)
        keys = tuple(self.keys[r] for r in needed)
        drawn = sample_paths(
            self.predictive.rows(idx).head(horizon),
            self.persistence[idx],
            self.is_count[idx],
            keys,
            n_scenarios=n_scenarios,
            seed=seed,
        )
        paths = drawn[[position[r] for r in rows]].copy()
        is_count = self.is_count[rows].copy()
        for k, links in enumerate(pulls):
            for b, qty in links:
                paths[k] += qty * drawn[position[b]]
                is_count[k] &= bool(self.is_count[b]) and float(qty).is_integer()
        return DemandBlock(
            item_ids=tuple(item_ids),
            location_ids=tuple(location_ids),
            paths=paths,
            shift_probability=self.shift_probability[rows].copy(),
            is_count=is_count,
        )

    def iter_blocks(self, *, chunk_size: int, n_scenarios: int, horizon: int, seed: int) -> Iterator[DemandBlock]:
        """Every item-location's paths, ``chunk_size`` series at a time (bounded memory)."""
        if chunk_size < 1:
            raise DemandDataError(f"chunk_size must be at least 1, got {chunk_size}")
        for start in range(0, self.n_series, chunk_size):
            stop = min(start + chunk_size, self.n_series)
            yield self.sample_block(
                self.item_ids[start:stop],
                self.location_ids[start:stop],
                n_scenarios=n_scenarios,
                horizon=horizon,
                seed=seed,
            )


def sentiment_z(
    signals: pd.DataFrame | None, keys: tuple[str, ...], as_of: pd.Timestamp, lookback: pd.Timedelta
) -> np.ndarray:
    """[series] latest sentiment z-score scoped to each item-location, observed within ``lookback`` of ``as_of``.

    Signals of kind ``sentiment`` with scope_type ``item_location`` and scope_id ``item@location`` count when
    observed in ``(as_of - lookback, as_of]`` and not expired (valid_until empty or after ``as_of - lookback``).
    """
    z = np.zeros(len(keys))
    if signals is None or signals.empty:
        return z
    needed = ("kind", "scope_type", "scope_id", "value", "observed_at")
    missing = [c for c in needed if c not in signals.columns]
    if missing:
        raise DemandDataError(f"signals: the following columns are missing: {', '.join(missing)}")
    frame = signals.loc[
        (signals["kind"] == SignalKind.SENTIMENT.value) & (signals["scope_type"] == ScopeType.ITEM_LOCATION.value)
    ]
    if frame.empty:
        return z
    observed = pd.to_datetime(frame["observed_at"], utc=True).dt.tz_localize(None)
    start, end = as_of - lookback, as_of
    keep = (observed > start) & (observed <= end)
    if "valid_until" in frame.columns:
        until = pd.to_datetime(frame["valid_until"], utc=True).dt.tz_localize(None)
        keep &= until.isna() | (until > start)
    frame = frame.loc[keep].assign(_t=observed[keep]).sort_values("_t")
    latest = frame.groupby("scope_id")["value"].last()
    index = {k: i for i, k in enumerate(keys)}
    for scope, value in latest.items():
        i = index.get(str(scope))
        if i is not None and np.isfinite(value):
            z[i] = float(value)
    return z


def _default_family(y: np.ndarray) -> list[FamilyName]:
    known = ~np.isnan(y)
    positive = known & (y > 0)
    out: list[FamilyName] = []
    for k, p in zip(known.sum(axis=1), positive.sum(axis=1), strict=True):
        if k == 0 or p == 0:
            out.append(FamilyName.ZERO)
        elif p / k < _INTERMITTENT_SHARE:
            out.append(FamilyName.TSB)
        else:
            out.append(FamilyName.SES)
    return out


def fit_demand(
    panel: SeriesPanel,
    config: EngineConfig | None = None,
    *,
    bundles: BundleLinks | None = None,
    signals: pd.DataFrame | None = None,
    extra_series: Sequence[tuple[str, str]] = (),
) -> FittedDemand:
    """Fit the demand engine on a panel (see module doc).

    Parameters
    ----------
    panel:
        Demand history and drivers.
    config:
        Engine settings.
    bundles:
        Bundle links; components of bundles get the bundles' demand in their paths.
    signals:
        Signals table; ``sentiment`` signals on an item-location raise the prior of a shift.
    extra_series:
        Item-locations to forecast although the panel has no history for them (a new listing): their own
        demand is taken as zero, and a note says so.
    """
    cfg = config or EngineConfig()
    links = bundles or BundleLinks.empty()
    known = set(zip(panel.item_ids, panel.location_ids, strict=True))
    implied = links.implied_series(known)
    if implied:
        panel = _with_empty_series(panel, sorted(implied), _BUNDLE_ONLY)
        known |= set(implied)
    unknown = sorted({(str(i), str(loc)) for i, loc in extra_series} - known)
    if unknown:
        panel = _with_empty_series(panel, unknown, _NO_HISTORY)
    n, t_len, horizon = panel.n_series, panel.n_periods, cfg.horizon
    m = max(1, panel.season_length)

    if cfg.censoring:
        unc = unconstrain(panel.y, panel.stockout)
        demand, censored = unc.demand, unc.censored
    else:
        demand, censored = panel.y, np.zeros_like(panel.y, dtype=bool)

    as_of = pd.Timestamp(panel.period_dates(t_len, 1)[0])
    period_span = pd.Timestamp(panel.period_dates(t_len, 1)[0]) - pd.Timestamp(panel.period_dates(t_len - 1, 1)[0])
    if cfg.shift is not None:
        explained = explained_periods(panel.drivers[:, :t_len], panel.driver_fill)
        lookback = period_span * cfg.shift.window
        odds = sentiment_odds_factor(sentiment_z(signals, panel.keys, as_of, lookback))
        shift = assess_shifts(demand, explained, odds, cfg.shift)
        probability, ratio, unusual = shift.probability, shift.ratio, shift.unusual
        baseline_level = shift.baseline_level
    else:
        probability, ratio, unusual = np.zeros(n), np.ones(n), np.zeros_like(demand, dtype=bool)
        baseline_level = np.full(n, np.nan)
    clean = np.where(unusual, np.nan, demand)
    scored = np.where(censored | unusual, np.nan, panel.y)
    effects: DriverEffects | None = None
    if cfg.drivers is not None and panel.driver_names:
        items = np.unique(np.asarray(panel.item_ids, dtype=object), return_inverse=True)[1]
        effects = fit_driver_effects(
            clean, panel.drivers, panel.driver_fill, panel.driver_names, cfg.drivers, groups=items.ravel()
        )
        if effects.active:  # the families fit (and are scored on) demand as it would have been without drivers
            lift = effects.multiplier(panel.drivers[:, :t_len])
            clean, scored = clean / lift, scored / lift

    def model_input(origin: int, h: int) -> ModelInput:
        return ModelInput(
            y=clean[:, :origin],
            season_length=m,
            drivers=panel.drivers[:, :origin],
            future_drivers=panel.future_drivers(origin, h),
            driver_names=panel.driver_names,
            is_count=panel.is_count,
            period_of_season=int(panel.first_ordinal % m),
            seed=cfg.seed,
            censored=censored[:, :origin],
        )

    selection = cross_validate(
        cfg.families,
        lambda family, origin, h: run_family(family, model_input(origin, h), cfg),
        scored,
        clean,
        panel.is_count,
        horizon,
        cfg.selection,
        seed=cfg.seed,
    )
    chosen = _assign(selection, clean)
    full = model_input(t_len, horizon)
    occur = np.zeros((n, horizon))
    offset = np.zeros(n)
    mean = np.zeros((n, horizon))
    disp = np.zeros((n, horizon))
    persistence = np.zeros(n)
    issues = list(panel.issues)
    factor = dict(zip(selection.families, selection.dispersion_factor, strict=True))
    pending = dict(enumerate(chosen))
    defaults = _default_family(clean)
    for family in [*dict.fromkeys(chosen), *dict.fromkeys(defaults)]:
        rows = np.asarray([r for r, f in pending.items() if f is family], dtype=np.int64)
        if rows.size == 0:
            continue
        if family in _PER_SERIES_FAMILIES:
            fc = run_family(family, full.rows(rows), cfg)
            local = np.arange(rows.size)
        else:
            fc = run_family(family, full, cfg)
            local = rows
        marg = scale_dispersion(fc.marginals, float(factor.get(family, 1.0)))
        ok = fc.ok[local]
        good, bad = rows[ok], rows[~ok]
        lg = local[ok]
        occur[good], offset[good], mean[good], disp[good] = (
            marg.occur[lg],
            marg.size_offset[lg],
            marg.mean[lg],
            marg.dispersion[lg],
        )
        persistence[good] = fc.persistence[lg]
        for r in good:
            pending.pop(int(r))
        for r in bad:
            fallback = defaults[int(r)] if defaults[int(r)] is not family else FamilyName.ZERO
            pending[int(r)] = fallback
            chosen[int(r)] = fallback
            issues.append(
                SeriesIssue(
                    panel.item_ids[int(r)],
                    panel.location_ids[int(r)],
                    IssueKind.MODEL_FALLBACK,
                    f"{family.value} could not forecast this series; {fallback.value} was used instead",
                )
            )
    for r in list(pending):  # anything left: zero demand (cannot happen for ZERO itself)
        chosen[r] = FamilyName.ZERO
    base = Marginals(occur, offset, mean, disp)
    if effects is not None and effects.active:
        base = base.scaled(effects.multiplier(panel.future_drivers(t_len, horizon)))
    if np.any(probability > 0):
        shifted = base.scaled(_shift_scale(base, ratio, baseline_level))
        predictive = Predictive((base, shifted), np.column_stack([1.0 - probability, probability]))
    else:
        predictive = Predictive.single(base)
    summary: dict[str, object] = {
        "family_spl": selection.family_score,
        "dispersion_factor": {f.value: float(k) for f, k in factor.items()},
        "origins": list(selection.origins),
        "cv_horizon": selection.horizon,
        "shrinkage": selection.shrinkage,
        "chosen": {f.value: int(sum(1 for c in chosen if c is f)) for f in dict.fromkeys(chosen)},
        "driver_lifts": effects.lifts() if effects is not None else {},
    }
    return FittedDemand(
        item_ids=panel.item_ids,
        location_ids=panel.location_ids,
        period_starts=tuple(panel.period_dates(t_len, horizon)),
        predictive=predictive,
        persistence=persistence,
        is_count=panel.is_count.copy(),
        shift_probability=probability,
        shift_ratio=ratio,
        family=tuple(f.value for f in chosen),
        bundles=links,
        issues=tuple(issues),
        selection=summary,
    )


def _assign(selection: Selection, y: np.ndarray) -> list[FamilyName]:
    """The selected family per series; series without any demand get the point mass at zero."""
    defaults = _default_family(y)
    picked = selection.chosen()
    return [d if d is FamilyName.ZERO or p is None else p for p, d in zip(picked, defaults, strict=True)]


def _shift_scale(base: Marginals, ratio: np.ndarray, baseline_level: np.ndarray) -> np.ndarray:
    """[series] factor that takes the fitted level to the shifted level ``ratio × baseline_level`` (units).

    The shift is a new *absolute* level measured against the sensor's baseline. The fitted model may already
    have moved part of the way (shifted periods older than the sensor's window are in its history), so scaling
    it by ``ratio`` itself would count the shift twice; where the baseline is unknown, ``ratio`` is used.
    """
    own = base.expected().mean(axis=1)
    target = ratio * baseline_level
    ok = np.isfinite(target) & (own > 0)
    return np.where(ok, np.divide(target, own, out=np.ones_like(own), where=ok), ratio)


_BUNDLE_ONLY = "component sold only inside bundles: own demand taken as 0"
_NO_HISTORY = "no demand history: own demand taken as 0"


def _with_empty_series(panel: SeriesPanel, pairs: list[tuple[str, str]], note: str) -> SeriesPanel:
    """The panel with extra series that have no history (``note`` says why they are there)."""
    from dataclasses import replace

    k = len(pairs)
    n_total = panel.drivers.shape[1]
    items = panel.item_ids + tuple(p[0] for p in pairs)
    locs = panel.location_ids + tuple(p[1] for p in pairs)
    return replace(
        panel,
        item_ids=items,
        location_ids=locs,
        y=np.vstack([panel.y, np.full((k, panel.n_periods), np.nan)]),
        stockout=np.vstack([panel.stockout, np.zeros((k, panel.n_periods))]),
        drivers=np.concatenate(
            [
                panel.drivers,
                np.broadcast_to(
                    np.median(panel.driver_fill, axis=0) if panel.n_series else 0.0,
                    (k, n_total, len(panel.driver_names)),
                ),
            ],
            axis=0,
        ),
        driver_fill=np.vstack([panel.driver_fill, np.zeros((k, len(panel.driver_names)))]),
        is_count=np.concatenate([panel.is_count, np.ones(k, dtype=bool)]),
        issues=panel.issues + tuple(SeriesIssue(i, loc, IssueKind.NO_HISTORY, note) for i, loc in pairs),
    )


def families_for(profile: DemandProfile) -> tuple[FamilyName, ...]:
    """The model families a demand profile fits (hedgerow.toml ``[demand] profile``)."""
    return FAST_FAMILIES if profile is DemandProfile.FAST else DEFAULT_FAMILIES
