"""Rendering pages: the Jinja2 environment (autoescaped), number and time filters, the common page context."""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from hedgerow.api.auth import csrf_token
from hedgerow.decide.roles import Permission, has_permission
from hedgerow.services.recommendations import RecommendationView
from hedgerow.services.users import ActingUser

TEMPLATES = Path(__file__).parent / "templates"

NAV = (
    ("/", "Overview"),
    ("/queue?by=consignment", "Queue"),  # the decisions a manager makes: one per lane (issue 14)
    ("/capital", "Capital"),  # capital and yield by region, and the ladder (issue 19)
    ("/holds", "Holds"),
    ("/data", "Data"),
    ("/audit", "Audit trail"),
    ("/scoreboard", "Scoreboard"),
    ("/reports", "Reports"),
    ("/admin", "Admin"),  # shown to admins only (base.html)
)


# The number filters return Markup: their output is digits, separators, signs and "%" only, so the template
# need not escape it again (the queue page prints 15,000 of them).


def money(value: Any) -> Markup:
    """``12,345`` (no decimals); a dash for missing values."""
    return Markup(f"{value:,.0f}" if isinstance(value, int | float) and math.isfinite(value) else "–")


def pct(value: Any, digits: int = 1) -> Markup:
    """``3.2 %`` from a fraction."""
    return Markup(f"{100 * value:.{digits}f} %" if isinstance(value, int | float) and math.isfinite(value) else "–")


def num(value: Any, digits: int = 0) -> Markup:
    """A number with thousands separators."""
    return Markup(f"{value:,.{digits}f}" if isinstance(value, int | float) and math.isfinite(value) else "–")


def _moment(value: Any) -> Any:
    """A datetime from ISO text (``Z`` allowed); anything else as it is (unreadable text too)."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return value


def when(value: Any) -> str:
    """``2026-11-25 12:00`` UTC from a datetime or ISO text."""
    value = _moment(value)
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return str(value.strftime("%Y-%m-%d %H:%M"))
    if isinstance(value, date):
        return value.isoformat()
    return "–"


def age(value: Any, now: datetime) -> str:
    """How long ago ``value`` (a datetime or ISO text) was, in words: "just now", "5 min ago", "3 h ago", "2 days ago"."""
    value = _moment(value)
    if isinstance(value, str):
        return value
    if not isinstance(value, datetime):
        return "–"
    seconds = (now - value).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60:.0f} min ago"
    if seconds < 2 * 86400:
        return f"{seconds // 3600:.0f} h ago"
    return f"{seconds // 86400:.0f} days ago"


def tojson_script(value: Any) -> Markup:
    """JSON safe inside a ``<script type="application/json">`` element."""
    text = json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def describe_action(v: RecommendationView) -> str:
    """One line: what the recommendation (as decided, if changed) does."""
    if v.kind == "do_nothing":
        return f"do nothing for {v.item_id} at {v.decided_location_id or v.location_id}"
    qty = f"{v.qty:,.0f}"
    if v.decided_qty is not None and v.decided_qty != v.qty and v.status != "rejected":
        qty = f"{v.qty:,.0f}→{v.decided_qty:,.0f}"
    where = v.decided_location_id or v.location_id
    mode = v.decided_mode or v.mode
    src = f" from {v.origin_id}" if v.origin_id else ""
    by = f" by {mode}" if mode else ""
    return f"{v.kind.replace('_', ' ')} {qty} × {v.item_id}{src} → {where}{by}"


class Renderer:
    """Renders templates with the common context: user, role checks, CSRF token, navigation, flash message."""

    def __init__(self) -> None:
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), auto_reload=False
        )
        self.env.filters.update(money=money, pct=pct, num=num, when=when, age=age, tojson_script=tojson_script)
        self.env.globals.update(describe_action=describe_action, nav=NAV)

    def context(self, request: Request, user: ActingUser | None) -> dict[str, Any]:
        """What every template may use."""
        state = request.app.state.hedgerow
        message = request.session.pop("flash", None) if user is not None else None

        def can(permission: str) -> bool:
            return bool(user and user.role and has_permission(user.role, Permission(permission)))

        return {
            "request": request,
            "user": user,
            "can": can,
            "csrf": csrf_token(request),
            "path": request.url.path,
            "workspace": state.ws.settings.workspace.name,
            "currency": state.ws.settings.workspace.base_currency,
            "flash": message,
            "now": state.clock(),
        }

    def page(
        self, request: Request, name: str, user: ActingUser | None, *, status_code: int = 200, **values: Any
    ) -> HTMLResponse:
        """A whole page."""
        html = self.env.get_template(name).render(self.context(request, user) | values)
        return HTMLResponse(html, status_code=status_code)

    def fragment(self, request: Request, name: str, user: ActingUser | None, **values: Any) -> HTMLResponse:
        """A piece of a page for htmx."""
        return self.page(request, name, user, **values)

    def error(self, request: Request, message: str, status: int, *, htmx: bool) -> HTMLResponse:
        """An error page (or, for htmx, a message swapped into the flash area)."""
        ctx = {"message": message, "status": status}
        if htmx:
            return HTMLResponse(self.env.get_template("_error.html").render(ctx), status_code=status)
        return HTMLResponse(self.env.get_template("error.html").render(ctx), status_code=status)
