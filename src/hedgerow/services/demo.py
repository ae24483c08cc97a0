"""Build the demo workspace: generate the seeded demo network, write it as an "ERP export", import it.

Layout of a demo workspace folder::

    hedgerow.toml, ledger.sqlite, snapshots/    the workspace itself
    inbox/<table>.csv|parquet                   the generated tables, as a planner would receive them
    truth/                                      what real life never tells you: uncensored demand, designed
                                                series parameters, the catalogue (for tests and benchmarks)

:func:`record_demo_history` then gives the ledger a past the hindsight scoreboard can score: a review of the
item-locations counted before a past Monday, planned as of that Monday on what was known then, and its queue
cleared that morning by two demo people who approve most recommendations and override a few.
"""

from __future__ import annotations

import math
import shutil
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hedgerow.config import CONFIG_FILE_NAME, Settings
from hedgerow.decide.lifecycle import DecisionKind, ReasonCategory
from hedgerow.decide.records import DecisionRequest
from hedgerow.demo import DemoSpec, build_demo_network
from hedgerow.demo.files import write_demo_tables, write_truth
from hedgerow.domain.actions import ActionKind, RecommendationStatus, Role
from hedgerow.domain.enums import DemandProfile, Period, TableName
from hedgerow.errors import WorkspaceError
from hedgerow.plan.planner import MethodChoice, PlannerOptions
from hedgerow.services.holds import create_hold
from hedgerow.services.importing import ImportOutcome, Progress, import_sources, sources_from_folder
from hedgerow.services.planning import make_workspace_plan
from hedgerow.services.recommendations import RecommendationView, decide, list_recommendations
from hedgerow.services.users import add_user, user_count
from hedgerow.services.workspace import Workspace, init_workspace

INBOX = "inbox"
TRUTH = "truth"


class DemoFileFormat(StrEnum):
    """Format the demo tables are written in before import."""

    CSV = "csv"
    PARQUET = "parquet"


@dataclass(frozen=True)
class DemoResult:
    """What building the demo produced."""

    workspace: Workspace
    spec: DemoSpec
    seed: int
    outcome: ImportOutcome


def week_start(moment: datetime) -> date:
    """The Monday of the week ``moment`` falls in (the demo's as-of date)."""
    day = moment.date()
    return day - timedelta(days=day.weekday())


def _clear(root: Path, force: bool) -> None:
    if not root.exists():
        return
    if not root.is_dir():
        raise WorkspaceError(f"{root} exists and is not a folder")
    if not any(root.iterdir()):
        return
    if not force:
        raise WorkspaceError(f"{root} already exists; pass --force to rebuild the demo there")
    if not (root / CONFIG_FILE_NAME).exists():
        raise WorkspaceError(f"{root} is not empty and not a hedgerow workspace; --force only replaces a workspace")
    shutil.rmtree(root)


def build_demo_workspace(
    root: Path,
    spec: DemoSpec,
    *,
    seed: int,
    now: datetime,
    user: str,
    file_format: DemoFileFormat = DemoFileFormat.CSV,
    force: bool = False,
    progress: Progress | None = None,
) -> DemoResult:
    """Create (or with ``force`` recreate) a workspace holding the demo network, imported like real data.

    Raises
    ------
    WorkspaceError
        When ``root`` holds something other than a workspace, or a workspace and ``force`` is not given.
    """
    _clear(root, force)
    if progress:
        progress("generating the demo network", 0, 3)
    network = build_demo_network(spec, np.random.default_rng(seed))
    defaults = Settings()
    # the demo plans right after the import: the fast demand profile keeps `make demo` around a minute
    settings = replace(
        defaults,
        workspace=replace(defaults.workspace, name="hedgerow demo", base_currency="USD"),
        demand=replace(defaults.demand, profile=DemandProfile.FAST),
    )
    ws = init_workspace(root, settings=settings)
    try:
        if progress:
            progress("writing the inbox", 1, 3)
        write_demo_tables(network, root / INBOX, parquet=file_format is DemoFileFormat.PARQUET)
        write_truth(network, root / TRUTH)
        sources, _ = sources_from_folder(root / INBOX)
        outcome = import_sources(ws, sources, user=user, now=now, progress=progress)
    except BaseException:
        ws.close()
        raise
    return DemoResult(workspace=ws, spec=spec, seed=seed, outcome=outcome)


#: The demo's planner (decides up to the approver threshold) and approver (decides any size).
DEMO_PLANNER, DEMO_APPROVER = "k.tanaka", "a.moreau"
#: Weeks between the end of the past review's scoring window and the demo's as-of date.
HISTORY_SLACK_WEEKS = 2
#: Fewest weeks of demand history the past review plans on.
HISTORY_MIN_WEEKS = 26
#: Hour (UTC) the past review was planned and its queue cleared, one decision a minute from then.
REVIEW_HOUR = 9
#: Most item-locations the past review plans (those counted last before it): its demand fit stays a few seconds.
REVIEW_MAX_ITEM_LOCATIONS = 32
#: Planner tuning of the past review: the ladder, as the full demo plan uses (no time-limited exact solve).
REVIEW_OPTIONS = PlannerOptions(method=MethodChoice.LADDER)
#: Share of its count the past review's planner holds back at the reviewed item-location with the most stock
#: (a buffer kept outside the plan, which the scoreboard scores in hindsight).
REVIEW_HOLD_SHARE = 0.25
#: Why the past review's planner holds it back.
REVIEW_HOLD_REASON = "Kept back for a key account's year-end order, outside the plan"
#: Kinds of recommendation the past review's people override; the others (buffers) they approve.
OVERRIDABLE = frozenset({ActionKind.ORDER, ActionKind.TRANSFER, ActionKind.EXPEDITE})


@dataclass(frozen=True)
class _Override:
    """How the past review's people change the n-th overridable recommendation of its queue."""

    kind: DecisionKind
    reason_category: ReasonCategory
    reason: str
    qty_factor: float = 1.0


#: Overrides by position among the overridable recommendations (rank order); every other one is approved.
OVERRIDES: dict[int, _Override] = {
    1: _Override(
        DecisionKind.MODIFY, ReasonCategory.RISK_APPETITE, "Cash is tight until the quarter closes: half now", 0.5
    ),
    3: _Override(DecisionKind.REJECT, ReasonCategory.BUDGET, "Over this month's purchasing budget"),
    5: _Override(
        DecisionKind.MODIFY, ReasonCategory.DEMAND_KNOWLEDGE, "Key accounts asked for more before the holidays", 1.5
    ),
}


@dataclass(frozen=True)
class DemoHistory:
    """The past review :func:`record_demo_history` recorded."""

    plan_id: str
    as_of: date
    item_locations: int
    decisions: int
    overrides: int
    deciders: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "plan_id": self.plan_id,
            "as_of": self.as_of.isoformat(),
            "item_locations": self.item_locations,
            "decisions": self.decisions,
            "overrides": self.overrides,
            "deciders": list(self.deciders),
        }


def history_as_of(spec: DemoSpec, window_periods: int) -> date | None:
    """Monday of the demo's past review: its scoring window of ``window_periods`` weeks ends
    :data:`HISTORY_SLACK_WEEKS` before ``spec.as_of``; None when the history is too short to plan on before it."""
    day = spec.as_of - timedelta(weeks=window_periods + HISTORY_SLACK_WEEKS)
    return day if day >= spec.history_start + timedelta(weeks=HISTORY_MIN_WEEKS) else None


def _request(n: int, rec: RecommendationView) -> DecisionRequest:
    override = OVERRIDES.get(n)
    if override is None:
        return DecisionRequest(DecisionKind.APPROVE)
    if override.kind is DecisionKind.MODIFY:
        qty = float(max(1, math.floor(rec.qty * override.qty_factor)))
        if qty == rec.qty:
            return DecisionRequest(DecisionKind.APPROVE)
        return DecisionRequest(override.kind, override.reason_category, override.reason, qty=qty)
    return DecisionRequest(override.kind, override.reason_category, override.reason)


def _hold_back(ws: Workspace, counts: pd.DataFrame, day: date, now: datetime) -> None:
    """The past review's hold: :data:`REVIEW_HOLD_SHARE` of the largest count among ``counts``, kept by
    :data:`DEMO_PLANNER` over the scoring window from ``day`` (so the scoreboard can score it)."""
    top = counts.sort_values(["on_hand", "item_id", "location_id"], ascending=[False, True, True]).head(1)
    if top.empty or not float(top["on_hand"].iloc[0]) > 0:
        return
    qty = float(max(1, math.floor(float(top["on_hand"].iloc[0]) * REVIEW_HOLD_SHARE)))
    window = ws.settings.approval.hindsight_window_periods
    create_hold(
        ws,
        item_id=str(top["item_id"].iloc[0]),
        location_id=str(top["location_id"].iloc[0]),
        qty=qty,
        owner=DEMO_PLANNER,
        reason=REVIEW_HOLD_REASON,
        expires_on=day + timedelta(weeks=window, days=-1),
        user=DEMO_PLANNER,
        now=now,
    )


def record_demo_history(
    ws: Workspace, spec: DemoSpec, *, user: str, progress: Progress | None = None
) -> DemoHistory | None:
    """Record a past review in a fresh demo workspace so that the scoreboard has decisions to score.

    ``user`` becomes the workspace's admin (the first ledger user), with :data:`DEMO_PLANNER` (planner) and
    :data:`DEMO_APPROVER` (approver). The review plans, as of :func:`history_as_of`, item-locations counted by
    then (the :data:`REVIEW_MAX_ITEM_LOCATIONS` counted last), on the tables as they stood that day, with
    :data:`DEMO_PLANNER` holding back part of the largest count over the scoring window (:func:`_hold_back`); at
    :data:`REVIEW_HOUR` the two people decide its open recommendations in rank order, one a minute: the approver
    those committing more than ``[approval] approver_required_above``, the planner the others; the overridable
    ones at the positions of :data:`OVERRIDES` are rejected or modified with a reason, every other one approved.
    Deterministic: the same workspace gives the same plan and decisions.

    Returns None (and records nothing) when the workspace already has users, does not plan by week, or its
    history is too short.
    """
    settings = ws.settings
    day = history_as_of(spec, settings.approval.hindsight_window_periods)
    with ws.session() as session:
        has_users = user_count(session) > 0
    if day is None or has_users or settings.workspace.period is not Period.WEEK:
        return None
    start = datetime.combine(day, time(REVIEW_HOUR), tzinfo=UTC)
    add_user(ws, user, Role.ADMIN, password=None, actor=None, now=start)
    for name, role in ((DEMO_PLANNER, Role.PLANNER), (DEMO_APPROVER, Role.APPROVER)):
        if name != user:
            add_user(ws, name, role, password=None, actor=user, now=start)
    counts = ws.current_frames()[TableName.INVENTORY]
    counted = counts[counts["counted_at"] <= pd.Timestamp(day)]  # what a plan as of ``day`` sees (as_of.py)
    latest = counted.sort_values(["counted_at", "item_id", "location_id"], ascending=False)
    latest = latest.drop_duplicates(["item_id", "location_id"]).head(REVIEW_MAX_ITEM_LOCATIONS)
    pairs = sorted(zip(latest["item_id"].astype(str), latest["location_id"].astype(str), strict=True))
    _hold_back(ws, latest, day, start)
    outcome = make_workspace_plan(
        ws,
        user=user,
        now=start,
        as_of=day,
        options=REVIEW_OPTIONS,
        progress=progress,
        item_locations=pairs,
        known_then=True,
    )
    queue = list_recommendations(ws, plan_id=outcome.plan.id, statuses=[RecommendationStatus.PROPOSED])
    threshold = settings.approval.approver_required_above
    overridable = 0
    overrides = 0
    deciders: set[str] = set()
    for minute, rec in enumerate(sorted(queue, key=lambda r: (r.rank, r.id)), start=1):
        request = DecisionRequest(DecisionKind.APPROVE)
        if ActionKind(rec.kind) in OVERRIDABLE:
            request = _request(overridable, rec)
            overridable += 1
        ratio = (request.qty or rec.qty) / rec.qty if rec.qty > 0 else 1.0
        who = DEMO_APPROVER if rec.capital_base * max(1.0, ratio) > threshold else DEMO_PLANNER
        decide(ws, rec.id, request, user=who, now=start + timedelta(minutes=minute))
        overrides += request.kind is not DecisionKind.APPROVE
        deciders.add(who)
    return DemoHistory(
        plan_id=outcome.plan.id,
        as_of=day,
        item_locations=len(pairs),
        decisions=len(queue),
        overrides=overrides,
        deciders=tuple(sorted(deciders)),
    )
