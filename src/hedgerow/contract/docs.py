"""Render the data contract as Markdown, so docs/data-contract.md is generated from the specs, never stale.

``python -m hedgerow.contract.docs > docs/data-contract.md`` rewrites the document; a test fails when the
committed file differs from what the specs render.
"""

from __future__ import annotations

from hedgerow.contract.fx_checks import FX_JUMP_FACTOR, FX_PLAUSIBLE_BAND
from hedgerow.contract.parsing import DATE_RANGE_TEXT
from hedgerow.contract.spec import CONTRACT_VERSION, MAX_ABS_NUMBER, MINIMUM_TABLES, TABLES, ColumnSpec, TableSpec

INTRO = f"""# hedgerow data contract (version {CONTRACT_VERSION})

This is the open data contract of hedgerow: the tables a workspace is built from, with the type, unit and
meaning of every column. Files may be CSV (UTF-8, comma/semicolon/tab separated), XLSX or Parquet; a file
named after a table (`demand.csv`) is imported as that table. This document is generated from
`src/hedgerow/contract/spec.py`; a test keeps the two identical.

**Rules that apply to every table**

- Table and column names are fixed (case-sensitive). Optional columns may be left out. Columns a file
  carries beyond the contract are kept, never rejected; numeric extra columns of `demand` and `drivers` are
  demand drivers (price, promotion or display flags, ...).
- Dates are ISO 8601 (`2026-11-23`); another day-first or month-first format can be named at import
  (`--date-format %d/%m/%Y`). Timestamps without a zone are UTC. A date outside {DATE_RANGE_TEXT},
  such as the year 1500 or 9999 in a workbook or a Parquet file, is rejected with its row.
- Numbers use a dot as decimal separator and no thousands separator. Any number beyond ±{MAX_ABS_NUMBER:g}
  is rejected as a unit or parsing mistake.
- Currencies are ISO 4217 codes (`USD`), countries ISO 3166-1 alpha-2 codes (`US`).
- An import is all or nothing: one error anywhere rejects the batch and nothing is written. The report lists
  every failing row (row 1 = the first row under the header), column, check and value.
- Data-quality findings (duplicate keys, unknown references, gaps, stale counts, outliers, ...) are warnings:
  the rows are kept and the table's trust score (0–100) drops. When a key repeats, the last row wins.
  One is an error: an exchange rate more than {FX_JUMP_FACTOR:g} times (or under 1/{FX_JUMP_FACTOR:g} of) the rates
  around it in its currency's history (`fx_jump`; a lone rate outside {FX_PLAUSIBLE_BAND[0]:g} to
  {FX_PLAUSIBLE_BAND[1]:g}: `fx_out_of_band`) rejects the import unless it is run with `--accept-fx-jumps`
  (docs/imports.md, "Implausible exchange rates").
- An import is combined with the table by key (docs/imports.md): `upsert` (the default of every table) adds
  new keys and corrects existing ones, `append` only adds, `replace` makes the file the whole table and needs
  `--force` when it would remove more than half the rows or dates of history. `hedgerow imports revert ID`
  restores the table as it was before an import.
- A workspace can be planned with only {", ".join(f"`{t.value}`" for t in MINIMUM_TABLES)}; every other
  table adds realism when present.
"""


def _checks(col: ColumnSpec) -> str:
    parts: list[str] = []
    if col.allowed:
        parts.append("one of " + ", ".join(f"`{v}`" for v in col.allowed))
    if col.min_value is not None:
        parts.append(f"{'>' if col.min_exclusive else '≥'} {col.min_value:g}")
    if col.max_value is not None:
        parts.append(f"≤ {col.max_value:g}")
    if col.pattern:
        parts.append(f"matches `{col.pattern}`" + (" after upper-casing" if col.upper_case else ""))
    if col.not_in_future:
        parts.append("not in the future")
    if col.references:
        parts.append(f"should exist in {col.references.describe()}")
    return "; ".join(parts)


def render_table(spec: TableSpec) -> str:
    """Markdown section of one table."""
    lines = [
        f"## `{spec.name.value}`",
        "",
        spec.description,
        "",
        f"Key: {', '.join(f'`{k}`' for k in spec.key)} · import default: `{spec.import_mode.value}`"
        + (f" · rows dated by `{spec.date_column}`" if spec.date_column else "")
        + (" (history: a replace that drops dates needs `--force`)" if spec.keeps_history else "")
        + (" · extra numeric columns are demand drivers" if spec.extra_numeric_columns_are_drivers else ""),
        "",
        "| column | type | unit | required | empty allowed | checks | meaning |",
        "|---|---|---|---|---|---|---|",
    ]
    for col in spec.columns:
        lines.append(
            f"| `{col.name}` | {col.type.value} | {col.unit} | {'yes' if col.required else 'no'} | "
            f"{'yes' if col.nullable else 'no'} | {_checks(col)} | {col.description} |"
        )
    return "\n".join(lines)


def render_contract_markdown() -> str:
    """The whole data-contract document."""
    return INTRO + "\n" + "\n\n".join(render_table(spec) for spec in TABLES.values()) + "\n"


if __name__ == "__main__":  # pragma: no cover - documentation generator
    print(render_contract_markdown(), end="")
