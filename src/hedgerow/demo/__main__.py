"""Generate a demo network from the command line and report its size, time and memory.

    python -m hedgerow.demo OUT_FOLDER [--items 300] [--locations 5] [--weeks 156] [--seed 42] [--as-of 2026-11-23]
    python -m hedgerow.demo --items 20000 --no-write          # benchmark the generator alone

An edge like :mod:`hedgerow.demo.files`: it reads the clock (the default as-of date is this week's Monday) and
writes files; the generator itself does neither.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from hedgerow.demo.files import write_demo_files
from hedgerow.demo.generator import build_demo_network
from hedgerow.demo.spec import DemoSpec


def _parser() -> argparse.ArgumentParser:
    today = date.today()
    monday = today - timedelta(days=today.weekday())
    p = argparse.ArgumentParser(prog="python -m hedgerow.demo", description=__doc__.splitlines()[0])
    p.add_argument("folder", nargs="?", type=Path, help="where to write the CSV files (omit with --no-write)")
    p.add_argument("--items", type=int, default=300, help="items in the catalogue (default 300)")
    p.add_argument("--locations", type=int, default=5, help="warehouses (default 5)")
    p.add_argument("--weeks", type=int, default=156, help="weeks of history (default 156)")
    p.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    p.add_argument("--as-of", type=date.fromisoformat, default=monday, help="a Monday (default: this week's)")
    p.add_argument("--no-write", action="store_true", help="generate only; report time and memory")
    return p


def _peak_rss_mib() -> str:
    try:
        import resource  # Unix only
    except ImportError:  # pragma: no cover - Windows
        return "n/a"
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return f"{kib / 1024:,.0f} MiB"


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit code."""
    args = _parser().parse_args(argv)
    if args.folder is None and not args.no_write:
        print("give an output folder, or --no-write", file=sys.stderr)
        return 2
    try:
        spec = DemoSpec(n_items=args.items, n_locations=args.locations, weeks=args.weeks, as_of=args.as_of)
    except (TypeError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    started, cpu_started = time.perf_counter(), time.process_time()
    network = build_demo_network(spec, np.random.default_rng(args.seed))
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    # identifier cells share one string object per distinct id, so the shallow size is the real one
    frames_mib = sum(f.memory_usage(deep=False).sum() for f in network.tables.values()) / 2**20
    print(
        f"{spec.n_items:,} items × {spec.n_locations} locations × {spec.weeks} weeks → "
        f"{len(network.series):,} item-locations: built in {seconds:.2f} s ({cpu_seconds:.2f} s CPU), tables {frames_mib:,.0f} MiB, "
        f"peak RSS {_peak_rss_mib()}"
    )
    for table, frame in network.tables.items():
        print(f"  {table.value:<15} {len(frame):>12,} rows")
    if not args.no_write:
        started = time.perf_counter()
        paths = write_demo_files(network, args.folder)
        print(f"wrote {len(paths)} CSV files to {args.folder} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
