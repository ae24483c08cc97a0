"""List the benchmarks: ``python -m bench``."""

from __future__ import annotations

import pkgutil
from pathlib import Path

if __name__ == "__main__":
    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if not m.name.startswith("_"))
    print("Benchmarks (run one with `python -m bench.<name>`; figures go to BENCHMARKS.md):")
    for name in names:
        print(f"  bench.{name}")
