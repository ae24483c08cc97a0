"""Implausible exchange rates at import (issue 16, defect 6a): a 1e11 or 1e-7 rate rejects the import, naming the
file, row, value and the rates around it, and nothing is written; accepted on purpose (``--accept-fx-jumps``) it is
kept as a warning and `hedgerow status` names it until corrected."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hedgerow.contract.report import CheckKind
from hedgerow.domain.enums import Severity, TableName
from hedgerow.errors import ValidationFailed
from hedgerow.services.importing import ImportSource, import_sources, sources_from_folder
from hedgerow.services.readiness import GapKind
from hedgerow.services.status import workspace_status
from hedgerow.services.workspace import Workspace
from tests.conftest import NOW


def _network_with_bad_rates(tmp_path: Path, network_dir: Path) -> Path:
    folder = tmp_path / "in"
    shutil.copytree(network_dir, folder)
    with (folder / "fx_rates.csv").open("a") as out:
        out.write("2026-11-21,CNY,1e11\n2026-11-21,JPY,1e-7\n")  # rows 7 and 8
    return folder


def test_a_1e11_rate_rejects_the_import_naming_the_row(workspace: Workspace, tmp_path: Path, network_dir: Path) -> None:
    sources, _ = sources_from_folder(_network_with_bad_rates(tmp_path, network_dir))
    with pytest.raises(ValidationFailed) as info:
        import_sources(workspace, sources, user="ana", now=NOW)
    (report,) = [r for r in info.value.reports if not r.ok]
    assert report.table is TableName.FX_RATES
    assert report.source == "fx_rates.csv"
    assert [(f.check, f.row, f.value) for f in report.errors] == [
        (CheckKind.FX_JUMP, 7, "100000000000"),
        (CheckKind.FX_JUMP, 8, "1e-07"),
    ]
    text = str(info.value)
    assert text.startswith("fx_rates.csv: rejected as table fx_rates — 2 errors in 8 rows; nothing was imported.")
    assert "before it 7.22 on 2026-11-20 and after it 7.2 on 2026-11-23" in text
    assert "--accept-fx-jumps" in text
    assert workspace.current_imports() == {}  # all or nothing: not even the valid tables


def test_an_upsert_is_checked_against_the_workspace_history(
    workspace: Workspace, tmp_path: Path, network_dir: Path
) -> None:
    sources, _ = sources_from_folder(network_dir)
    import_sources(workspace, sources, user="ana", now=NOW)
    day = tmp_path / "fx_rates.csv"
    day.write_text("date,currency,units_per_base\n2026-11-24,JPY,156.1\n2026-11-24,CNY,7.2e-7\n")
    with pytest.raises(ValidationFailed) as info:
        import_sources(workspace, [ImportSource(day, TableName.FX_RATES)], user="ana", now=NOW)
    (report,) = info.value.reports
    assert [(f.check, f.row) for f in report.errors] == [(CheckKind.FX_JUMP, 2)]
    assert "CNY's accepted rates before it 7.2 on 2026-11-23" in str(info.value)


def test_accepted_rates_are_warnings_that_status_names(workspace: Workspace, tmp_path: Path, network_dir: Path) -> None:
    sources, _ = sources_from_folder(_network_with_bad_rates(tmp_path, network_dir))
    outcome = import_sources(workspace, sources, user="ana", now=NOW, accept_fx_jumps=True)
    report = next(r for r in outcome.reports if r.table is TableName.FX_RATES)
    assert [(f.check, f.severity, f.row) for f in report.warnings if f.check is CheckKind.FX_JUMP] == [
        (CheckKind.FX_JUMP, Severity.WARNING, 7),
        (CheckKind.FX_JUMP, Severity.WARNING, 8),
    ]
    assert report.trust_score == 75.0  # 6 of 8 rows without a warning
    status = workspace_status(workspace, NOW)
    (gap,) = [g for g in status.readiness.gaps if g.kind is GapKind.SUSPICIOUS_FX]
    assert not gap.blocking
    assert gap.message.startswith("fx_rates has 2 rates more than 10 times or under 1/10 of the rates around them")
    assert "CNY 1e+11 on 2026-11-21 (CNY's accepted rates before it 7.22 on 2026-11-20" in gap.message
    assert "JPY 1e-07 on 2026-11-21" in gap.message
    assert "hedgerow import fx_rates.csv with the corrected rows" in gap.fix
    # correcting the rows (the default upsert) clears the gap
    fixed = tmp_path / "fx_rates.csv"
    fixed.write_text("date,currency,units_per_base\n2026-11-21,CNY,7.215\n2026-11-21,JPY,156.0\n")
    import_sources(workspace, [ImportSource(fixed, TableName.FX_RATES)], user="ana", now=NOW)
    after = workspace_status(workspace, NOW)
    assert [g for g in after.readiness.gaps if g.kind is GapKind.SUSPICIOUS_FX] == []
