"""The application factory: one FastAPI app serving the REST API (``/api``) and the web dashboard.

Nothing is created at import time: :func:`create_app` opens the workspace, the job queue and the routes; the
lifespan closes them. The app never runs a job itself (they run in worker processes, :mod:`hedgerow.api.worker`),
except the worker threads a test asks for. Sync route handlers run in Starlette's thread pool, so the ledger services
(sync SQLAlchemy) are called as they are.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware

from hedgerow.api.auth import ApiKeyCache
from hedgerow.api.config import Clock, ServerConfig, system_clock
from hedgerow.api.deps import AppState, StateDep
from hedgerow.api.docs import add_security_schemes, install_docs
from hedgerow.api.errors import install_error_handlers
from hedgerow.api.job_kinds import DEFAULT_JOBS
from hedgerow.api.jobs import JobQueue, JobSpec
from hedgerow.api.options import OptionsAllow
from hedgerow.api.routes import data, fx_cover, holds, jobs, ledger, queue, session
from hedgerow.api.schemas import Health
from hedgerow.api.worker import InlineWorkers
from hedgerow.services.workspace import open_workspace

SESSION_COOKIE = "hedgerow_session"


def package_version() -> str:
    """The installed hedgerow version."""
    try:
        return version("hedgerow")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without installing
        return "0+unknown"


def create_app(
    workspace_root: Path,
    config: ServerConfig | None = None,
    *,
    clock: Clock | None = None,
    ledger_url: str | None = None,
    job_specs: Sequence[JobSpec] = DEFAULT_JOBS,
    web: bool = True,
    inline_workers: int = 0,
) -> FastAPI:
    """Build the app serving ``workspace_root``.

    Parameters
    ----------
    workspace_root:
        The workspace folder (hedgerow.toml, ledger, snapshots).
    config:
        Server settings (default: :meth:`ServerConfig.from_env`); checked, so unsafe ones raise ConfigError.
    clock:
        Time source (default: the system clock, pinned by ``$HEDGEROW_NOW``).
    ledger_url:
        Ledger database instead of the workspace's own.
    job_specs:
        Background job kinds to register (default :data:`hedgerow.api.job_kinds.DEFAULT_JOBS`).
    web:
        Also serve the web dashboard (pages and static files).
    inline_workers:
        Job worker threads to run inside this process (tests and the single-process baseline of
        ``bench/web_load.py``). ``hedgerow serve`` runs none: its jobs run in worker processes.

    Raises
    ------
    ConfigError, WorkspaceError, LedgerError
        Unsafe configuration; not a workspace; ledger unreachable or behind.
    """
    cfg = (config or ServerConfig.from_env()).checked()
    assert cfg.session_secret is not None
    ws = open_workspace(workspace_root, ledger_url=ledger_url, pooled=True)
    now = clock or system_clock
    state = AppState(
        ws=ws,
        config=cfg,
        clock=now,
        jobs=JobQueue(ws, job_specs, now),
        api_keys=ApiKeyCache(),
    )

    inline = InlineWorkers(ws, job_specs, now, inline_workers)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Sync handlers run in worker threads; with dozens of them runnable at once the GIL hands out 5 ms
        # slices round-robin and every request waits behind all the others. A few threads keep the queue in
        # the event loop instead, first come first served (bench/web_load.py).
        anyio.to_thread.current_default_thread_limiter().total_tokens = cfg.request_threads
        # Everything loaded so far (libraries, settings) lives as long as the server: keep it out of the
        # collector's full passes, which otherwise pause every request now and then.
        gc.collect()
        gc.freeze()
        inline.start()
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(inline.stop)
            ws.close()

    app = FastAPI(
        title="hedgerow",
        version=package_version(),
        description="Inventory hedging advisor: the decision queue, explanations, holds, data, audit and exports. "
        "Authenticate with a session (POST /api/session) or an API key (Authorization: Bearer hr_...). See "
        "docs/api.md.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    add_security_schemes(app, SESSION_COOKIE)
    install_docs(app, "/openapi.json")
    app.state.hedgerow = state
    app.add_middleware(
        SessionMiddleware,
        secret_key=cfg.session_secret,
        session_cookie=SESSION_COOKIE,
        max_age=cfg.session_max_age_s,
        same_site="lax",
        https_only=cfg.secure_cookies,
    )

    @app.get("/api/health", response_model=Health, tags=["session"])
    def health(st: StateDep) -> Health:
        """Liveness (no sign-in needed): the version and the workspace name."""
        return Health(ok=True, version=package_version(), workspace=st.ws.settings.workspace.name)

    for module in (session, queue, holds, data, jobs, ledger, fx_cover):
        app.include_router(module.router)
    html_errors = None
    if web:
        from hedgerow.web import install_web

        html_errors = install_web(app)
    install_error_handlers(app, html_errors)
    app.add_middleware(OptionsAllow, routes=app.router.routes)
    return app
