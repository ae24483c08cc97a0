"""Exchange rates and port congestion of the demo: the outside world the network lives in.

FX: daily rates on business days for the currencies of the suppliers and warehouses, quoted as units per USD.
Each is a geometric random walk with Student-t shocks (fat tails), weakly pulled towards its last level
(half-life two years), whose annualised volatility matches recent history (ECB reference rates 2023–2026: EUR ≈ 7 %, JPY ≈ 10 %, SGD ≈ 4.5 %, CNY ≈ 3 %, MXN ≈ 11 %), with a
common US-dollar factor so that currencies move together as they do. Paths are pinned to realistic levels on
the last business day, so shelf prices derived from the latest rates do not depend on the seed.

Port congestion: weekly vessels waiting at anchor per port, a log-AR(1) around a baseline with a peak-season
bump (August–November). Waiting vessels beyond the baseline add days to the ocean lanes through the port
(:attr:`PortCongestion.excess_delay_days`), which the shipment history uses and the signals feed reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]

#: Degrees of freedom of the Student-t shocks of FX log returns (fat tails; kurtosis 9).
STUDENT_T_DOF = 5.0
#: Trading days per year used to annualise volatility.
TRADING_DAYS_PER_YEAR = 252
#: Daily persistence of a rate's log deviation from its last level: a half-life of two years, which keeps
#: three-year paths within realistic ranges without changing the daily volatility.
FX_PERSISTENCE = 0.5 ** (1 / (2 * TRADING_DAYS_PER_YEAR))


@dataclass(frozen=True)
class CurrencyModel:
    """How one currency moves against the USD.

    Attributes
    ----------
    currency:
        ISO 4217 code.
    units_per_usd:
        Level on the last business day before the demo's as-of date (units of the currency per USD).
    volatility_per_year:
        Annualised standard deviation of daily log returns.
    usd_factor_loading:
        Correlation of the currency's returns with the common US-dollar factor.
    """

    currency: str
    units_per_usd: float
    volatility_per_year: float
    usd_factor_loading: float


CURRENCIES: tuple[CurrencyModel, ...] = (
    CurrencyModel("EUR", 0.92, 0.075, 0.70),
    CurrencyModel("JPY", 150.0, 0.100, 0.55),
    CurrencyModel("SGD", 1.34, 0.045, 0.75),
    CurrencyModel("CNY", 7.20, 0.038, 0.55),
    CurrencyModel("VND", 25400.0, 0.036, 0.35),
    CurrencyModel("MXN", 18.5, 0.120, 0.35),
)

#: Latest rate of each demo currency, units per USD.
LATEST_UNITS_PER_USD: dict[str, float] = {c.currency: c.units_per_usd for c in CURRENCIES}


def _student_t(rng: np.random.Generator, size: tuple[int, ...]) -> FloatArray:
    """Student-t draws scaled to unit variance."""
    scale = np.sqrt(STUDENT_T_DOF / (STUDENT_T_DOF - 2.0))
    return np.asarray(rng.standard_t(STUDENT_T_DOF, size) / scale, dtype=np.float64)


def _significant(values: FloatArray, digits: int) -> FloatArray:
    magnitude = np.floor(np.log10(np.abs(values)))
    scale = 10.0 ** (digits - 1 - magnitude)
    return np.asarray(np.round(values * scale) / scale, dtype=np.float64)


def fx_history(start: date, as_of: date, rng: np.random.Generator) -> pd.DataFrame:
    """Daily FX rates from ``start`` to the last business day before ``as_of``.

    Parameters
    ----------
    start:
        First day of the history (the first business day on or after it is the first rate).
    as_of:
        The demo's today; rates end the business day before.
    rng:
        Source of the shocks.

    Returns
    -------
    pandas.DataFrame
        ``fx_rates`` table: date, currency, units_per_base (units per USD, six significant digits), sorted by
        date then currency.
    """
    days = pd.bdate_range(start, as_of - timedelta(days=1))
    n_days, n_cur = len(days), len(CURRENCIES)
    vol = np.array([c.volatility_per_year for c in CURRENCIES]) / np.sqrt(TRADING_DAYS_PER_YEAR)
    loading = np.array([c.usd_factor_loading for c in CURRENCIES])
    common = _student_t(rng, (n_days, 1))
    own = _student_t(rng, (n_days, n_cur))
    shocks = vol * (loading * common + np.sqrt(1.0 - loading**2) * own)
    # log deviation from the pinned last level, built backwards in time with a weak pull towards it
    deviation = np.zeros((n_days, n_cur))
    for t in range(n_days - 2, -1, -1):  # a loop over days, vectorised across currencies
        deviation[t] = FX_PERSISTENCE * deviation[t + 1] - shocks[t + 1]
    level = np.array([c.units_per_usd for c in CURRENCIES]) * np.exp(deviation)
    return pd.DataFrame(
        {
            "date": np.repeat(days.to_numpy(dtype="datetime64[ns]"), n_cur),
            "currency": pd.array(np.tile([c.currency for c in CURRENCIES], n_days), dtype="string"),
            "units_per_base": _significant(level.ravel(), 6),
        }
    )


@dataclass(frozen=True)
class PortProfile:
    """Congestion behaviour of a port.

    Attributes
    ----------
    port:
        UN/LOCODE.
    baseline_vessels:
        Typical number of vessels waiting at anchor.
    delay_days_per_excess_vessel:
        Extra days an ocean shipment through the port loses per vessel waiting beyond the baseline.
    """

    port: str
    baseline_vessels: float
    delay_days_per_excess_vessel: float


PORT_PROFILES: tuple[PortProfile, ...] = (
    PortProfile("USLAX", 8, 0.35),
    PortProfile("USNWK", 4, 0.45),
    PortProfile("CNSHA", 20, 0.12),
    PortProfile("CNYTN", 12, 0.15),
    PortProfile("NLRTM", 6, 0.40),
    PortProfile("SGSIN", 14, 0.15),
)
#: Weekly persistence and innovation of log congestion.
CONGESTION_AR, CONGESTION_SIGMA = 0.85, 0.22


@dataclass(frozen=True)
class PortCongestion:
    """Weekly congestion of the tracked ports.

    Attributes
    ----------
    ports:
        UN/LOCODEs, one row of each array per port.
    vessels:
        Vessels waiting at anchor during each history week, shape (ports, weeks).
    excess_delay_days:
        Extra transit days for ocean shipments through the port in that week, shape (ports, weeks).
    """

    ports: tuple[str, ...]
    vessels: FloatArray
    excess_delay_days: FloatArray

    def delay_of(self, port: str) -> FloatArray | None:
        """The excess delay series of ``port`` (days per week), or None when the port is not tracked."""
        return self.excess_delay_days[self.ports.index(port)] if port in self.ports else None


def port_congestion(ports: set[str], week_starts: pd.DatetimeIndex, rng: np.random.Generator) -> PortCongestion:
    """Simulate weekly congestion of the tracked ports among ``ports``.

    Parameters
    ----------
    ports:
        Ports the network's lanes pass through; those with a :data:`PORT_PROFILES` entry are tracked.
    week_starts:
        Mondays of the history weeks.
    rng:
        Source of the innovations.
    """
    profiles = [p for p in PORT_PROFILES if p.port in ports]
    n_ports, n_weeks = len(profiles), len(week_starts)
    doy = (week_starts + pd.Timedelta(days=3)).dayofyear.to_numpy()
    season = 0.30 * np.exp(-0.5 * ((doy - 280.0) / 35.0) ** 2)
    shocks = rng.normal(0.0, CONGESTION_SIGMA, (n_ports, n_weeks))
    state = np.zeros((n_ports, n_weeks))
    state[:, 0] = shocks[:, 0] / np.sqrt(1 - CONGESTION_AR**2)
    for t in range(1, n_weeks):  # a loop over weeks only, vectorised across ports
        state[:, t] = CONGESTION_AR * state[:, t - 1] + shocks[:, t]
    base = np.array([p.baseline_vessels for p in profiles]).reshape(-1, 1)
    vessels = np.round(base * np.exp(state + season))
    per_vessel = np.array([p.delay_days_per_excess_vessel for p in profiles]).reshape(-1, 1)
    delay = np.round(per_vessel * np.maximum(vessels - base, 0.0), 1)
    return PortCongestion(ports=tuple(p.port for p in profiles), vessels=vessels, excess_delay_days=delay)
