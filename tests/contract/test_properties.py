"""Property tests: whatever text a file holds, validation returns a report — it never crashes."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hedgerow.contract.spec import TABLES
from hedgerow.domain.enums import Severity, TableName
from tests.contract.helpers import validate

cells = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(["", "nan", "inf", "-inf", "1e400", "-0", "0x10", "2026-02-29", "2024-02-29", "NaT", "null"]),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=st.sampled_from(list(TableName)), data=st.data())
def test_validation_never_crashes_and_typed_frames_keep_rows(table: TableName, data: st.DataObject) -> None:
    spec = TABLES[table]
    n = data.draw(st.integers(min_value=0, max_value=6))
    columns = {c.name: data.draw(st.lists(cells, min_size=n, max_size=n)) for c in spec.columns}
    frame = pd.DataFrame(columns, index=pd.RangeIndex(1, n + 1), dtype=object)
    result = validate(table.value, frame)
    assert len(result.frame) == n
    assert all(f.severity is Severity.ERROR for f in result.errors)
    assert all(f.row is None or 1 <= f.row <= n for f in result.errors)
    if not result.errors:
        for col in spec.columns:
            if not col.nullable:
                assert result.frame[col.name].notna().all()
