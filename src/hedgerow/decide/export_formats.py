"""Export files of accepted actions for an ERP: a generic CSV/JSON/Parquet and Odoo import files. Pure.

Every renderer is deterministic: the same lines give the same bytes (sorted rows, fixed number formatting, no
export time in the content), so an export can be recognised by its SHA-256 and recorded once. The generic
schema is documented in docs/export.md and versioned by :data:`EXPORT_SCHEMA`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from hedgerow.domain.actions import ActionKind

#: Name and version of the generic export schema (bump the number on any change of columns or meaning).
EXPORT_SCHEMA = "hedgerow.export/1"


class ExportFormat(StrEnum):
    """File formats of ``hedgerow export``."""

    CSV = "csv"  # generic, one row per action
    JSON = "json"  # generic, {"schema": ..., "actions": [...]}
    PARQUET = "parquet"  # generic, typed columns
    ODOO_PURCHASE = "odoo-purchase"  # Odoo purchase.order import (orders, grouped per supplier/destination/mode)
    ODOO_TRANSFER = "odoo-transfer"  # Odoo stock.picking import (internal transfers between warehouses)

    @property
    def extension(self) -> str:
        """File name extension."""
        return {"json": "json", "parquet": "parquet"}.get(self.value, "csv")


#: Kinds of action each format can carry. Buffers and do-nothing give an ERP nothing to do and are not exported.
FORMAT_KINDS: dict[ExportFormat, frozenset[ActionKind]] = {
    ExportFormat.CSV: frozenset({ActionKind.ORDER, ActionKind.TRANSFER, ActionKind.EXPEDITE}),
    ExportFormat.JSON: frozenset({ActionKind.ORDER, ActionKind.TRANSFER, ActionKind.EXPEDITE}),
    ExportFormat.PARQUET: frozenset({ActionKind.ORDER, ActionKind.TRANSFER, ActionKind.EXPEDITE}),
    ExportFormat.ODOO_PURCHASE: frozenset({ActionKind.ORDER}),
    ExportFormat.ODOO_TRANSFER: frozenset({ActionKind.TRANSFER}),
}


@dataclass(frozen=True)
class ExportLine:
    """One accepted action, as decided, with the master data an ERP needs."""

    recommendation_id: str
    plan_id: str
    kind: ActionKind
    item_id: str
    item_name: str
    origin_id: str | None
    origin_name: str | None
    destination_id: str
    destination_name: str
    qty: float
    proposed_qty: float
    mode: str | None
    lane_id: str | None
    shipment_id: str | None
    transit_days: float | None
    unit_cost: float | None
    cost_currency: str | None
    decision: str  # approved | modified
    decided_by: str
    decided_at: datetime
    reason_category: str | None
    capital_base: float
    base_currency: str

    @property
    def decided_on(self) -> date:
        """Day of the decision (UTC)."""
        return self.decided_at.astimezone(UTC).date()

    @property
    def expected_arrival(self) -> date | None:
        """Decision day plus the lane's planned transit days (rounded up), if known."""
        if self.transit_days is None or math.isnan(self.transit_days):
            return None
        return self.decided_on + timedelta(days=math.ceil(self.transit_days))


#: The generic schema: column, type, meaning (docs/export.md is written from this list).
GENERIC_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("schema", "string", f"Always `{EXPORT_SCHEMA}`."),
    ("recommendation_id", "string", "hedgerow recommendation id; use it as the external reference (idempotent)."),
    ("plan_id", "string", "Plan that proposed the action."),
    ("action", "string", "order, transfer or expedite."),
    ("item_id", "string", "Item (SKU) id of the data contract."),
    ("origin_id", "string", "Supplier (order) or location (transfer) the goods come from; empty for expedites."),
    ("destination_id", "string", "Location the goods go to."),
    ("qty", "number", "Units to order, move or expedite, as decided."),
    ("proposed_qty", "number", "Units hedgerow proposed (differs from qty when modified)."),
    ("mode", "string", "Transport mode: ocean, air, rail or truck."),
    ("lane_id", "string", "Lane of the data contract."),
    ("shipment_id", "string", "Shipment to expedite (expedites only)."),
    ("expected_arrival", "date", "Decision day + the lane's planned transit days (empty when unknown)."),
    ("unit_cost", "number", "Purchase cost of one unit (orders), in cost_currency."),
    ("cost_currency", "string", "ISO 4217 currency of unit_cost."),
    ("decision", "string", "approved or modified."),
    ("decided_by", "string", "Ledger user (or auto-approval) who decided."),
    ("decided_at", "datetime", "When, UTC ISO 8601."),
    ("reason_category", "string", "Why it was modified (empty for approvals)."),
    ("capital_base", "number", "Capital committed as proposed, base currency."),
    ("base_currency", "string", "ISO 4217 base currency of the workspace."),
)


def _num(value: float | None) -> str:
    """Fixed number text: integers without decimals, else up to 6 decimals without trailing zeros."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _generic_record(line: ExportLine) -> dict[str, Any]:
    arrival = line.expected_arrival
    return {
        "schema": EXPORT_SCHEMA,
        "recommendation_id": line.recommendation_id,
        "plan_id": line.plan_id,
        "action": line.kind.value,
        "item_id": line.item_id,
        "origin_id": line.origin_id,
        "destination_id": line.destination_id,
        "qty": line.qty,
        "proposed_qty": line.proposed_qty,
        "mode": line.mode,
        "lane_id": line.lane_id,
        "shipment_id": line.shipment_id,
        "expected_arrival": arrival.isoformat() if arrival else None,
        "unit_cost": line.unit_cost if line.kind is ActionKind.ORDER else None,
        "cost_currency": line.cost_currency if line.kind is ActionKind.ORDER else None,
        "decision": line.decision,
        "decided_by": line.decided_by,
        "decided_at": _iso(line.decided_at),
        "reason_category": line.reason_category,
        "capital_base": line.capital_base,
        "base_currency": line.base_currency,
    }


def _csv(header: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float | int) and not isinstance(value, bool):
        return _num(float(value))
    return str(value)


def render_generic_csv(lines: Sequence[ExportLine]) -> bytes:
    """The generic schema as CSV (UTF-8, comma, ``\\n``), one row per action, by recommendation id."""
    names = [c[0] for c in GENERIC_COLUMNS]
    records = [_generic_record(x) for x in sorted(lines, key=lambda x: x.recommendation_id)]
    return _csv(names, [[_cell(r[n]) for n in names] for r in records])


def render_generic_json(lines: Sequence[ExportLine]) -> bytes:
    """The generic schema as JSON: ``{"schema": ..., "actions": [...]}``, keys sorted, 2-space indent."""
    records = [_generic_record(x) for x in sorted(lines, key=lambda x: x.recommendation_id)]
    for r in records:
        del r["schema"]
    text = json.dumps({"schema": EXPORT_SCHEMA, "actions": records}, indent=2, sort_keys=True, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


_ARROW_TYPES = {"string": pa.string(), "number": pa.float64(), "date": pa.string(), "datetime": pa.string()}


def generic_arrow_table(lines: Sequence[ExportLine]) -> pa.Table:
    """The generic schema as an Arrow table (dates and times as ISO text, like the CSV)."""
    records = [_generic_record(x) for x in sorted(lines, key=lambda x: x.recommendation_id)]
    schema = pa.schema([pa.field(name, _ARROW_TYPES[kind]) for name, kind, _ in GENERIC_COLUMNS])
    return pa.Table.from_pylist(records, schema=schema)


def render_generic_parquet(lines: Sequence[ExportLine]) -> bytes:
    """The generic schema as Parquet (zstd, no statistics); identical input gives identical bytes."""
    buffer = io.BytesIO()
    pq.write_table(generic_arrow_table(lines), buffer, compression="zstd", write_statistics=False)
    return buffer.getvalue()


def _odoo_time(day: date) -> str:
    return f"{day.isoformat()} 00:00:00"


def _group_id(prefix: str, lines: Sequence[ExportLine]) -> str:
    digest = hashlib.sha256(" ".join(sorted(x.recommendation_id for x in lines)).encode()).hexdigest()[:10]
    return f"hedgerow_{prefix}_{digest}"


def _grouped(lines: Sequence[ExportLine], *, by_currency: bool) -> list[list[ExportLine]]:
    """Lines grouped per origin, destination, mode, decision day (and cost currency): one ERP document each."""
    groups: dict[tuple[str, str, str, str, str], list[ExportLine]] = {}
    for line in sorted(lines, key=lambda x: x.recommendation_id):
        key = (
            line.origin_id or "",
            line.destination_id,
            line.mode or "",
            line.decided_on.isoformat(),
            (line.cost_currency or "") if by_currency else "",
        )
        groups.setdefault(key, []).append(line)
    return [groups[k] for k in sorted(groups)]


ODOO_PURCHASE_COLUMNS = (
    "id",
    "partner_id",
    "currency_id",
    "date_order",
    "picking_type_id",
    "origin",
    "order_line/product_id",
    "order_line/name",
    "order_line/product_qty",
    "order_line/price_unit",
    "order_line/date_planned",
)


def render_odoo_purchase(lines: Sequence[ExportLine]) -> bytes:
    """Odoo ``purchase.order`` import CSV: one order per supplier, destination, mode, decision day and currency.

    Header cells are filled on an order's first row and left empty on its further lines (Odoo's one-to-many
    import layout). Vendors and products are matched by name / internal reference (``item_id``); the receipt
    operation type is ``"<destination name>: Receipts"``.
    """
    rows: list[list[str]] = []
    for group in _grouped([x for x in lines if x.kind is ActionKind.ORDER], by_currency=True):
        first = group[0]
        header = [
            _group_id("po", group),
            first.origin_name or first.origin_id or "",
            first.cost_currency or "",
            _odoo_time(first.decided_on),
            f"{first.destination_name}: Receipts",
            "hedgerow " + " ".join(x.recommendation_id for x in group),
        ]
        for i, line in enumerate(group):
            arrival = line.expected_arrival or line.decided_on
            rows.append(
                (header if i == 0 else [""] * len(header))
                + [line.item_id, line.item_name, _num(line.qty), _num(line.unit_cost), _odoo_time(arrival)]
            )
    return _csv(ODOO_PURCHASE_COLUMNS, rows)


ODOO_TRANSFER_COLUMNS = (
    "id",
    "picking_type_id",
    "location_id",
    "location_dest_id",
    "scheduled_date",
    "origin",
    "move_ids_without_package/product_id",
    "move_ids_without_package/name",
    "move_ids_without_package/product_uom_qty",
)


def render_odoo_transfer(lines: Sequence[ExportLine]) -> bytes:
    """Odoo ``stock.picking`` import CSV: one internal transfer per origin, destination, mode and day.

    Warehouses are assumed to have the hedgerow location_id as short code, so stock locations are
    ``"<location_id>/Stock"``; the operation type is ``"<origin name>: Internal Transfers"``.
    """
    rows: list[list[str]] = []
    for group in _grouped([x for x in lines if x.kind is ActionKind.TRANSFER], by_currency=False):
        first = group[0]
        header = [
            _group_id("transfer", group),
            f"{first.origin_name or first.origin_id}: Internal Transfers",
            f"{first.origin_id}/Stock",
            f"{first.destination_id}/Stock",
            _odoo_time(first.decided_on),
            "hedgerow " + " ".join(x.recommendation_id for x in group),
        ]
        for i, line in enumerate(group):
            rows.append((header if i == 0 else [""] * len(header)) + [line.item_id, line.item_name, _num(line.qty)])
    return _csv(ODOO_TRANSFER_COLUMNS, rows)


def render(fmt: ExportFormat, lines: Sequence[ExportLine]) -> bytes:
    """The bytes of an export file of ``lines`` in ``fmt`` (lines of kinds the format cannot carry are left out)."""
    kept = [x for x in lines if x.kind in FORMAT_KINDS[fmt]]
    renderers = {
        ExportFormat.CSV: render_generic_csv,
        ExportFormat.JSON: render_generic_json,
        ExportFormat.PARQUET: render_generic_parquet,
        ExportFormat.ODOO_PURCHASE: render_odoo_purchase,
        ExportFormat.ODOO_TRANSFER: render_odoo_transfer,
    }
    return renderers[fmt](kept)
