"""Shared by the web benchmarks: a demo workspace with N recommendations in its ledger and users with API keys.

The recommendations are the sample plans of ``tests/api/plans.py`` (one order per item-location, with full
explanation JSON), recorded through ``record_plan`` until the planner records real ones.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the sample-plan builder lives with the tests
    sys.path.insert(0, str(ROOT))

from tests.api.plans import sample_plan  # noqa: E402

from hedgerow.demo import DemoSpec  # noqa: E402
from hedgerow.domain.actions import Role  # noqa: E402
from hedgerow.services.demo import build_demo_workspace  # noqa: E402
from hedgerow.services.recommendations import record_plan  # noqa: E402
from hedgerow.services.users import add_user, create_api_key  # noqa: E402

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PASSWORD = "bench password 1"


@dataclass(frozen=True)
class BenchWorkspace:
    """A benchmark workspace: its folder, the viewer's API key and how many recommendations it holds."""

    root: Path
    viewer_key: str
    recommendations: int


def build(root: Path, n_recs: int, *, ledger_url: str | None = None, weeks: int = 16) -> BenchWorkspace:
    """A demo network with about ``1.35 n_recs / 5`` items × 5 warehouses and a plan of ``n_recs`` recommendations."""
    # about three in four item-locations have a supplier lane of their own; the rest are served by transfers
    spec = DemoSpec(n_items=max(10, math.ceil(n_recs / 5 * 1.35)), n_locations=5, weeks=weeks, as_of=date(2026, 11, 23))
    if ledger_url is not None:
        import os

        os.environ["HEDGEROW_LEDGER_URL"] = ledger_url
    result = build_demo_workspace(root, spec, seed=7, now=NOW, user="pat", force=True)
    with result.workspace as ws:
        add_user(ws, "ada", Role.ADMIN, password=PASSWORD, actor=None, now=NOW)
        add_user(ws, "vic", Role.VIEWER, password=PASSWORD, actor="ada", now=NOW)
        key = create_api_key(ws, "vic", label="bench", actor="vic", now=NOW)[1]
        plan = sample_plan(ws, "P-BENCH", NOW, limit=n_recs)
        record_plan(ws, plan, user="ada", now=NOW)
    if len(plan.recommendations) < n_recs:
        raise RuntimeError(f"the demo network served only {len(plan.recommendations)} of {n_recs} recommendations")
    return BenchWorkspace(root, key, len(plan.recommendations))
