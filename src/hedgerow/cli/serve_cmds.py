"""`hedgerow serve`: the REST API and the web dashboard on one local server (uvicorn)."""

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
    workspace: WorkspaceOption = None,
) -> None:
    """Serve the REST API (/api, OpenAPI at /openapi.json) and the web dashboard (/) for a workspace."""
    import uvicorn

    from hedgerow.api import ServerConfig, create_app

    extra = {"development": True} if dev else {}
    config = ServerConfig.from_env(host=host, port=port, allow_remote=allow_remote, **extra)
    app = create_app(workspace_root(workspace), config)
    console.print(f"hedgerow serving {app.state.hedgerow.ws.root} on http://{host}:{port}/ (API docs at /api/docs)")
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)


def register(app: typer.Typer) -> None:
    """Add `hedgerow serve` to ``app``."""
    app.command()(serve)
