"""The REST API (FastAPI) and the server of the web dashboard: ``create_app(workspace_root, ...)``.

See docs/api.md for authentication, endpoints, errors and examples.
"""

from hedgerow.api.app import create_app
from hedgerow.api.config import ServerConfig
from hedgerow.api.jobs import JobContext, JobSpec

__all__ = ["JobContext", "JobSpec", "ServerConfig", "create_app"]
