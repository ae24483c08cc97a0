"""Benchmark: is the decision queue one a manager clears in ten minutes? (issue 14's figures, side by side).

For each workspace given (built with ``hedgerow demo`` or imported data), in two throw-away copies, it plans with
the workspace's own settings (the defaults a user gets) and, as the reference, with the materiality rule off
(``[plan] min_value = 0`` and ``min_value_share = 0``), both through ``make_workspace_plan`` as ``hedgerow plan``
does, and reports:

- *lines* (recommendations) and *decisions* (consignments: one per supplier or transfer lane, expedited shipment
  and buffer location, :mod:`hedgerow.domain.consignment`) with the rule on;
- the share of the reference plan's value (risk-adjusted saving against doing nothing) that the first
  ``--readable`` (150) decisions keep, and, for comparison, that the first 150 lines would keep if every line were
  its own decision;
- fractional order or transfer quantities, dominated recommendations, missing reasons and ranking breaches
  (:func:`hedgerow.explain.consistency.plan_issues`), and whether decision 1 has the largest value.

Run: ``python -m bench.queue_figures DIR [DIR ...] [--as-of YYYY-MM-DD] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from hedgerow.domain.actions import ActionKind, Role
from hedgerow.domain.plan import Plan
from hedgerow.explain.consistency import plan_issues
from hedgerow.services.planning import make_workspace_plan
from hedgerow.services.users import list_users
from hedgerow.services.workspace import open_workspace

#: How many decisions a manager reads in ten minutes (issue 14: at most 150 for 1,200 item-locations).
READABLE = 150
#: The materiality keys switched off for the reference plan.
MATERIALITY_OFF = {"min_value": "0.0", "min_value_share": "0.0"}


@dataclass(frozen=True)
class QueueFigures:
    """One workspace's queue figures (money in the workspace's base currency)."""

    workspace: str
    item_locations_with_a_line: int
    lines: int
    decisions: int
    decisions_by_kind: dict[str, int]
    value: float
    value_without_rule: float
    lines_without_rule: int
    kept_by_readable_decisions: float
    kept_by_readable_lines: float
    fractional: int
    issues: int
    rank1_largest: bool
    seconds_with_rule: float
    seconds_without_rule: float


def _materiality_off(root: Path) -> None:
    """Set the [plan] materiality keys of ``root``'s hedgerow.toml to 0."""
    path = root / "hedgerow.toml"
    text = path.read_text()
    for key, value in MATERIALITY_OFF.items():
        text, n = re.subn(rf"(?m)^{key} = .*$", f"{key} = {value}", text)
        if n != 1:
            raise SystemExit(f"{path}: no single `{key} = ...` line under [plan] to switch off")
    path.write_text(text)


def _plan(root: Path, as_of: date | None) -> tuple[Plan, float]:
    """Plan on ``root`` as its first admin (as `hedgerow plan` does); the plan and its wall seconds."""
    with open_workspace(root) as ws:
        admin = next(u.name for u in list_users(ws) if u.role is Role.ADMIN and not u.disabled)
        start = time.perf_counter()
        outcome = make_workspace_plan(ws, user=admin, now=datetime.now(UTC), as_of=as_of)
        return outcome.plan, time.perf_counter() - start


def _kept(plan: Plan, values: list[float], reference: Plan) -> float:
    """The share of ``reference``'s value that ``plan`` keeps when only its first :data:`READABLE` decisions (of
    ``values``, each decision's value) are taken: its value less what the others are worth."""
    left_out = math.fsum(sorted(values, reverse=True)[READABLE:])
    return (plan.value - left_out) / reference.value if reference.value > 0 else 1.0


def measure(root: Path, as_of: date | None) -> QueueFigures:
    """The figures of ``root`` (copied twice; the original is not touched)."""
    with tempfile.TemporaryDirectory() as tmp:
        on, off = Path(tmp) / "on", Path(tmp) / "off"
        shutil.copytree(root, on)
        shutil.copytree(root, off)
        _materiality_off(off)
        plan, seconds_on = _plan(on, as_of)
        reference, seconds_off = _plan(off, as_of)
    cons = plan.consignments
    kinds: dict[str, int] = {}
    for c in cons:
        kinds[c.kind.value] = kinds.get(c.kind.value, 0) + 1
    shipped = (ActionKind.ORDER, ActionKind.TRANSFER)
    fractional = sum(
        1 for r in plan.recommendations if r.action.kind in shipped and abs(r.action.qty - round(r.action.qty)) > 0
    )
    return QueueFigures(
        workspace=str(root),
        item_locations_with_a_line=len({(r.action.item_id, r.action.location_id) for r in reference.recommendations}),
        lines=len(plan.recommendations),
        decisions=len(cons),
        decisions_by_kind=kinds,
        value=plan.value,
        value_without_rule=reference.value,
        lines_without_rule=len(reference.recommendations),
        kept_by_readable_decisions=_kept(plan, [c.value for c in cons], reference),
        kept_by_readable_lines=_kept(plan, [r.value for r in plan.recommendations], reference),
        fractional=fractional,
        issues=len(plan_issues(plan)),
        rank1_largest=bool(cons) and cons[0].value == max(c.value for c in cons),
        seconds_with_rule=seconds_on,
        seconds_without_rule=seconds_off,
    )


def main() -> None:
    """Command line (module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workspaces", nargs="+", type=Path, help="workspace folders (e.g. built by `hedgerow demo`)")
    parser.add_argument("--as-of", type=date.fromisoformat, default=None, help="first day of the plans")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    rows = [measure(root, args.as_of) for root in args.workspaces]
    if args.json:
        print(json.dumps([asdict(r) for r in rows], indent=2))
        return
    print(
        "| workspace | lines | decisions | value kept by the first 150 decisions | by the first 150 lines | "
        "fractional | issues | rank 1 largest |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r.workspace} | {r.lines:,} | {r.decisions:,} | {r.kept_by_readable_decisions:.3f} | "
            f"{r.kept_by_readable_lines:.3f} | {r.fractional} | {r.issues} | {r.rank1_largest} |"
        )


if __name__ == "__main__":
    main()
