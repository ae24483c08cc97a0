"""The API's plan job on missing data (issue 14): refused without counts unless ``assume_zero_stock``, and its
result lists the gaps the plan was made with."""

from __future__ import annotations

from pathlib import Path

import pytest

from hedgerow.api.job_kinds import PlanParams, run_plan
from hedgerow.api.jobs import JobContext
from hedgerow.domain.enums import TableName
from hedgerow.errors import PlanningError
from tests.conftest import NOW
from tests.services.test_plan_gaps import network_workspace


def test_the_plan_job_refuses_no_counts_unless_zero_stock_is_assumed(tmp_path: Path, network_dir: Path) -> None:
    assert PlanParams.model_validate({}).assume_zero_stock is False
    ws = network_workspace(tmp_path, network_dir, drop=(TableName.INVENTORY,))
    try:

        def job(**params: object) -> JobContext:
            return JobContext(ws, {"as_of": "2026-11-23", **params}, "ana", NOW, lambda *_: None)

        with pytest.raises(PlanningError, match=r"hedgerow plan --assume-zero-stock"):
            run_plan(job())
        result = run_plan(job(assume_zero_stock=True))
    finally:
        ws.close()
    gap = result["gaps"][0]
    assert (gap["kind"], gap["table"], gap["item_locations"]) == ("no_inventory", "inventory", 5)
    assert gap["assumed"] == "no count on record — assumed 0 units on hand"
