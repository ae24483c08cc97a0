"""The REST API routes, one module per area; each route declares its role check as a dependency."""
