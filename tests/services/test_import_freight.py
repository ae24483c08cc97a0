"""The optional freight_rates table: a good file is imported and replaces the assumed freight volatility; a bad
one is rejected row by row and nothing is written."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from hedgerow.contract.report import CheckKind
from hedgerow.domain.enums import Severity, TableName
from hedgerow.errors import ValidationFailed
from hedgerow.services.importing import ImportSource, import_sources, sources_from_folder
from hedgerow.services.workspace import Workspace
from hedgerow.supply.freight import FREIGHT_ASSUMPTIONS, VolatilitySource
from hedgerow.supply.model import fit_supply
from tests.conftest import NOW

HEADER = "lane_id,mode,date,rate_per_unit,currency\n"


def _good(tmp_path: Path) -> Path:
    """Eleven weekly quotes on VN-LAX-OCN alternating ±10 %, an ocean index, and a row that names nothing."""
    rates = 2.50 * np.exp(np.concatenate([[0.0], np.cumsum([0.1, -0.1] * 5)]))
    days = [f"2026-09-{d:02d}" for d in (1, 8, 15, 22, 29)] + [f"2026-10-{d:02d}" for d in (6, 13, 20, 27)]
    days += ["2026-11-03", "2026-11-10"]
    lines = [f"VN-LAX-OCN,,{d},{r:.6f},USD" for d, r in zip(days, rates, strict=True)]
    lines += [f",ocean,{d},1000,USD" for d in days[:3]]
    lines += [",,2026-11-10,5.0,USD"]
    path = tmp_path / "freight_rates.csv"
    path.write_text(HEADER + "\n".join(lines) + "\n")
    return path


def test_a_good_freight_rates_file_is_imported_and_read_by_the_supply_model(
    workspace: Workspace, tmp_path: Path, network_dir: Path
) -> None:
    sources, _ = sources_from_folder(network_dir)
    import_sources(workspace, sources, user="ana", now=NOW)
    outcome = import_sources(workspace, [ImportSource(_good(tmp_path), TableName.FREIGHT_RATES)], user="ana", now=NOW)
    (report,) = outcome.reports
    assert report.ok
    assert report.rows == 15
    fixture = 5  # the fixture network's own quotes (too few to fit anything), kept by the upsert
    # the row with neither lane_id nor mode is kept with a warning (it applies to no lane)
    assert [(f.check, f.severity, f.row) for f in report.warnings] == [(CheckKind.NO_SCOPE, Severity.WARNING, 15)]
    frames = workspace.current_frames()
    assert len(frames[TableName.FREIGHT_RATES]) == 15 + fixture
    model = fit_supply(frames, as_of=datetime(2026, 11, 23), base_currency="USD", period_days=7)
    assert model.freight is not None
    # 10 returns of ±10 % a week: sd 0.1·√(10/9); the ocean index has too few quotes (3 + the fixture's 1), so
    # the other ocean lanes stay assumed
    assert model.freight.weekly_volatility["VN-LAX-OCN"] == pytest.approx(
        0.1 * math.sqrt(10 / 9), rel=1e-5
    )  # 6-decimal CSV
    assert model.freight.sources["VN-LAX-OCN"] is VolatilitySource.LANE_HISTORY
    assert model.freight.sources["CN-LAX-OCN"] is VolatilitySource.ASSUMED
    assert (
        model.freight.weekly_volatility["CN-LAX-OCN"]
        == FREIGHT_ASSUMPTIONS[model.freight.lane_modes["CN-LAX-OCN"]].weekly_volatility
    )


def test_a_bad_freight_rates_file_is_rejected_naming_each_row(
    workspace: Workspace, tmp_path: Path, network_dir: Path
) -> None:
    sources, _ = sources_from_folder(network_dir)
    import_sources(workspace, sources, user="ana", now=NOW)
    before = workspace.current_imports()[TableName.FREIGHT_RATES].snapshot_sha256
    path = tmp_path / "freight_rates.csv"
    path.write_text(
        HEADER
        + "CN-LAX-AIR,,2026-11-10,-3.1,USD\n"  # row 1: negative rate
        + ",barge,2026-11-10,2.0,USD\n"  # row 2: not a mode
        + "CN-LAX-AIR,,2027-01-10,3.1,USD\n"  # row 3: in the future
        + "CN-LAX-AIR,,2026-11-03,3.1,dollars\n"  # row 4: not a currency code
    )
    with pytest.raises(ValidationFailed) as info:
        import_sources(workspace, [ImportSource(path, TableName.FREIGHT_RATES)], user="ana", now=NOW)
    (report,) = info.value.reports
    assert report.table is TableName.FREIGHT_RATES
    assert sorted((f.row, f.column, f.check) for f in report.errors) == [
        (1, "rate_per_unit", CheckKind.MIN_VALUE),
        (2, "mode", CheckKind.ALLOWED_VALUES),
        (3, "date", CheckKind.FUTURE_DATE),
        (4, "currency", CheckKind.PATTERN),
    ]
    assert workspace.current_imports()[TableName.FREIGHT_RATES].snapshot_sha256 == before  # nothing written


def test_a_file_without_rate_per_unit_is_rejected(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "freight_rates.csv"
    path.write_text("lane_id,date,rate_per_container,currency\nCN-LAX-OCN,2026-11-10,2400,USD\n")
    with pytest.raises(ValidationFailed) as info:
        import_sources(workspace, [ImportSource(path, TableName.FREIGHT_RATES)], user="ana", now=NOW)
    (report,) = info.value.reports
    assert [(f.check, f.column) for f in report.errors] == [(CheckKind.MISSING_COLUMN, "rate_per_unit")]
