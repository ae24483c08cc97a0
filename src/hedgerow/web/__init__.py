"""The web dashboard: server-rendered pages (Jinja2 + htmx) with charts drawn by Vega-Lite from local files."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI


def install_web(app: FastAPI) -> Callable[..., Any]:
    """Mount the pages and static files on ``app``; returns the HTML error renderer for the error handlers."""
    from hedgerow.web.pages import install

    renderer: Callable[..., Any] = install(app)
    return renderer
