"""Benchmark: import time and row counts of every preset, against a plain import of the same mapped tables.

For each preset, in a fresh workspace per repeat:

- *preset*: ``import_preset`` end to end (read the raw files, map, write temporary Parquet, import service);
- *baseline*: ``import_sources`` on the already-mapped Parquet files alone — what ``hedgerow import FOLDER``
  costs for the same tables, i.e. the validation, quality checks, snapshot and lineage work every import pays.

The ratio preset / baseline is the overhead of reading and mapping the raw data set. Median of ``--repeat``
runs. Run: ``python -m bench.presets [--data ../shared/data] [--repeat 3] [--preset NAME ...]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from hedgerow.presets import Preset
from hedgerow.services.importing import import_sources
from hedgerow.services.presets import context_of, import_preset, map_preset, write_tables
from hedgerow.services.workspace import init_workspace

FOLDERS = {
    Preset.BREAKFAST: "breakfast_at_the_frat",
    Preset.BREAKFAST_NETWORK: "breakfast_at_the_frat",
    Preset.CARPARTS: "carparts",
    Preset.SCMS: "scms_delivery_history",
    Preset.ECB: "ecb_fx_rates",
    Preset.PORT_CONGESTION: "port_congestion_bts",
    Preset.GSCPI: "gscpi",
}


def _shared_data() -> Path:
    env = os.environ.get("HEDGEROW_SHARED_DATA")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parents[1]
    for parent in here.parents:
        if (parent / "shared" / "data").is_dir():
            return parent / "shared" / "data"
    return here.parent / "shared" / "data"


def _one(preset: Preset, data: Path, tmp: Path, k: int) -> tuple[float, float, dict[str, int]]:
    now = datetime.now(UTC)
    with init_workspace(tmp / f"{preset.value}-{k}-preset") as ws:
        start = time.perf_counter()
        result = import_preset(ws, preset, data, user="bench", now=now)
        preset_seconds = time.perf_counter() - start
        rows = {t.table.value: t.rows for t in result.outcome.tables}
    with init_workspace(tmp / f"{preset.value}-{k}-plain") as ws:
        _, mapped, _ = map_preset(preset, data, context_of(ws))
        sources = write_tables(mapped.tables, tmp / f"{preset.value}-{k}-files", preset)
        start = time.perf_counter()
        import_sources(ws, sources, user="bench", now=now)
        plain_seconds = time.perf_counter() - start
    return preset_seconds, plain_seconds, rows


def main() -> None:
    """Run the benchmark and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=None, help="shared data folder (default: ../shared/data)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--preset", action="append", choices=[p.value for p in Preset], default=None)
    args = parser.parse_args()
    root = args.data or _shared_data()
    presets = [Preset(p) for p in args.preset] if args.preset else list(Preset)
    print("| preset | rows per table | preset import s | plain import of mapped tables s | ratio |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="hedgerow-bench-presets-") as tmp_name:
        tmp = Path(tmp_name)
        for preset in presets:
            runs = [_one(preset, root / FOLDERS[preset], tmp, k) for k in range(args.repeat)]
            full = statistics.median(r[0] for r in runs)
            plain = statistics.median(r[1] for r in runs)
            rows = ", ".join(f"{t} {n:,}" for t, n in runs[0][2].items())
            print(f"| {preset.value} | {rows} | {full:.2f} | {plain:.2f} | {full / plain:.2f} |", flush=True)


if __name__ == "__main__":
    main()
