"""The decision ledger's pure core: lifecycle, roles, audit chain, holds, reconciliation, scoring, exports.

Database use cases live in :mod:`hedgerow.services` (``recommendations``, ``holds``, ``audit``, ``users``,
``reconciliation``, ``exporting``, ``scoreboard``, ``trace``); see docs/ledger.md and docs/export.md.
"""

from hedgerow.decide.auditchain import ChainEvent, ChainReport, EventKind, Tamper, verify_chain
from hedgerow.decide.export_formats import EXPORT_SCHEMA, ExportFormat
from hedgerow.decide.holds import Hold, HoldSource, HoldStatus, effective_holds, expiring, free_stock
from hedgerow.decide.lifecycle import DecisionKind, ReasonCategory, allowed_decisions, next_status
from hedgerow.decide.records import DecisionRequest, PlanRecord, PlanStatus, RecommendationRecord
from hedgerow.decide.roles import Permission, has_permission

__all__ = [
    "EXPORT_SCHEMA",
    "ChainEvent",
    "ChainReport",
    "DecisionKind",
    "DecisionRequest",
    "EventKind",
    "ExportFormat",
    "Hold",
    "HoldSource",
    "HoldStatus",
    "Permission",
    "PlanRecord",
    "PlanStatus",
    "ReasonCategory",
    "RecommendationRecord",
    "Tamper",
    "allowed_decisions",
    "effective_holds",
    "expiring",
    "free_stock",
    "has_permission",
    "next_status",
    "verify_chain",
]
