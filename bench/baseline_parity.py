"""forecast-eval's baselines against an independent statsforecast run of the same models, scored alike.

    python -m bench.baseline_parity                                   # carparts, every series
    python -m bench.baseline_parity --datasets carparts,online_retail --series 800 --seed 7

For each data set, on the origins, horizon and step of bench/datasets.py:

* **forecast-eval**: ``hedgerow.demand.evaluation.evaluate`` with the engine off (its baseline path, as the CLI
  runs it);
* **independent**: the demand table read as a forecaster would (rows summed per series and period, negative
  quantities set to 0, each series from its first row to the end of the data with missing periods as zero sales,
  real dates and ``freq``), cut before each origin's date and forecast with ``StatsForecast(models=[...],
  freq=..., n_jobs=1).forecast(h, level=[...])``: ``SeasonalNaive(season_length)`` and
  ``AutoETS(season_length)`` with their native intervals, ``CrostonSBA`` with
  ``ConformalIntervals(h, n_windows)``, the windows as many non-overlapping windows of ``h`` as the longest
  series holds before the origin (2-10, as documented for forecast-eval). The median is the point forecast;
  negative quantiles are set to 0 (demand cannot be negative).

Both are scored on the same series (forecast-eval's rule: enough known periods, some demand, a positive M5 scale,
a known actual; and finite quantiles from every model of both runs) with the same code
(``hedgerow.demand.evaluation``'s scoring: SPL, CRPS over 19 quantiles, closed-interval coverage). ``--series N``
scores a random subset of N series (fixed ``--seed``) to keep the run short; both runs see the same subset.
The table gives each score of both runs and the relative difference (forecast-eval / independent - 1, so
positive SPL or CRPS means forecast-eval's baseline scores worse), and the share of scored series whose
quantiles differ by more than 1e-6 units.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bench.datasets import LOADERS, DemandDataset
from hedgerow.demand.evaluation import (
    BASELINES,
    MAX_CONFORMAL_WINDOWS,
    MIN_CONFORMAL_WINDOWS,
    EvalConfig,
    MethodScore,
    _all_levels,
    _baseline_quantiles,
    _Collector,
    _score,
    _summary,
    evaluate,
    periods_before_origin,
)
from hedgerow.demand.metrics import m5_scale
from hedgerow.demand.series import SeriesPanel, build_panel

#: statsforecast's pandas frequency of each data set's period (real dates of the independent run).
SF_FREQ = {"M": "MS", "W": "7D"}


@dataclass
class Independent:
    """Quantiles [series, period, level] and means of the independent run per origin and model."""

    quantiles: dict[str, list[np.ndarray]] = field(default_factory=dict)
    means: dict[str, list[np.ndarray]] = field(default_factory=dict)
    windows: list[int] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def subsample(ds: DemandDataset, n: int | None, seed: int) -> DemandDataset:
    """The data set restricted to ``n`` random series (all when None)."""
    if n is None:
        return ds
    keys = ds.demand[["item_id", "location_id"]].drop_duplicates().sort_values(["item_id", "location_id"])
    if n >= len(keys):
        return ds
    pick = keys.sample(n=n, random_state=seed)
    demand = ds.demand.merge(pick, on=["item_id", "location_id"], how="inner")
    return DemandDataset(ds.name, demand, ds.freq, ds.horizon, ds.origins, ds.step, ds.note)


def long_frame(ds: DemandDataset) -> pd.DataFrame:
    """unique_id, ds, y as a forecaster builds it from the demand table (see module doc)."""
    d = ds.demand.assign(unique_id=ds.demand["item_id"].astype(str) + "|" + ds.demand["location_id"].astype(str))
    d = d.groupby(["unique_id", "period_start"], as_index=False)["qty"].sum()
    d["qty"] = d["qty"].clip(lower=0.0)
    freq = SF_FREQ[ds.freq]
    end = d["period_start"].max()
    parts = []
    for uid, g in d.groupby("unique_id", sort=False):
        dates = pd.date_range(g["period_start"].min(), end, freq=freq)
        y = g.set_index("period_start")["qty"].reindex(dates, fill_value=0.0)
        parts.append(pd.DataFrame({"unique_id": uid, "ds": dates, "y": y.to_numpy(np.float64)}))
    return pd.concat(parts, ignore_index=True)


def scored_rows(panel: SeriesPanel, origin: int, horizon: int) -> np.ndarray:
    """forecast-eval's series rule at one origin (before the finite-quantile filter)."""
    history = panel.y[:, :origin]
    known = (~np.isnan(history)).sum(axis=1)
    scale = m5_scale(history)
    actual = np.where(panel.stockout > 0, np.nan, panel.y)[:, origin : origin + horizon]
    return np.flatnonzero(
        (known >= periods_before_origin(horizon, panel.season_length))
        & (np.nansum(history, axis=1) > 0)
        & np.isfinite(scale)
        & (scale > 0)
        & (~np.isnan(actual)).any(axis=1)
    )


def independent_run(
    frame: pd.DataFrame,
    panel: SeriesPanel,
    origins: tuple[int, ...],
    horizon: int,
    freq: str,
    models: tuple[str, ...],
    levels: np.ndarray,
) -> tuple[Independent, list[np.ndarray]]:
    """Forecast every origin with statsforecast directly; also returns the rows scored per origin."""
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, CrostonSBA, SeasonalNaive
    from statsforecast.utils import ConformalIntervals

    season = panel.season_length
    ids = np.array([f"{i}|{loc}" for i, loc in zip(panel.item_ids, panel.location_ids, strict=True)])
    sf_levels = sorted({round(abs(2.0 * q - 1.0) * 100) for q in levels if abs(q - 0.5) > 1e-9})
    out = Independent()
    rows_by_origin = []
    for origin in origins:
        rows = scored_rows(panel, origin, horizon)
        rows_by_origin.append(rows)
        cut = pd.Timestamp(panel.period_dates(origin, 1)[0])
        train = frame.loc[frame["unique_id"].isin(ids[rows]) & (frame["ds"] < cut)]
        longest = int(train.groupby("unique_id").size().max())
        windows = max(MIN_CONFORMAL_WINDOWS, min(MAX_CONFORMAL_WINDOWS, (longest - 1) // horizon))
        out.windows.append(windows)
        make: dict[str, Any] = {
            "SeasonalNaive": lambda: SeasonalNaive(season_length=season),
            "AutoETS": lambda: AutoETS(season_length=season),
            "CrostonSBA": lambda: CrostonSBA(  # called within this iteration
                prediction_intervals=ConformalIntervals(h=horizon, n_windows=windows)  # noqa: B023
            ),
        }
        for name in models:
            began = time.perf_counter()
            sf = StatsForecast(models=[make[name]()], freq=freq, n_jobs=1)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fc = pd.DataFrame(sf.forecast(h=horizon, df=train, level=sf_levels))
            out.seconds[name] = out.seconds.get(name, 0.0) + time.perf_counter() - began
            fc = fc.set_index("unique_id").loc[ids[rows]]
            n = rows.size
            mean = fc[name].to_numpy(np.float64).reshape(n, horizon)
            q = np.empty((n, horizon, levels.size))
            for j, level in enumerate(levels):
                if abs(level - 0.5) < 1e-9:
                    q[:, :, j] = mean
                    continue
                width = round(abs(2.0 * level - 1.0) * 100)
                side = "hi" if level > 0.5 else "lo"
                q[:, :, j] = fc[f"{name}-{side}-{width}"].to_numpy(np.float64).reshape(n, horizon)
            out.quantiles.setdefault(name, []).append(np.maximum(q, 0.0))
            out.means.setdefault(name, []).append(np.maximum(mean, 0.0))
    return out, rows_by_origin


def run(ds: DemandDataset, models: tuple[str, ...]) -> tuple[list[str], dict[str, Any]]:
    """Markdown rows (one per model) of one data set, and facts for the header."""
    panel = build_panel(ds.demand, freq=ds.freq)
    config = EvalConfig(
        horizon=ds.horizon, origins=ds.origins, step=ds.step, run_engine=False, baseline_models=models, baseline_jobs=1
    )
    began = time.process_time()
    report = evaluate(panel, config)
    eval_cpu = time.process_time() - began
    levels = _all_levels(config)
    began = time.process_time()
    frame = long_frame(ds)
    ind, rows_by_origin = independent_run(frame, panel, report.origins, ds.horizon, SF_FREQ[ds.freq], models, levels)
    ind_cpu = time.process_time() - began

    # forecast-eval's own quantiles on the same rows, for the per-series comparison
    stores = {name: _Collector() for name in models}
    differing = dict.fromkeys(models, 0)
    n_scored = []
    scored_actual = np.where(panel.stockout > 0, np.nan, panel.y)
    for k, origin in enumerate(report.origins):
        rows = rows_by_origin[k]
        mine, _, _ = _baseline_quantiles(panel.y[:, :origin], rows, ds.horizon, panel.season_length, levels, config)
        common = np.ones(rows.size, dtype=bool)
        for name in models:
            common &= np.isfinite(ind.quantiles[name][k]).all(axis=(1, 2))
            common &= np.isfinite(mine[name][0]).all(axis=(1, 2))
        rc = rows[common]
        n_scored.append(int(rc.size))
        actual = scored_actual[rc, origin : origin + ds.horizon]
        scale = m5_scale(panel.y[:, :origin])[rc]
        for name in models:
            q_ind = ind.quantiles[name][k][common]
            _score(stores[name], config, levels, q_ind, ind.means[name][k][common], actual, scale)
            gap = np.abs(mine[name][0][common] - q_ind).max(axis=(1, 2))
            differing[name] += int((gap > 1e-6).sum())
    independent = {name: _summary(name, stores[name], config.intervals) for name in models}
    if tuple(n_scored) != report.n_scored:
        print(f"warning: {ds.name} scored {n_scored} series independently, forecast-eval {report.n_scored}")
    lines = []
    for name in models:
        a, b = report.method(name), independent[name]
        lines.append(_row(ds.name, name, a, b, differing[name] / max(1, sum(n_scored))))
    facts = {
        "series": panel.n_series,
        "scored": sum(report.n_scored),
        "windows": (report.conformal_windows, tuple(ind.windows)),
        "cpu": (eval_cpu, ind_cpu),
    }
    return lines, facts


def _rel(a: float, b: float) -> str:
    return f"{a / b - 1.0:+.1%}" if b else "n/a"


def _row(dataset: str, name: str, a: MethodScore, b: MethodScore, differing: float) -> str:
    cover = " / ".join(f"{a.coverage[p]:.3f}" for p in (50, 80, 95))
    cover_b = " / ".join(f"{b.coverage[p]:.3f}" for p in (50, 80, 95))
    return (
        f"| {dataset} | {name} | {a.spl:.4f} | {b.spl:.4f} | {_rel(a.spl, b.spl)} | {a.crps:.3f} | {b.crps:.3f} | "
        f"{_rel(a.crps, b.crps)} | {cover} | {cover_b} | {differing:.1%} |"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="carparts", help="comma-separated: " + ", ".join(LOADERS))
    parser.add_argument("--models", default=",".join(BASELINES), help="comma-separated: " + ", ".join(BASELINES))
    parser.add_argument("--series", type=int, default=None, help="score a random subset of this many series")
    parser.add_argument("--seed", type=int, default=7, help="seed of the subset")
    args = parser.parse_args(argv)
    models = tuple(args.models.split(","))
    print(f"load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    header = (
        "| data set | model | SPL forecast-eval | SPL independent | diff | CRPS forecast-eval | CRPS independent | "
        "diff | cover 50 / 80 / 95 forecast-eval | cover 50 / 80 / 95 independent | series differing |"
    )
    rows = []
    for name in args.datasets.split(","):
        ds = subsample(LOADERS[name](), args.series, args.seed)
        lines, facts = run(ds, models)
        print(
            f"{name}: {facts['series']} series, {facts['scored']} series x origins scored, conformal windows "
            f"forecast-eval {facts['windows'][0]} independent {facts['windows'][1]}, CPU s forecast-eval "
            f"{facts['cpu'][0]:.0f} independent {facts['cpu'][1]:.0f}",
            flush=True,
        )
        rows += lines
    print(header)
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for line in rows:
        print(line)


if __name__ == "__main__":
    main(sys.argv[1:])
