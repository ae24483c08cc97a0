"""`hedgerow serve` (web workers and job workers behind one port) and `hedgerow worker` (job workers apart)."""

from __future__ import annotations

from typing import Annotated

import typer

from hedgerow.cli.common import WorkspaceOption, console, handle_errors, workspace_root


@handle_errors
def serve(
    host: Annotated[
        str, typer.Option(help="Address to bind; anything but loopback needs --allow-remote.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    allow_remote: Annotated[
        bool,
        typer.Option(
            "--allow-remote", help="Bind a non-loopback address on purpose (needs $HEDGEROW_SESSION_SECRET; use TLS)."
        ),
    ] = False,
    dev: Annotated[bool, typer.Option("--dev", help="Development mode (cookies without the Secure flag).")] = False,
    web_workers: Annotated[
        int, typer.Option("--web-workers", help="Web server processes sharing the port.", min=1, max=64)
    ] = 2,
    job_workers: Annotated[
        int,
        typer.Option(
            "--job-workers",
            help="Job worker processes (plans, exposure, backtests, imports), one job each at a time; "
            "0: run `hedgerow worker` apart.",
            min=0,
            max=64,
        ),
    ] = 1,
    inline_jobs: Annotated[
        bool,
        typer.Option(
            "--inline-jobs",
            hidden=True,
            help="Run jobs on threads of a single web process (the old design; benchmarks only).",
        ),
    ] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Serve the REST API (/api, OpenAPI at /openapi.json) and the web dashboard (/) for a workspace, with job
    workers for the heavy work."""
    from hedgerow.api import ServerConfig
    from hedgerow.api.serve import serve as run_server

    extra = {"development": True} if dev else {}
    config = ServerConfig.from_env(
        host=host, port=port, allow_remote=allow_remote, web_workers=web_workers, job_workers=job_workers, **extra
    )
    root = workspace_root(workspace)
    console.print(
        f"hedgerow serving {root} on http://{host}:{port}/ (API docs at /api/docs): "
        f"{web_workers} web worker(s), {job_workers} job worker(s)"
    )
    run_server(root, config, inline_jobs=inline_jobs)


@handle_errors
def worker(workspace: WorkspaceOption = None) -> None:
    """Run one job worker on the workspace's queue until stopped (SIGTERM or Ctrl-C marks its job interrupted).

    Start as many as the machine has cores to spare, on this or another machine that reaches the same ledger and
    workspace folder; `hedgerow serve --job-workers 0` then runs none of its own."""
    import logging

    from hedgerow.api.job_kinds import DEFAULT_JOBS
    from hedgerow.api.worker import run_worker_process

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    root = workspace_root(workspace)
    console.print(f"hedgerow worker on {root}: Ctrl-C to stop")
    run_worker_process(root, DEFAULT_JOBS)


def register(app: typer.Typer) -> None:
    """Add `hedgerow serve` and `hedgerow worker` to ``app``."""
    app.command()(serve)
    app.command()(worker)
