"""The API's documentation pages, served from this server only, and the security schemes of its OpenAPI.

Swagger UI (``/api/docs``) and ReDoc (``/api/redoc``) come from the files the ``fastapi-offline`` package ships
(``swagger-ui-bundle.js``, ``swagger-ui.css``, ``redoc.standalone.js``), mounted at :data:`STATIC_URL`: a
self-hosted install never asks a CDN for them, and they render with no network at all (ReDoc without its web
fonts, and with a Content-Security-Policy that lets the browser fetch nothing from another host). The OpenAPI
document names the two ways in (:func:`add_security_schemes`): the session cookie set by
``POST /api/session`` and an API key (``Authorization: Bearer hr_...`` or ``X-API-Key``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from hedgerow.api.auth import API_KEY_HEADER

#: Where the documentation pages' files are served.
STATIC_URL = "/api/docs-static"
ASSETS = Path(fastapi_offline.__file__).parent / "static"

#: The documentation pages may load nothing from another host (ReDoc's sidebar would fetch its maker's logo from a
#: CDN): the browser refuses such requests before sending them. Inline scripts start Swagger UI; ReDoc searches in
#: a worker made from a blob.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'self'"
)

#: Routes anyone may call (no sign-in): their OpenAPI operations carry ``security: []``.
PUBLIC = {("/api/health", "get"), ("/api/session", "post")}


def security_schemes(session_cookie: str) -> dict[str, Any]:
    """The OpenAPI security schemes of the API."""
    return {
        "session": {
            "type": "apiKey",
            "in": "cookie",
            "name": session_cookie,
            "description": "Signed session cookie from POST /api/session; changes also need the X-CSRF-Token header.",
        },
        "bearer": {"type": "http", "scheme": "bearer", "description": "An API key: Authorization: Bearer hr_..."},
        "apiKeyHeader": {"type": "apiKey", "in": "header", "name": API_KEY_HEADER, "description": "An API key."},
    }


def add_security_schemes(app: FastAPI, session_cookie: str) -> None:
    """Make ``app.openapi()`` describe the session cookie and API keys, required on every route but the public ones."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            schema.setdefault("components", {})["securitySchemes"] = security_schemes(session_cookie)
            schema["security"] = [{"session": []}, {"bearer": []}, {"apiKeyHeader": []}]
            for path, methods in schema.get("paths", {}).items():
                for method, operation in methods.items():
                    if (path, method) in PUBLIC:
                        operation["security"] = []
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _locked(page: HTMLResponse) -> HTMLResponse:
    """The page with :data:`DOCS_CSP` and its language declared (FastAPI writes a bare ``<html>``)."""
    body = bytes(page.body).replace(b"<html>", b'<html lang="en">', 1)
    locked = HTMLResponse(body, status_code=page.status_code)
    locked.headers["Content-Security-Policy"] = DOCS_CSP
    return locked


def install_docs(app: FastAPI, openapi_url: str) -> None:
    """Serve Swagger UI at ``/api/docs`` and ReDoc at ``/api/redoc`` from the vendored files."""
    app.mount(STATIC_URL, StaticFiles(directory=ASSETS), name="api-docs-static")

    @app.get("/api/docs", include_in_schema=False)
    async def swagger() -> HTMLResponse:
        return _locked(
            get_swagger_ui_html(
                openapi_url=openapi_url,
                title=f"{app.title} API",
                swagger_js_url=f"{STATIC_URL}/swagger-ui-bundle.js",
                swagger_css_url=f"{STATIC_URL}/swagger-ui.css",
                swagger_favicon_url=f"{STATIC_URL}/favicon.png",
            )
        )

    @app.get("/api/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return _locked(
            get_redoc_html(
                openapi_url=openapi_url,
                title=f"{app.title} API",
                redoc_js_url=f"{STATIC_URL}/redoc.standalone.js",
                redoc_favicon_url=f"{STATIC_URL}/favicon.png",
                with_google_fonts=False,
            )
        )
