"""The open data contract: table specs, readers, validation, data-quality checks and reports."""
