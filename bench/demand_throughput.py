"""Throughput of the demand engine: fit + select + sample paths for many weekly series, with peak memory.

    python -m bench.demand_throughput                    # 10,000 series x 156 weeks, 1,000 paths x 26 periods
    python -m bench.demand_throughput --series 2000      # a quicker run

Steps timed separately: building the panel, fitting (censoring, spike-or-shift, rolling-origin selection over
the families, final fits) and drawing the paths in chunks on ``--workers`` processes (each worker receives the
fitted state once; chunks are summed in place, as a planner would consume them, so the paths never travel back
whole). Beside it, statsforecast's AutoETS(season_length=52) alone is timed on a sample of the same series and
both are reported as series per core-second.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace

import numpy as np
import pandas as pd

from hedgerow.demand.engine import DEFAULT_FAMILIES, FAST_FAMILIES, EngineConfig, FittedDemand, fit_demand
from hedgerow.demand.models.global_gbm import GbmConfig
from hedgerow.demand.series import build_panel
from hedgerow.demand.synthetic import synthetic_demand

_FIT: list[FittedDemand] = []


def _init(fit: FittedDemand) -> None:
    _FIT.append(fit)


def _chunk(start: int, stop: int, n_scenarios: int, horizon: int, seed: int) -> tuple[float, float, int]:
    fit = _FIT[0]
    block = fit.sample_block(
        fit.item_ids[start:stop], fit.location_ids[start:stop], n_scenarios=n_scenarios, horizon=horizon, seed=seed
    )
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return float(block.paths.sum()), rss_mb, int(block.paths.size)


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--periods", type=int, default=156)
    parser.add_argument("--horizon", type=int, default=26)
    parser.add_argument("--scenarios", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk", type=int, default=250)
    parser.add_argument("--profile", choices=("fast", "all"), default="fast")
    parser.add_argument("--ets-sample", type=int, default=400, help="series timed for AutoETS alone (0 = skip)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    began = time.perf_counter()
    data = synthetic_demand(np.random.default_rng(0), n_series=args.series, n_periods=args.periods, censor_rate=0.03)
    generate_s = time.perf_counter() - began

    t0 = time.perf_counter()
    panel = build_panel(data.demand, freq="W")
    panel_s = time.perf_counter() - t0

    families = FAST_FAMILIES if args.profile == "fast" else DEFAULT_FAMILIES
    config = EngineConfig(
        horizon=args.horizon,
        families=families,
        gbm=replace(GbmConfig(), n_threads=args.workers),
        statsforecast_jobs=args.workers,
    )
    t0 = time.perf_counter()
    fit = fit_demand(panel, config)
    fit_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    total, worker_rss, values = 0.0, 0.0, 0
    bounds = [(s, min(s + args.chunk, fit.n_series)) for s in range(0, fit.n_series, args.chunk)]
    with ProcessPoolExecutor(max_workers=args.workers, initializer=_init, initargs=(fit,)) as pool:
        futures = [pool.submit(_chunk, a, b, args.scenarios, args.horizon, 7) for a, b in bounds]
        for f in futures:
            s, rss, size = f.result()
            total, worker_rss, values = total + s, max(worker_rss, rss), values + size
    paths_s = time.perf_counter() - t0
    main_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    engine_s = panel_s + fit_s + paths_s
    result: dict[str, object] = {
        "series": args.series,
        "periods": args.periods,
        "horizon": args.horizon,
        "scenarios": args.scenarios,
        "workers": args.workers,
        "profile": args.profile,
        "families": [f.value for f in families],
        "generate_seconds": round(generate_s, 1),
        "panel_seconds": round(panel_s, 1),
        "fit_seconds": round(fit_s, 1),
        "paths_seconds": round(paths_s, 1),
        "total_seconds": round(engine_s, 1),
        "path_values": values,
        "mean_path_value": total / max(values, 1),
        "series_per_core_second": round(args.series / (engine_s * args.workers), 2),
        "peak_rss_main_mb": round(main_rss),
        "peak_rss_worker_mb": round(worker_rss),
        "chosen": fit.selection["chosen"],
    }
    if args.ets_sample:
        from statsforecast import StatsForecast
        from statsforecast.models import AutoETS

        rows = np.linspace(0, args.series - 1, args.ets_sample).astype(int)
        frame = pd.DataFrame(
            {
                "unique_id": np.repeat(rows, args.periods),
                "ds": np.tile(np.arange(args.periods), rows.size),
                "y": np.nan_to_num(panel.y[rows]).ravel(),
            }
        )
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            StatsForecast(models=[AutoETS(season_length=52)], freq=1, n_jobs=args.workers).forecast(
                h=args.horizon, df=frame, level=[80, 95]
            )
        ets_s = time.perf_counter() - t0
        result["autoets_sample"] = args.ets_sample
        result["autoets_seconds"] = round(ets_s, 1)
        result["autoets_series_per_core_second"] = round(args.ets_sample / (ets_s * args.workers), 2)
        result["autoets_extrapolated_seconds"] = round(ets_s * args.series / args.ets_sample, 1)
    result["machine"] = f"{platform.machine()}, Python {platform.python_version()}"
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:>32}: {value}")
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
