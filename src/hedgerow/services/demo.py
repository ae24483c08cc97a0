"""Build the demo workspace: generate the seeded demo network, write it as an "ERP export", import it.

Layout of a demo workspace folder::

    hedgerow.toml, ledger.sqlite, snapshots/    the workspace itself
    inbox/<table>.csv|parquet                   the generated tables, as a planner would receive them
    truth/                                      what real life never tells you: uncensored demand, designed
                                                series parameters, the catalogue (for tests and benchmarks)
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path

import numpy as np

from hedgerow.config import CONFIG_FILE_NAME, Settings
from hedgerow.demo import DemoSpec, build_demo_network
from hedgerow.demo.files import write_demo_tables, write_truth
from hedgerow.domain.enums import DemandProfile
from hedgerow.errors import WorkspaceError
from hedgerow.services.importing import ImportOutcome, Progress, import_sources, sources_from_folder
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
