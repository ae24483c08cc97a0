"""SQLAlchemy models of the ledger. The schema itself is owned by the Alembic migrations in ``migrations/``;
a test checks that the migrated schema and these models agree.

The lineage table and the declarative base live in :mod:`hedgerow.store.lineage_models`, the decision ledger's
tables in :mod:`hedgerow.store.decide_models`, the job queue in :mod:`hedgerow.store.job_models`, web sessions and
failed sign-ins in :mod:`hedgerow.store.session_models`; importing this module puts every table on ``Base.metadata``.
"""

from __future__ import annotations

from hedgerow.store import decide_models as _decide_models  # noqa: F401  (registers the decision tables)
from hedgerow.store import job_models as _job_models  # noqa: F401  (registers the job queue's table)
from hedgerow.store import session_models as _session_models  # noqa: F401  (registers the sign-in tables)
from hedgerow.store.lineage_models import Base, ImportRecord

__all__ = ["Base", "ImportRecord"]
