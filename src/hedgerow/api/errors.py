"""Errors as responses: every user mistake is a 4xx with a plain message naming the offending field.

=====================  ======  ==========================================================================
error                  status  when
=====================  ======  ==========================================================================
request validation     422     a field is missing, of the wrong type or out of range (``fields`` names each)
ValidationFailed       422     an uploaded table breaks the data contract (``reports`` holds every finding)
NotAuthenticated       401     no (valid) session or API key
PermissionDenied       403     the user's role may not do this
NotFound               404     an id the ledger does not hold
InvalidTransition      409     the lifecycle does not allow the decision from the current status
ConcurrentUpdate       409     someone decided after the user read the record; nothing was written
TooManyAttempts        429     too many failed sign-ins; ``Retry-After`` says when to try again
other HedgerowError    400     a malformed request the services refused (no reason given, bad file, ...)
LedgerError            503     the ledger database is unreachable
anything else          500     a bug: logged, answered without details
=====================  ======  ==========================================================================
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from hedgerow.errors import (
    ConcurrentUpdate,
    HedgerowError,
    InvalidTransition,
    LedgerError,
    NotFound,
    PermissionDenied,
    TooManyAttempts,
    ValidationFailed,
)

log = logging.getLogger("hedgerow.api")


class NotAuthenticated(HedgerowError):
    """No session and no valid API key: sign in or send ``Authorization: Bearer hr_...``."""


class CsrfFailed(HedgerowError):
    """A form or request made with a session cookie did not carry the session's CSRF token."""


class FieldError(BaseModel):
    """One offending input."""

    field: str
    message: str


class ErrorDetail(BaseModel):
    """What went wrong."""

    kind: str
    message: str
    field: str | None = None
    fields: list[FieldError] = []
    reports: list[dict[str, Any]] | None = None


class ErrorBody(BaseModel):
    """Body of every error response."""

    error: ErrorDetail


#: Error responses documented on every API route (OpenAPI).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "The request was refused (message says why)."},
    401: {"model": ErrorBody, "description": "Not signed in and no valid API key."},
    403: {"model": ErrorBody, "description": "The user's role may not do this (or the CSRF token is missing)."},
    404: {"model": ErrorBody, "description": "No such record."},
    409: {"model": ErrorBody, "description": "Not allowed from the record's current state, or changed meanwhile."},
    422: {"model": ErrorBody, "description": "A field is missing, malformed or out of range (named in `fields`)."},
}

_STATUS: tuple[tuple[type[HedgerowError], int], ...] = (
    (ValidationFailed, 422),
    (NotAuthenticated, 401),
    (CsrfFailed, 403),
    (PermissionDenied, 403),
    (NotFound, 404),
    (InvalidTransition, 409),
    (ConcurrentUpdate, 409),
    (TooManyAttempts, 429),
    (LedgerError, 503),
)


def status_of(exc: HedgerowError) -> int:
    """HTTP status of a hedgerow error (400 for any user error not listed)."""
    for cls, status in _STATUS:
        if isinstance(exc, cls):
            return status
    return 400


_LOCATION_WORDS = {"query": "query parameter", "path": "path parameter", "header": "header", "cookie": "cookie"}


def field_name(loc: Sequence[int | str]) -> str:
    """A plain name of where an input error is: ``body.qty`` → ``qty``, ``query.status.0`` → ``status[0]``."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form"):
        parts = parts[1:]
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "body"


def _plain_message(err: dict[str, Any]) -> str:
    loc = [str(p) for p in err.get("loc", ())]
    where = _LOCATION_WORDS.get(loc[0], "field") if loc else "field"
    name = field_name(err.get("loc", ()))
    msg = str(err.get("msg", "is invalid")).rstrip(".")
    text = f"{where} {name!r}: {msg[0].lower() + msg[1:] if msg else msg}"
    if err.get("type") != "missing" and "input" in err:
        shown = repr(err["input"])
        text += f" (got {shown[:80] + '…' if len(shown) > 80 else shown})"
    return text


def validation_error_body(errors: Sequence[Any]) -> ErrorBody:
    """The 422 body of a request that failed validation, naming every offending field in words."""
    fields = [FieldError(field=field_name(e.get("loc", ())), message=_plain_message(e)) for e in errors]
    first = fields[0] if fields else FieldError(field="body", message="the request is invalid")
    summary = first.message if len(fields) == 1 else f"{first.message}; and {len(fields) - 1} more"
    return ErrorBody(error=ErrorDetail(kind="InvalidInput", message=summary, field=first.field, fields=fields))


def error_response(exc: HedgerowError) -> JSONResponse:
    """The JSON response of a hedgerow error."""
    status = status_of(exc)
    detail = ErrorDetail(kind=type(exc).__name__, message=str(exc))
    if isinstance(exc, ValidationFailed):
        detail.reports = [r.to_dict() for r in exc.reports]
        detail.message = str(exc) or "the data breaks the contract"
    headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, TooManyAttempts) else None
    if isinstance(exc, NotAuthenticated):
        headers = {"WWW-Authenticate": "Bearer"}
    return JSONResponse(ErrorBody(error=detail).model_dump(exclude_none=True), status_code=status, headers=headers)


def install_error_handlers(app: FastAPI, html_renderer: Any | None = None) -> None:
    """Register the handlers: JSON for ``/api`` paths, the web UI's error page (``html_renderer``) elsewhere."""

    def wants_html(request: Request) -> bool:
        return html_renderer is not None and not request.url.path.startswith("/api")

    async def on_hedgerow(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HedgerowError)
        if wants_html(request):
            assert html_renderer is not None
            return html_renderer(request, exc, status_of(exc))  # type: ignore[no-any-return]
        return error_response(exc)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        body = validation_error_body(exc.errors())
        if wants_html(request):
            assert html_renderer is not None
            return html_renderer(request, HedgerowError(body.error.message), 422)  # type: ignore[no-any-return]
        return JSONResponse(body.model_dump(exclude_none=True), status_code=422)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        message = str(exc.detail) if exc.detail else "error"
        kind = {404: "NotFound", 405: "MethodNotAllowed"}.get(exc.status_code, "HTTPError")
        if wants_html(request):
            assert html_renderer is not None
            return html_renderer(request, HedgerowError(message), exc.status_code)  # type: ignore[no-any-return]
        body = ErrorBody(error=ErrorDetail(kind=kind, message=message))
        return JSONResponse(body.model_dump(exclude_none=True), status_code=exc.status_code, headers=exc.headers)

    async def on_bug(request: Request, exc: Exception) -> Response:
        log.exception("internal error on %s %s", request.method, request.url.path, exc_info=exc)
        body = ErrorBody(
            error=ErrorDetail(kind="InternalError", message="internal error: this is a bug in hedgerow; see the log")
        )
        return JSONResponse(body.model_dump(exclude_none=True), status_code=500)

    app.add_exception_handler(HedgerowError, on_hedgerow)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_bug)
