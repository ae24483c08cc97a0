"""The preset import use case: a public data set's files in, an atomic import batch out.

Steps: locate and read the data set (checking it is the expected one), map it with the preset's pure
function, write the mapped tables as Parquet files named ``<table>.<preset>.parquet`` into a temporary
folder, and import them as one batch with :func:`hedgerow.services.importing.import_sources` — so contract
validation, data-quality warnings, atomicity and lineage are exactly those of ``hedgerow import``.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from hedgerow.domain.enums import TableName
from hedgerow.presets import RECIPES, Preset, PresetContext, PresetTables
from hedgerow.services.importing import ImportMode, ImportOutcome, ImportSource, Progress, import_sources
from hedgerow.services.workspace import Workspace


@dataclass(frozen=True)
class PresetImportOutcome:
    """Result of an accepted preset import.

    Attributes
    ----------
    preset:
        The preset imported.
    source:
        The folder the data set was read from.
    summary:
        The mapping's counts (rows read, written, dropped per reason, filled).
    outcome:
        The import service's result (batch id, reports, snapshots).
    seconds:
        Wall-clock seconds of each step: ``read``, ``map``, ``write`` (temporary Parquet) and ``import``.
    """

    preset: Preset
    source: Path
    summary: dict[str, Any]
    outcome: ImportOutcome
    seconds: dict[str, float]


def context_of(ws: Workspace) -> PresetContext:
    """What a mapping may know about the workspace: its base currency and planning period."""
    return PresetContext(base_currency=ws.settings.workspace.base_currency, period=ws.settings.workspace.period)


def map_preset(preset: Preset, path: Path, context: PresetContext) -> tuple[Path, PresetTables, dict[str, float]]:
    """Read and map a data set without importing it: (folder read, mapped tables, seconds of read and map).

    Raises
    ------
    InputFileError
        When ``path`` does not hold the preset's data set (missing file or column), naming what was expected.
    """
    recipe = RECIPES[preset]
    start = time.perf_counter()
    folder = recipe.dataset.locate(path)
    raw = recipe.dataset.load(folder)
    read_done = time.perf_counter()
    mapped = recipe.map_tables(raw, context)
    map_done = time.perf_counter()
    return folder, mapped, {"read": read_done - start, "map": map_done - read_done}


def write_tables(tables: Mapping[TableName, pd.DataFrame], folder: Path, preset: Preset) -> list[ImportSource]:
    """Write mapped tables as ``<table>.<preset>.parquet`` files and return them as import sources.

    The file names start with the table name, so the folder can also be imported with ``hedgerow import``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    sources = []
    for table, frame in tables.items():
        path = folder / f"{table.value}.{preset.value}.parquet"
        frame.reset_index(drop=True).to_parquet(path, index=False)
        sources.append(ImportSource(path=path, table=table))
    return sources


def import_preset(
    ws: Workspace,
    preset: Preset,
    path: Path,
    *,
    user: str,
    now: datetime,
    mode: ImportMode | None = None,
    force: bool = False,
    accept_fx_jumps: bool = False,
    progress: Progress | None = None,
) -> PresetImportOutcome:
    """Map a public data set and import it into ``ws`` as one atomic batch.

    Parameters
    ----------
    ws:
        The workspace; its base currency and period are passed to the mapping.
    preset:
        Which data set ``path`` holds.
    path:
        The data set's folder (or a folder containing it under its usual name, or one of its files).
    user, now, mode, force, accept_fx_jumps, progress:
        As for :func:`hedgerow.services.importing.import_sources`.

    Raises
    ------
    InputFileError
        When ``path`` does not hold the expected data set.
    ValidationFailed
        When a mapped table breaks the contract (a bug in the preset or an altered data set); nothing is written.
    """
    if progress:
        progress(f"reading {preset.value}", 0, 1)
    folder, mapped, seconds = map_preset(preset, path, context_of(ws))
    with tempfile.TemporaryDirectory(prefix=f"hedgerow-{preset.value}-") as tmp:
        start = time.perf_counter()
        sources = write_tables(mapped.tables, Path(tmp), preset)
        written = time.perf_counter()
        outcome = import_sources(
            ws,
            sources,
            user=user,
            now=now,
            mode=mode,
            force=force,
            accept_fx_jumps=accept_fx_jumps,
            progress=progress,
        )
        imported = time.perf_counter()
    seconds = {**seconds, "write": written - start, "import": imported - written}
    return PresetImportOutcome(
        preset=preset, source=folder, summary=dict(mapped.summary), outcome=outcome, seconds=seconds
    )
