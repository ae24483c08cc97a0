"""docs/data-contract.md is exactly what the specs render, and names every table and column."""

from __future__ import annotations

from hedgerow.contract.docs import render_contract_markdown
from hedgerow.contract.spec import TABLES
from tests.conftest import ROOT


def test_data_contract_doc_matches_the_schemas() -> None:
    committed = (ROOT / "docs" / "data-contract.md").read_text(encoding="utf-8")
    assert committed == render_contract_markdown(), "run scripts/gen-docs to regenerate docs/data-contract.md"


def test_doc_lists_every_column_with_type_and_unit() -> None:
    text = render_contract_markdown()
    for spec in TABLES.values():
        assert f"## `{spec.name.value}`" in text
        for col in spec.columns:
            assert f"| `{col.name}` | {col.type.value} | {col.unit} |" in text
