"""The queue table's rows, rendered in Python: the page's hot path.

One format string per row with :func:`markupsafe.escape` on every text value is several times faster than a Jinja2
loop (``bench/web_queue.py``). The markup is the same a template would write; every value that comes from the
ledger or the data is escaped, and the fixed pieces are :class:`~markupsafe.Markup` so that joining them never
escapes them a second time (adding a plain ``str`` to a ``Markup`` escapes the ``str``: the cause of issue 15's
"approver <button …>" rows).
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from hedgerow.domain.actions import Role
from hedgerow.services.queue_view import Decider, QueueRow, may_decide
from hedgerow.web.render import money, pct

_ROW = Markup(
    '<tr id="row-{id}" data-rec="{id}" tabindex="-1">{pick}<td class="r">{rank}</td>'
    '<td class="what"><a href="/recommendations/{id}">{action}</a>{trust}</td>'
    '<td class="r" data-label="saves">{value}</td><td class="r" data-label="capital">{capital}</td>'
    '<td class="r wide">{pout}</td>'
    '<td>{decider}</td><td class="wide">{status}{auto}</td>{decide}</tr>\n'
)
_PICK = Markup('<td><input type="checkbox" name="rec" value="{id}" form="bulk-form" aria-label="select {label}"></td>')
_APPROVE = Markup(
    '<form method="post" action="/queue/{id}/decision" hx-post="/queue/{id}/decision" hx-target="#decide-panel" '
    'class="inline approve-form">'
    '<input type="hidden" name="csrf_token" value="{csrf}"><input type="hidden" name="decision" value="approve">'
    '<input type="hidden" name="expected_version" value="{version}"><input type="hidden" name="reason" value="">'
    '<button class="ok" name="approve">Approve</button></form>'
)
_OTHER = Markup(
    '<button type="button" hx-get="/queue/{id}/form" hx-target="#decide-panel" class="other">Reject / modify…</button>'
)
_APPROVER = Markup(
    '<span class="muted" title="above {limit} {currency}: an approver decides">an approver decides</span> '
)
_DECIDER = {
    Decider.PLANNER: Markup('<span class="tag">planner</span>'),
    Decider.APPROVER: Markup('<span class="tag big" title="above the planner\'s limit">approver</span>'),
}


def describe(row: QueueRow) -> Markup:
    """What the recommendation does, in names, with the codes on hover."""
    v = row.view
    codes = f"{v.item_id} at {v.decided_location_id or v.location_id}" + (f" from {v.origin_id}" if v.origin_id else "")
    if v.kind == "do_nothing":
        text = f"keep {row.item_name} at {row.location_name} as is"
    else:
        qty = f"{v.qty:,.0f}"
        if v.decided_qty is not None and v.decided_qty != v.qty and v.status != "rejected":
            qty = f"{v.qty:,.0f}→{v.decided_qty:,.0f}"
        mode = v.decided_mode or v.mode
        src = f" from {row.origin_name}" if row.origin_name else ""
        text = f"{v.kind.replace('_', ' ')} {qty} × {row.item_name}{src} → {row.location_name}" + (
            f" by {mode}" if mode else ""
        )
    return Markup('<span title="{}">{}</span>').format(codes, text)


def queue_rows(
    rows: Sequence[QueueRow], *, csrf: str, role: Role | None, threshold: float, currency: str, pick: bool
) -> Markup:
    """The ``<tr>`` elements of the queue table.

    Parameters
    ----------
    rows:
        Recommendations in queue order.
    csrf:
        The session's CSRF token (put in each approve form).
    role:
        The reader's role: who may approve which rows.
    threshold, currency:
        The planner's limit (capital, base currency) and the base currency.
    pick:
        Whether rows get a checkbox for bulk approval.
    """
    token = escape(csrf)
    can_decide = may_decide(role, Decider.PLANNER)
    out = []
    for r in rows:
        v = r.view
        rid = escape(v.id)
        decide = Markup("")
        if can_decide:
            inner = Markup("")
            if v.status == "proposed":
                approve = (
                    _APPROVE.format(id=rid, csrf=token, version=int(v.version))
                    if may_decide(role, r.decider)
                    else _APPROVER.format(limit=money(threshold), currency=currency)
                )
                inner = approve + _OTHER.format(id=rid)
            decide = Markup('<td class="actions">{}</td>').format(inner)
        chosen = pick and v.status == "proposed" and may_decide(role, r.decider)
        out.append(
            _ROW.format(
                id=rid,
                pick=_PICK.format(id=rid, label=f"{v.kind} {r.item_name}") if chosen else (
                    Markup("<td></td>") if pick else Markup("")),
                rank=int(v.rank),
                action=describe(r),
                trust=Markup(' <span class="tag warn" title="{}">⚠ trust</span>').format(v.trust_note)
                if v.trust_note
                else "",
                value=money(r.value_base),
                capital=money(v.capital_base),
                pout=pct(v.stockout_probability),
                decider=_DECIDER[r.decider],
                status=v.status,
                auto=" (auto)" if v.auto_approved else "",
                decide=decide,
            )
        )  # fmt: skip
    return Markup("").join(out)
