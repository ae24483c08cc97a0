"""``OPTIONS`` on any route answers ``204`` with an ``Allow`` header listing the methods the path takes.

Starlette answers ``OPTIONS`` with ``405`` and no ``Allow`` header on routes that do not declare it (issue 15).
This ASGI middleware answers it before routing: the methods of every route whose path matches (plus ``OPTIONS``),
or ``404`` when no route matches. No CORS headers: the API is same-origin.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Receive, Scope, Send


def flat_routes(routes: Sequence[BaseRoute]) -> Iterator[Route]:
    """Every route, inside included routers too (FastAPI keeps an included router as one entry)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from flat_routes(inner.routes)
        elif isinstance(route, Route):
            yield route


class OptionsAllow:
    """Answers ``OPTIONS`` requests with the ``Allow`` header of the matching routes."""

    def __init__(self, app: ASGIApp, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "OPTIONS":
            await self.app(scope, receive, send)
            return
        methods: set[str] = set()
        for route in flat_routes(self.routes):
            if route.methods:
                match, _ = route.matches({**scope, "method": next(iter(route.methods))})
                if match is Match.FULL:
                    methods |= route.methods
        if not methods:
            await self.app(scope, receive, send)  # the usual 404
            return
        allow = ", ".join(sorted(methods | {"OPTIONS"}))
        await send({"type": "http.response.start", "status": 204, "headers": [(b"allow", allow.encode())]})
        await send({"type": "http.response.body", "body": b""})
