"""Accuracy of the demand engine against statsforecast baselines on the real data sets of ../shared/data.

    python -m bench.demand_accuracy                          # all three data sets, baselines cached in bench/out
    python -m bench.demand_accuracy --datasets carparts --jobs 2
    python -m bench.demand_accuracy --datasets carparts --gbm-hurdle   # global model with its hurdle option

Each data set is evaluated with ``forecast-eval``'s rolling origins (settings in bench/datasets.py). Baselines
(SeasonalNaive, AutoETS, CrostonSBA; statsforecast, as documented) are slow, deterministic and independent of
the engine, so their scores are cached in bench/out/ by data set and evaluation settings; ``--fresh-baselines``
recomputes them. Both runs score the same series (the eligibility rule does not depend on the method).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.datasets import LOADERS, DemandDataset
from hedgerow.demand.engine import EngineConfig
from hedgerow.demand.evaluation import ENGINE, EvalConfig, evaluate
from hedgerow.demand.models.global_gbm import GbmConfig
from hedgerow.demand.series import build_panel

OUT = Path(__file__).resolve().parent / "out"


def _config(ds: DemandDataset, jobs: int, *, engine: bool, baselines: bool, hurdle: bool = False) -> EvalConfig:
    return EvalConfig(
        horizon=ds.horizon,
        origins=ds.origins,
        step=ds.step,
        baselines=baselines,
        run_engine=engine,
        baseline_jobs=jobs,
        engine=replace(EngineConfig(), statsforecast_jobs=jobs, gbm=replace(GbmConfig(), hurdle=hurdle)),
    )


def run(ds: DemandDataset, jobs: int, fresh_baselines: bool, hurdle: bool = False) -> dict[str, Any]:
    """Evaluate one data set; returns the merged report (engine + cached baselines)."""
    OUT.mkdir(exist_ok=True)
    t0 = time.perf_counter()
    panel = build_panel(ds.demand, freq=ds.freq)
    panel_s = time.perf_counter() - t0
    cache = OUT / f"baselines_{ds.name}_h{ds.horizon}_o{ds.origins}_s{ds.step}.json"
    if fresh_baselines or not cache.exists():
        base = evaluate(panel, _config(ds, jobs, engine=False, baselines=True)).to_dict()
        cache.write_text(json.dumps(base, indent=1), encoding="utf-8")
    baselines = json.loads(cache.read_text(encoding="utf-8"))
    report = evaluate(panel, _config(ds, jobs, engine=True, baselines=False, hurdle=hurdle)).to_dict()
    if report["n_scored"] != baselines["n_scored"]:
        raise RuntimeError(f"{ds.name}: engine and cached baselines scored different series; use --fresh-baselines")
    methods = {**report["methods"], **baselines["methods"]}
    best = min((m for m in methods if m != ENGINE), key=lambda m: methods[m]["spl"])
    report.update(
        dataset=ds.name + (" (GBM hurdle)" if hurdle else ""),
        note=ds.note,
        methods=methods,
        best_baseline=best,
        improvement_vs_best_baseline=1.0 - methods[ENGINE]["spl"] / methods[best]["spl"],
        panel_seconds=panel_s,
        machine=f"{platform.machine()}, Python {platform.python_version()}",
    )
    (OUT / f"accuracy_{ds.name}{'_hurdle' if hurdle else ''}.json").write_text(
        json.dumps(report, indent=1), encoding="utf-8"
    )
    return report


def summary_line(report: dict[str, Any]) -> str:
    """One markdown table row of a data set's results."""
    m = report["methods"]
    e, b = m[ENGINE], m[report["best_baseline"]]
    return (
        f"| {report['dataset']} | {report['horizon']} | {len(report['origins'])} | {sum(report['n_scored']):,} | "
        f"{e['spl']:.4f} | {report['best_baseline']} {b['spl']:.4f} | {report['improvement_vs_best_baseline']:+.1%} | "
        f"{e['coverage']['80']:.3f} | {e['coverage']['50']:.3f} / {e['coverage']['95']:.3f} | {e['crps']:.3f} vs {b['crps']:.3f} | "
        f"{e['relative_bias']:+.3f} | {e['seconds']:.0f} |"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(LOADERS), help="comma-separated: " + ", ".join(LOADERS))
    parser.add_argument("--jobs", type=int, default=2, help="processes for statsforecast")
    parser.add_argument("--fresh-baselines", action="store_true")
    parser.add_argument("--gbm-hurdle", action="store_true", help="global model with GbmConfig(hurdle=True)")
    args = parser.parse_args(argv)
    lines = []
    for name in args.datasets.split(","):
        report = run(LOADERS[name](), args.jobs, args.fresh_baselines, args.gbm_hurdle)
        lines.append(summary_line(report))
        methods = report["methods"]
        for method, scores in methods.items():
            print(
                f"{name:>22} {method:>14}: SPL {scores['spl']:.4f} by origin {[round(x, 4) for x in scores['spl_by_origin']]} "
                f"CRPS {scores['crps']:.3f} cover80 {scores['coverage']['80']:.3f} bias {scores['relative_bias']:+.3f} "
                f"{scores['seconds']:.0f}s"
            )
    print(
        "| data set | h | origins | series x origins | hedgerow SPL | best baseline SPL | SPL change | cover 80 | cover 50 / 95 | CRPS | rel. bias | engine s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for line in lines:
        print(line)


if __name__ == "__main__":
    main(sys.argv[1:])
