"""`hedgerow contract`: print the open data contract (Markdown or JSON) for integrators."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import typer

from hedgerow.cli.common import JsonOption, handle_errors, print_json
from hedgerow.contract.docs import render_contract_markdown
from hedgerow.contract.spec import CONTRACT_VERSION, TABLES


def contract_as_dict() -> dict[str, Any]:
    """The contract as plain data: version, and per table its key and columns with type, unit and checks."""
    tables = []
    for spec in TABLES.values():
        columns = []
        for col in spec.columns:
            entry = asdict(col)
            entry["type"] = col.type.value
            entry["references"] = col.references.describe() if col.references else None
            columns.append(entry)
        tables.append(
            {
                "name": spec.name.value,
                "description": spec.description,
                "key": list(spec.key),
                "extra_numeric_columns_are_drivers": spec.extra_numeric_columns_are_drivers,
                "columns": columns,
            }
        )
    return {"version": CONTRACT_VERSION, "tables": tables}


@handle_errors
def contract(json_output: JsonOption = False) -> None:
    """Print the data contract: every table and column with its type, unit, checks and meaning."""
    if json_output:
        print_json(contract_as_dict())
    else:
        typer.echo(render_contract_markdown(), nl=False)


def register(app: typer.Typer) -> None:
    """Add the contract command to ``app``."""
    app.command()(contract)
