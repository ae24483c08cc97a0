"""CPU cost of starting hedgerow: `--help` and `status`, next to a bare interpreter measured side by side.

    python -m bench.cli_start                       # this checkout's src/
    python -m bench.cli_start --src ../main/src     # another checkout's code, with this checkout's interpreter

``status`` runs on a workspace built from tests/fixtures/network (in a temporary folder, by the code under test). Every command runs
``--rounds`` times in interleaved rounds; the least CPU (user + system) of each is kept, since contention only
adds CPU time. The test venv's interpreter carries a .pth file that imports Sphinx at start-up (a dependency of
stockpyl), which is why the bare interpreter is reported beside every figure.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENTRY = "import sys; sys.path.insert(0, sys.argv.pop(1)); from hedgerow.cli import main; main()"


def _cpu(args: list[str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(args, check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=ROOT / "src", help="the hedgerow source tree to start")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="hedgerow-start-") as tmp:
        ws = Path(tmp) / "ws"
        build = [py, "-c", ENTRY, str(args.src)]  # the workspace is made by the code under test (its settings)
        subprocess.run([*build, "init", str(ws)], check=True, capture_output=True)
        subprocess.run(
            [*build, "import", str(ROOT / "tests" / "fixtures" / "network"), "-w", str(ws)],
            check=True,
            capture_output=True,
        )
        commands = {
            "bare python": [py, "-c", "pass"],
            "import sqlalchemy.orm, pydantic": [py, "-c", "import sqlalchemy.orm, pydantic"],
            "hedgerow --help": [py, "-c", ENTRY, str(args.src), "--help"],
            "hedgerow status": [py, "-c", ENTRY, str(args.src), "status", "-w", str(ws)],
        }
        best = dict.fromkeys(commands, float("inf"))
        for _ in range(args.rounds):
            for name, command in commands.items():
                best[name] = min(best[name], _cpu(command))
    bare = best["bare python"]
    print(f"source: {args.src}")
    for name, seconds in best.items():
        extra = "" if name == "bare python" else f"  (+{seconds - bare:.3f} s over bare)"
        print(f"{name:>32}: {seconds:.3f} s CPU{extra}")


if __name__ == "__main__":
    main(sys.argv[1:])
