"""tables_as_of: a plan made in the past sees only what was known then."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from hedgerow.contract.as_of import tables_as_of
from hedgerow.domain.enums import TableName

AS_OF = datetime(2026, 3, 2)


def _frames() -> dict[TableName, pd.DataFrame]:
    t = pd.Timestamp
    return {
        TableName.DEMAND: pd.DataFrame(
            {"item_id": ["A"] * 3, "location_id": ["L"] * 3, "period_start": [t("2026-02-16"), t("2026-02-23"), t("2026-03-02")], "qty": [1.0, 2.0, 3.0]}
        ),
        TableName.INVENTORY: pd.DataFrame(
            {"item_id": ["A", "A"], "location_id": ["L", "L"], "counted_at": [t("2026-03-02 00:00"), t("2026-03-02 08:00")], "on_hand": [5.0, 4.0]}
        ),
        TableName.SHIPMENTS: pd.DataFrame(
            {
                "shipment_id": ["S1", "S2", "S3"],
                "ship_date": [t("2026-02-01"), t("2026-02-20"), t("2026-03-04")],
                "delivered_date": [t("2026-02-25"), t("2026-03-05"), pd.NaT],
            }
        ),
        TableName.SIGNALS: pd.DataFrame({"signal_id": ["G1", "G2"], "observed_at": [t("2026-03-01"), t("2026-03-03")]}),
        TableName.FX_RATES: pd.DataFrame({"date": [t("2026-03-02"), t("2026-03-03")], "currency": ["EUR", "EUR"], "units_per_base": [0.9, 0.8]}),
        TableName.ITEMS: pd.DataFrame({"item_id": ["A"]}),
    }  # fmt: skip


def test_every_time_stamped_table_is_cut_at_the_moment() -> None:
    frames = _frames()
    cut = tables_as_of(frames, AS_OF)
    assert cut[TableName.DEMAND]["qty"].tolist() == [1.0, 2.0]  # the period starting at as_of is the future
    assert cut[TableName.INVENTORY]["on_hand"].tolist() == [5.0]  # the count at midnight is known, 08:00 not
    ships = cut[TableName.SHIPMENTS].set_index("shipment_id")
    assert ships.index.tolist() == ["S1", "S2"]  # S3 had not left
    assert ships.at["S1", "delivered_date"] == pd.Timestamp("2026-02-25")
    assert pd.isna(ships.at["S2", "delivered_date"])  # delivered later: in transit at as_of
    assert cut[TableName.SIGNALS]["signal_id"].tolist() == ["G1"]
    assert cut[TableName.FX_RATES]["units_per_base"].tolist() == [0.9]
    assert cut[TableName.ITEMS] is frames[TableName.ITEMS]  # master data unchanged


def test_the_input_frames_are_not_modified() -> None:
    frames = _frames()
    before = frames[TableName.SHIPMENTS].copy()
    tables_as_of(frames, AS_OF)
    pd.testing.assert_frame_equal(frames[TableName.SHIPMENTS], before)
