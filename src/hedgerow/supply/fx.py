"""FX scenarios: a stationary block bootstrap of joint daily log returns (Politis & Romano 1994).

Rates are units of a currency per one unit of the base currency (the workspace ``fx_rates`` table). Returns
``r_d = log(rate_d / rate_{d−1})`` of all currencies on the same day are resampled *together* in blocks of
geometric length (mean :attr:`FxSettings.mean_block_days`), which keeps cross-currency correlation, volatility
clustering within blocks and the fat tails of the history, without assuming a distribution. Returns are
de-meaned over the look-back window so a past trend is not projected forward.

A scenario path for period ``t`` is the rate at the *end* of period ``t``:
``spot · exp(Σ returns of the first (t + 1)·k steps)`` with ``k`` observations per period (5 for weeks of
business-daily data, measured from the history's own spacing).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hedgerow.errors import SupplyInputError
from hedgerow.scenarios.rng import Stream, stream_rng


@dataclass(frozen=True)
class FxSettings:
    """Settings of the FX bootstrap.

    Attributes
    ----------
    mean_block_days:
        Mean block length in observations (assumption: 20 business days ≈ one month keeps volatility clusters).
    lookback_observations:
        How much history is resampled (assumption: 2,520 business days ≈ 10 years).
    """

    mean_block_days: float = 20.0
    lookback_observations: int = 2520

    def __post_init__(self) -> None:
        if self.mean_block_days < 1:
            raise ValueError(f"mean_block_days must be >= 1, got {self.mean_block_days}")
        if self.lookback_observations < 20:
            raise ValueError(f"lookback_observations must be >= 20, got {self.lookback_observations}")


@dataclass(frozen=True)
class FxHistory:
    """Rates on a common calendar: ``rates[day, currency]`` forward-filled, NaN before a currency's first quote."""

    dates: np.ndarray
    currencies: tuple[str, ...]
    rates: np.ndarray

    @classmethod
    def from_frame(cls, fx_rates: pd.DataFrame) -> FxHistory:
        """From a contract ``fx_rates`` frame (date, currency, units_per_base)."""
        wide = fx_rates.pivot_table(index="date", columns="currency", values="units_per_base", aggfunc="last")
        wide = wide.sort_index().ffill()
        return cls(
            dates=wide.index.to_numpy(dtype="datetime64[D]"),
            currencies=tuple(str(c) for c in wide.columns),
            rates=wide.to_numpy(dtype=float),
        )

    def spot(self, currency: str) -> float:
        """Latest rate of a currency."""
        col = self._column(currency)
        values = self.rates[:, col]
        return float(values[np.isfinite(values)][-1])

    def _column(self, currency: str) -> int:
        try:
            return self.currencies.index(currency)
        except ValueError:
            have = ", ".join(self.currencies) or "none"
            raise SupplyInputError(
                f"fx_rates has no history for currency {currency}; it has: {have}. Import its rates against the "
                f"base currency (units of {currency} per base unit)."
            ) from None

    def steps_per_period(self, period_days: int) -> int:
        """Observations per planning period, measured from the history's spacing (≥ 1)."""
        if self.dates.size < 2:
            return 1
        span = float((self.dates[-1] - self.dates[0]) / np.timedelta64(1, "D"))
        per_day = (self.dates.size - 1) / max(span, 1.0)
        return max(1, round(period_days * per_day))

    def log_returns(self, currencies: tuple[str, ...], lookback: int) -> np.ndarray:
        """De-meaned log returns [observation, currency] over the last ``lookback`` observations (NaN → 0)."""
        cols = [self._column(c) for c in currencies]
        window = self.rates[-(lookback + 1) :, cols]
        with np.errstate(invalid="ignore", divide="ignore"):
            r = np.diff(np.log(window), axis=0)
        r = np.where(np.isfinite(r), r, np.nan)
        mean = np.nanmean(r, axis=0) if r.size else np.zeros(len(cols))
        r = r - np.where(np.isfinite(mean), mean, 0.0)
        return np.asarray(np.nan_to_num(r, nan=0.0))


def stationary_bootstrap_indices(
    rng: np.random.Generator, n_obs: int, n_paths: int, length: int, mean_block: float
) -> np.ndarray:
    """Indices [path, step] of a stationary bootstrap: blocks start at random, continue with prob 1 − 1/L, wrap."""
    new_block = rng.random((n_paths, length)) < 1.0 / mean_block
    new_block[:, 0] = True
    starts = rng.integers(0, n_obs, size=(n_paths, length))
    pos = np.broadcast_to(np.arange(length), (n_paths, length))
    last_start = np.maximum.accumulate(np.where(new_block, pos, 0), axis=1)
    start_vals = np.take_along_axis(starts, last_start, axis=1)
    return np.asarray((start_vals + pos - last_start) % n_obs)


def sample_fx_paths(
    history: FxHistory | None,
    currencies: tuple[str, ...],
    base_currency: str,
    *,
    seed: int,
    n_scenarios: int,
    horizon: int,
    period_days: int,
    settings: FxSettings | None = None,
) -> np.ndarray:
    """FX paths [currency, scenario, period] in units of the currency per base unit (rate at period end).

    The base currency is 1 throughout. All currencies share one set of bootstrap indices (drawn from
    ``stream_rng(seed, Stream.FX, "bootstrap")``), so scenario ``s`` is one coherent FX future.

    Raises
    ------
    SupplyInputError
        When a currency other than the base has no history.
    """
    settings = settings or FxSettings()
    out = np.ones((len(currencies), n_scenarios, horizon))
    foreign = tuple(c for c in currencies if c != base_currency)
    if not foreign:
        return out
    if history is None:
        raise SupplyInputError(
            f"no fx_rates imported, but the network uses {', '.join(foreign)} besides the base currency "
            f"{base_currency}; import fx_rates (units of each currency per base unit)"
        )
    returns = history.log_returns(foreign, settings.lookback_observations)
    if returns.shape[0] < 2:
        raise SupplyInputError("fx_rates needs at least three dates of history to draw FX scenarios")
    k = history.steps_per_period(period_days)
    rng = stream_rng(seed, Stream.FX, "bootstrap")
    idx = stationary_bootstrap_indices(rng, returns.shape[0], n_scenarios, horizon * k, settings.mean_block_days)
    spots = np.array([history.spot(c) for c in foreign])
    for j, c in enumerate(foreign):
        cum = np.cumsum(returns[idx, j], axis=1)[:, k - 1 :: k]
        out[currencies.index(c)] = spots[j] * np.exp(cum)
    return out
