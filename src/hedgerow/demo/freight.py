"""The demo's freight market: a weekly spot-rate index per transport mode (``freight_rates`` rows with a mode).

Each mode's index is a mean-reverting log random walk (shock half-life 13 weeks) with its own weekly volatility
(:data:`DEMO_WEEKLY_VOLATILITY`, the demo's truth: ocean a little more volatile and air a little calmer than
hedgerow's default assumptions, so a plan on the demo shows its fit replacing them), pinned at the end to the
median USD rate per unit of the mode's supplier lanes, so today's index agrees with the lanes table whatever the
seed.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from hedgerow.demo.network import Lane, units_per_usd
from hedgerow.domain.enums import Mode

#: The demo's true weekly volatility of each mode's log spot rate.
DEMO_WEEKLY_VOLATILITY: dict[Mode, float] = {Mode.OCEAN: 0.07, Mode.AIR: 0.04, Mode.RAIL: 0.03, Mode.TRUCK: 0.025}
#: Weekly persistence of a rate shock (half-life 13 weeks).
DEMO_FREIGHT_PERSISTENCE = 0.5 ** (1 / 13)


def freight_history(
    lanes: tuple[Lane, ...], weeks: pd.DatetimeIndex, fx_per_usd: Mapping[str, float], rng: np.random.Generator
) -> pd.DataFrame:
    """Weekly spot-rate index per mode of the supplier lanes, in USD per unit.

    Parameters
    ----------
    lanes:
        The demo's lanes; transfer lanes are left out (a company's own trucks have no spot market here).
    weeks:
        Dates of the quotes (the demand history's weeks).
    fx_per_usd:
        Latest units per USD of each currency (to put lane rates in USD).
    rng:
        Source of the shocks.

    Returns
    -------
    pandas.DataFrame
        ``freight_rates`` table: lane_id (empty), mode, date, rate_per_unit (4 significant digits), currency (USD).
    """
    modes = sorted({ln.mode for ln in lanes if not ln.is_transfer}, key=lambda m: m.value)
    frames = []
    for mode in modes:
        usd = [ln.cost_per_unit / units_per_usd(ln.cost_currency, fx_per_usd) for ln in lanes if ln.mode is mode]
        level = float(np.median([u for u in usd if u > 0] or [1.0]))
        shocks = DEMO_WEEKLY_VOLATILITY[mode] * rng.standard_normal(len(weeks))
        deviation = np.zeros(len(weeks))
        for t in range(len(weeks) - 2, -1, -1):  # built backwards from the pinned last week
            deviation[t] = DEMO_FREIGHT_PERSISTENCE * deviation[t + 1] - shocks[t + 1]
        rate = level * np.exp(deviation)
        frames.append(
            pd.DataFrame(
                {
                    "lane_id": pd.array([pd.NA] * len(weeks), dtype="string"),
                    "mode": pd.array([mode.value] * len(weeks), dtype="string"),
                    "date": weeks.to_numpy(dtype="datetime64[ns]"),
                    "rate_per_unit": np.array([float(f"{r:.4g}") for r in rate]),
                    "currency": pd.array(["USD"] * len(weeks), dtype="string"),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
