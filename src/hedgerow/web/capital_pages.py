"""The capital page: what the plan commits by region, currency and item class, what it buys, and the ladder chart.

Figures from :func:`hedgerow.services.capital.plan_capital` (the same as `hedgerow capital` and ``GET /api/capital``).
"""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from hedgerow.api.deps import StateDep
from hedgerow.services.capital import plan_capital
from hedgerow.web.charts import bar_chart, ladder_chart
from hedgerow.web.pages import PageUser, RenderDep

router = APIRouter(include_in_schema=False)

#: Rungs of the ladder the page's table lists (the chart draws them all).
LADDER_ROWS = 50


@router.get("/capital", response_class=HTMLResponse)
def capital_page(
    request: Request,
    user: PageUser,
    state: StateDep,
    render: RenderDep,
    plan: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
) -> Response:
    """Capital and yield by region, currency and item class, budgets, and the capital ladder as a chart."""
    ws = state.ws
    report = plan_capital(ws, plan, now=state.clock())
    data = report.to_dict()
    total = ws.settings.finance.budget_total
    cur = data["base_currency"]
    ladder = (
        ladder_chart(data["ladder"], currency=cur, budget=total if math.isfinite(total) else None)
        if data["ladder"]
        else None
    )
    regions = (
        bar_chart(data["regions"], category="region", value="capital", title="Capital by region", unit=cur)
        if data["ladder"]
        else None
    )
    return render.page(
        request,
        "capital.html",
        user,
        report=data,
        ladder_chart=ladder,
        region_chart=regions,
        ladder_rows=data["ladder"][:LADDER_ROWS],
    )
