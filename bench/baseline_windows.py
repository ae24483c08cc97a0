"""The CrostonSBA baseline of forecast-eval with two conformal windows against windows chosen from the history.

    python -m bench.baseline_windows                                # Breakfast at the Frat, the settings of bench/datasets.py
    python -m bench.baseline_windows --datasets carparts,online_retail

Only the CrostonSBA baseline runs (the engine and the other baselines do not depend on its windows), on the same
origins and series as ``bench.demand_accuracy``: once with ``ConformalIntervals(h, n_windows=2)`` and once with
the windows forecast-eval now chooses (``hedgerow.demand.evaluation.conformal_windows``).
"""

from __future__ import annotations

import argparse
import sys
import time

from bench.datasets import LOADERS, DemandDataset
from hedgerow.demand.evaluation import EvalConfig, evaluate
from hedgerow.demand.series import build_panel

FIXED_WINDOWS = 2


def run(ds: DemandDataset, jobs: int) -> list[str]:
    """Markdown rows: the two-window and the chosen-window CrostonSBA on one data set."""
    panel = build_panel(ds.demand, freq=ds.freq)
    rows = []
    for windows in (FIXED_WINDOWS, None):
        config = EvalConfig(
            horizon=ds.horizon,
            origins=ds.origins,
            step=ds.step,
            run_engine=False,
            baseline_models=("CrostonSBA",),
            baseline_jobs=jobs,
            conformal_windows=windows,
        )
        began = time.perf_counter()
        report = evaluate(panel, config)
        seconds = time.perf_counter() - began
        m = report.method("CrostonSBA")
        rows.append(
            f"| {ds.name} | {', '.join(map(str, report.conformal_windows))} | {sum(report.n_scored):,} | "
            f"{m.spl:.4f} | {m.coverage[50]:.3f} / {m.coverage[80]:.3f} / {m.coverage[95]:.3f} | {m.crps:.3f} | "
            f"{seconds:.0f} |"
        )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="breakfast_at_the_frat", help="comma-separated: " + ", ".join(LOADERS))
    parser.add_argument("--jobs", type=int, default=1, help="processes for statsforecast")
    args = parser.parse_args(argv)
    print(
        "| data set | conformal windows per origin | series x origins | CrostonSBA SPL | cover 50 / 80 / 95 | CRPS | s |"
    )
    print("|---|---|---|---|---|---|---|")
    for name in args.datasets.split(","):
        for row in run(LOADERS[name](), args.jobs):
            print(row, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
