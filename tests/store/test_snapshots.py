"""Snapshots are content-addressed, immutable and verifiable."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hedgerow.domain.enums import TableName
from hedgerow.errors import SnapshotError
from hedgerow.store.snapshots import SnapshotStore


def test_put_read_verify_and_tamper_detection(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    frame = pd.DataFrame({"item_id": pd.Series(["A", "B"], dtype="string"), "qty": [1.0, 2.5]})
    sha, data = store.encode(frame)
    assert store.encode(frame)[0] == sha  # deterministic
    path = store.put(TableName.DEMAND, sha, data)
    assert path == tmp_path / "snapshots" / "demand" / f"{sha}.parquet"
    pd.testing.assert_frame_equal(store.read(TableName.DEMAND, sha, verify=True), frame)
    assert store.verify(TableName.DEMAND, sha)
    path.write_bytes(data[:-1] + b"X")
    assert not store.verify(TableName.DEMAND, sha)
    with pytest.raises(SnapshotError, match="has been modified"):
        store.read(TableName.DEMAND, sha, verify=True)
    with pytest.raises(SnapshotError, match="is missing"):
        store.read(TableName.ITEMS, sha)


def test_discard_removes_empty_folders_only(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    sha, data = store.encode(pd.DataFrame({"a": [1]}))
    store.put(TableName.ITEMS, sha, data)
    store.discard(TableName.ITEMS, sha)
    assert not (tmp_path / "snapshots").exists()
