"""The queue table's rows, rendered in Python: the page's hot path.

The queue page lists up to 5,000 recommendations, each with its decision form. Rendering that many rows
through Jinja2 (about 20 escaped outputs and attribute look-ups per row) took most of the page's time; one
format string per row with :func:`markupsafe.escape` on every text value does the same in a fraction of it
(``bench/web_queue.py``). The markup is the same a template would write; every value that comes from the
ledger is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from hedgerow.services.recommendations import RecommendationView
from hedgerow.web.render import describe_action, money, pct

_ROW = (
    '<tr id="row-{id}"><td class="r">{rank}</td><td><a href="/recommendations/{id}">{action}</a>{trust}</td>'
    '<td class="r">{capital}{big}</td><td class="r">{cost}</td><td class="r">{cvar}</td><td class="r">{pout}</td>'
    "<td>{status}{auto}</td>{decide}</tr>\n"
)
_APPROVE = Markup(
    '<form method="post" action="/queue/{id}/decision" hx-post="/queue/{id}/decision" hx-target="#decide-panel">'
    '<input type="hidden" name="csrf_token" value="{csrf}"><input type="hidden" name="decision" value="approve">'
    '<input type="hidden" name="expected_version" value="{version}"><button class="ok" name="approve">Approve</button>'
    "</form>"
)
_OTHER = Markup('<button hx-get="/queue/{id}/form" hx-target="#decide-panel">Reject / modify…</button>')


def queue_rows(
    rows: Sequence[RecommendationView],
    *,
    csrf: str,
    can_decide: bool,
    any_size: bool,
    threshold: float,
    currency: str,
) -> Markup:
    """The ``<tr>`` elements of the queue table.

    Parameters
    ----------
    rows:
        Recommendations in queue order.
    csrf:
        The session's CSRF token (put in each approve form).
    can_decide, any_size:
        Whether the user may decide, and decide above ``threshold`` (base currency).
    """
    token = escape(csrf)
    needs_approver = Markup(
        f'<span class="muted" title="above {money(threshold)} {escape(currency)}: an approver decides">approver</span> '
    )
    out = []
    for v in rows:
        rid = escape(v.id)
        decide = ""
        if can_decide:
            inner = ""
            if v.status == "proposed":
                approve = (
                    _APPROVE.format(id=rid, csrf=token, version=int(v.version))
                    if v.capital_base <= threshold or any_size
                    else needs_approver
                )
                inner = approve + _OTHER.format(id=rid)
            decide = f'<td class="actions">{inner}</td>'
        out.append(
            _ROW.format(
                id=rid,
                rank=int(v.rank),
                action=escape(describe_action(v)),
                trust=f' <span class="tag warn" title="{escape(v.trust_note)}">⚠ trust</span>' if v.trust_note else "",
                capital=money(v.capital_base),
                big=' <span class="tag" title="needs an approver">A</span>' if v.capital_base > threshold else "",
                cost=money(v.expected_cost_base),
                cvar=money(v.cvar_base),
                pout=pct(v.stockout_probability),
                status=escape(v.status),
                auto=" (auto)" if v.auto_approved else "",
                decide=decide,
            )
        )
    return Markup("".join(out))
