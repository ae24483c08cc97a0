"""One set of cost-term words (issue 14): `hedgerow explain` and the recommendation page name every cost term of
an explanation the same way, in the same order, from the same typed explanation."""

from __future__ import annotations

import html
import json
import re

from fastapi.testclient import TestClient
from sqlalchemy import update
from typer.testing import CliRunner

from hedgerow.cli import app as cli
from hedgerow.cli.common import console
from hedgerow.domain.plan import CostTerm
from hedgerow.services.queue import explanation_of
from hedgerow.services.workspace import open_workspace
from hedgerow.store.decide_models import RecommendationRow

from ..api.conftest import Seeded
from .test_pages import sign_in

#: Every cost term in plain words, largest first as the breakdown below is written (golden).
GOLDEN = [
    ("transport", 900.0),
    ("fixed cost of the order line", 800.0),
    ("exchange-rate effect on purchases", 700.0),
    ("cost of money tied up in transit", 600.0),
    ("storage and cost of money tied up in stock", 500.0),
    ("margin of lost sales", 400.0),
    ("goodwill of customers turned away", 300.0),
    ("margin of bundles that could not be sold", 200.0),
    ("leftover stock (write-down less the freight it saves)", -100.0),
]


def _with_every_term(seeded: Seeded) -> tuple[str, dict[str, object]]:
    """The first seeded recommendation, its stored breakdown rewritten to carry every cost term."""
    rid = seeded.rec_ids[0]
    with open_workspace(seeded.root) as ws:
        stored = explanation_of(ws, rid)
        terms = {t.value: v for t, (_, v) in zip(CostTerm, GOLDEN, strict=True)}
        stored["breakdown"] = terms | {"total": sum(terms.values())}
        with ws.session() as session, session.begin():
            session.execute(
                update(RecommendationRow).where(RecommendationRow.id == rid).values(explanation_json=json.dumps(stored))
            )
    return rid, stored


def test_the_cli_and_the_page_name_each_cost_term_the_same(client: TestClient, seeded: Seeded) -> None:
    rid, stored = _with_every_term(seeded)
    console.width = 400
    runner = CliRunner()
    text = runner.invoke(cli, ["explain", rid, "-w", str(seeded.root)], env={"COLUMNS": "400"}).stdout
    line = re.search(r"Cost breakdown with the action \(USD\): (.*)\.\n", text)
    assert line is not None, text
    parts = re.findall(r"(.+?) (-?[\d,]+)(?:, |$)", line.group(1))
    assert [(label, float(v.replace(",", ""))) for label, v in parts] == GOLDEN

    sign_in(client, "vic")
    page = client.get(f"/recommendations/{rid}").text
    section = page[page.index("Expected cost of the recommendation, by term") :]
    rows = re.findall(r'<tr><td>([^<]*)</td><td class="r">([^<]*)</td></tr>', section[: section.index("</table>")])
    assert [html.unescape(label) for label, _ in rows] == [label for label, _ in GOLDEN]

    as_json = json.loads(runner.invoke(cli, ["explain", rid, "-w", str(seeded.root), "--json"]).stdout)
    assert as_json["explanation"] == stored  # the JSON output is the stored dict, unchanged
