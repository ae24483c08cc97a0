"""The README's first session works literally: its code block runs as written, in a fresh folder, with bash.

The folder stands in for a fresh clone: the Makefile, pyproject.toml, the example export and the virtualenv are
linked in (the virtualenv is this checkout's, already installed, so `make install` has nothing to do; a test must
not reinstall the environment it runs in). The environment carries no HEDGEROW_* variable, as on a new machine.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

HEADING = "## A first session"


def first_session() -> str:
    """The bash block under the README's "A first session" heading."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(HEADING) :]
    found = re.search(r"```bash\n(.*?)```", section, re.DOTALL)
    assert found, "the README's first session has no ```bash block"
    return found.group(1)


@pytest.mark.slow
def test_readme_first_session_runs_as_written(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    clone.mkdir()
    for name in ("Makefile", "pyproject.toml", "examples", ".venv"):
        (clone / name).symlink_to(ROOT / name)
    script = first_session()
    for step in ("hedgerow init", "hedgerow import ../examples/erp-export", "hedgerow status", "hedgerow plan",
                 "hedgerow explain", "hedgerow users add", "hedgerow decide", "hedgerow export", "hedgerow audit verify"):  # fmt: skip
        assert step in script, step
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEDGEROW_") and k != "VIRTUAL_ENV"}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=None,
        check=False,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-4000:]
    workspace = clone / "my-workspace"
    assert (workspace / "hedgerow.toml").is_file()
    assert "imported demand as import" in out
    assert "Ready with gaps" in out or "Ready to plan" in out
    assert re.search(r"rec-[0-9a-f]{12} approved by ana", out)
    assert "exported 1 actions as csv" in out
    assert "audit chain intact" in out
    exported = list((workspace / "exports").glob("*.csv"))
    assert len(exported) == 1
    assert exported[0].read_text().count("\n") == 2  # the header and the one approved order
