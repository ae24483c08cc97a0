"""The web tests use the API tests' seeded workspace and app fixtures."""

from ..api.conftest import app, client, seeded, seeded_template

__all__ = ["app", "client", "seeded", "seeded_template"]
