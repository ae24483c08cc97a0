"""forecast-eval: a small golden backtest (engine and baselines), and the metric plumbing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from hedgerow.demand.engine import EngineConfig
from hedgerow.demand.evaluation import BASELINES, ENGINE, EvalConfig, EvalReport, evaluate
from hedgerow.demand.models.global_gbm import GbmConfig
from hedgerow.demand.series import SeriesPanel
from hedgerow.errors import DemandDataError

GOLDEN = Path(__file__).parent / "golden" / "backtest.json"
CONFIG = EvalConfig(
    horizon=6,
    origins=2,
    engine=EngineConfig(gbm=GbmConfig(max_rows=20_000, n_estimators=60, num_leaves=15, n_threads=1)),
)


def _figures(report_dict: dict[str, object]) -> dict[str, object]:
    methods = report_dict["methods"]
    assert isinstance(methods, dict)
    keep = ("spl", "spl_by_origin", "crps", "coverage", "bias", "relative_bias")
    return {
        "origins": report_dict["origins"],
        "n_scored": report_dict["n_scored"],
        "methods": {name: {k: m[k] for k in keep} for name, m in methods.items()},
    }


@pytest.fixture(scope="module")
def report(small_panel: SeriesPanel) -> EvalReport:
    return evaluate(small_panel, CONFIG)


def test_golden_backtest(report: EvalReport) -> None:
    """Figures of a fixed backtest. After an intended change: HEDGEROW_UPDATE_GOLDEN=1 pytest -k golden."""
    figures = _figures(report.to_dict())
    if os.environ.get("HEDGEROW_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert figures["origins"] == golden["origins"]
    assert figures["n_scored"] == golden["n_scored"]
    for name, scores in golden["methods"].items():
        for key, value in scores.items():
            got = figures["methods"][name][key]  # type: ignore[index]
            if isinstance(value, dict):
                assert got == pytest.approx(value, rel=1e-6, abs=1e-9), (name, key)
            else:
                assert np.asarray(got) == pytest.approx(np.asarray(value), rel=1e-6, abs=1e-9), (name, key)


def test_report_has_every_method_and_sane_scores(report: EvalReport) -> None:
    assert [m.name for m in report.methods] == [ENGINE, *BASELINES]
    for m in report.methods:
        assert 0 < m.spl < 2
        assert all(0 <= c <= 1 for c in m.coverage.values())
        assert m.coverage[50] <= m.coverage[80] <= m.coverage[95]
    engine = report.method(ENGINE)
    assert engine.crps_exact is not None
    assert engine.crps_exact <= engine.crps * 1.05  # the 19-quantile approximation is close to the exact CRPS
    assert report.improvement() is not None


def test_history_too_short_is_a_clear_error(small_panel: SeriesPanel) -> None:
    with pytest.raises(DemandDataError, match="too short for 8 origins"):
        evaluate(small_panel, EvalConfig(horizon=13, origins=8))
    with pytest.raises(DemandDataError, match="quantile levels must lie strictly between 0 and 1"):
        EvalConfig(levels=(0.5, 1.0))
