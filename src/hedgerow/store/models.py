"""SQLAlchemy models of the ledger. The schema itself is owned by the Alembic migrations in ``migrations/``;
a test checks that the migrated schema and these models agree.

The lineage table and the declarative base live in :mod:`hedgerow.store.lineage_models`, the decision ledger's
tables in :mod:`hedgerow.store.decide_models`, the job queue in :mod:`hedgerow.store.job_models`, web sessions and
failed sign-ins in :mod:`hedgerow.store.session_models`; importing this module puts every table on ``Base.metadata``.

Every table is either *bound* (:data:`BOUND_TABLES`: each row's current state is recorded in the audit event that
wrote it, and ``hedgerow audit verify`` recomputes it) or *operational* (:data:`OPERATIONAL_TABLES`, with the
reason); a test fails when a table is in neither, so no ledger table is added unchecked.
"""

from __future__ import annotations

from sqlalchemy import MetaData

from hedgerow.store import decide_models as _decide_models  # noqa: F401  (registers the decision tables)
from hedgerow.store import job_models as _job_models  # noqa: F401  (registers the job queue's table)
from hedgerow.store import session_models as _session_models  # noqa: F401  (registers the sign-in tables)
from hedgerow.store.lineage_models import Base, ImportRecord

#: The ledger's records: every row is bound to the audit event that wrote its current state.
BOUND_TABLES: tuple[str, ...] = (
    "users",
    "api_keys",
    "imports",
    "plans",
    "recommendations",
    "decisions",
    "holds",
    "reconciliations",
    "reconciliation_lines",
    "location_trust",
    "exports",
    "fx_cover_recommendations",
)

#: Tables that are not bound, and why: the chain itself, and operational state that records no decision.
OPERATIONAL_TABLES: dict[str, str] = {
    "audit_events": "the chain itself, checked event by event",
    "audit_head": "the chain's head, checked against the chain",
    "jobs": "the job queue: work asked for and its progress; what a job writes (an import, a plan) is bound "
    "in its own table",
    "web_sessions": "who is signed in now; sign-in and sign-out are not records",
    "sign_in_failures": "the sign-in throttle's counts, swept after a window",
}


def unlisted_tables(metadata: MetaData) -> list[str]:
    """Tables of ``metadata`` that are neither bound nor operational (sorted); the schema test wants none."""
    listed = set(BOUND_TABLES) | set(OPERATIONAL_TABLES)
    return sorted(name for name in metadata.tables if name not in listed)


__all__ = ["BOUND_TABLES", "OPERATIONAL_TABLES", "Base", "ImportRecord", "unlisted_tables"]
