"""`hedgerow forecast-eval` on a real workspace: JSON output, table output, clean errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from hedgerow.cli import app
from hedgerow.demand.synthetic import synthetic_demand
from hedgerow.domain.enums import TableName
from hedgerow.services.importing import ImportSource, import_sources
from hedgerow.services.workspace import init_workspace


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ws") / "shop"
    data = synthetic_demand(np.random.default_rng(3), n_series=12, n_periods=60, censor_rate=0.05)
    csv = root.parent / "demand.csv"
    frame = data.demand.assign(period_start=data.demand["period_start"].dt.strftime("%Y-%m-%d"))
    frame.to_csv(csv, index=False)
    with init_workspace(root) as ws:
        import_sources(ws, [ImportSource(csv, TableName.DEMAND)], user="test", now=datetime(2026, 1, 5, tzinfo=UTC))
    return root


def test_forecast_eval_json(workspace: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "forecast-eval",
            "--workspace",
            str(workspace),
            "--horizon",
            "4",
            "--origins",
            "2",
            "--no-baselines",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["ok"] is True
    assert payload["horizon"] == 4
    assert len(payload["origins"]) == 2
    engine = payload["methods"]["hedgerow"]
    assert 0 < engine["spl"] < 2
    assert set(engine["coverage"]) == {"50", "80", "95"}
    assert payload["best_baseline"] is None


def test_forecast_eval_table_with_baselines(workspace: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["--workspace", str(workspace), "forecast-eval", "--horizon", "4", "--origins", "1", "--quantiles", "0.5,0.9"],
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    for name in ("hedgerow", "SeasonalNaive", "AutoETS", "CrostonSBA", "(the best baseline)", "conformal windows"):
        assert name in text
    assert "lower (better) than" in text or "higher (worse) than" in text


def test_forecast_eval_defaults_fit_the_history(workspace: Path) -> None:
    """60 weekly periods and a 26-week workspace horizon: the horizon shrinks to fit one origin after a season."""
    result = CliRunner().invoke(app, ["forecast-eval", "--workspace", str(workspace), "--no-baselines"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Rolling origins: horizon 8, 1 origin (chosen from 60 periods of history)." in text


def test_forecast_eval_errors_are_clean(workspace: Path, tmp_path: Path) -> None:
    bad = CliRunner().invoke(app, ["forecast-eval", "--workspace", str(workspace), "--quantiles", "0.5,x", "--json"])
    assert bad.exit_code == 1
    assert "--quantiles must be comma-separated numbers" in json.loads(bad.output)["error"]
    long = CliRunner().invoke(
        app, ["forecast-eval", "--workspace", str(workspace), "--horizon", "26", "--origins", "3"]
    )
    assert long.exit_code == 1
    assert "too short" in " ".join(long.output.split())
    with init_workspace(tmp_path / "empty"):
        pass
    empty = CliRunner().invoke(app, ["forecast-eval", "--workspace", str(tmp_path / "empty")])
    assert empty.exit_code == 1
    assert "has no demand table" in " ".join(empty.output.split())
