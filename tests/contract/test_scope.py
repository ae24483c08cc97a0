"""tables_for_item_locations: a plan for part of the network reads only that part."""

from __future__ import annotations

import pandas as pd

from hedgerow.contract.scope import tables_for_item_locations
from hedgerow.domain.enums import TableName

CHOSEN = [("A", "L1"), ("K", "L1")]


def _frames() -> dict[TableName, pd.DataFrame]:
    il = {"item_id": ["A", "A", "B", "K"], "location_id": ["L1", "L2", "L1", "L1"]}
    return {
        TableName.ITEMS: pd.DataFrame({"item_id": ["A", "B", "K"]}),
        TableName.ITEM_LOCATIONS: pd.DataFrame(il),
        TableName.DEMAND: pd.DataFrame({**il, "qty": [1.0, 2.0, 3.0, 4.0]}),
        TableName.INVENTORY: pd.DataFrame({**il, "on_hand": [5, 6, 7, 8]}),
        TableName.HOLDS: pd.DataFrame({"hold_id": ["H1", "H2"], "item_id": ["A", "B"], "location_id": ["L2", "L1"]}),
        TableName.LANES: pd.DataFrame({"lane_id": ["S-L1", "S-L2", "L2-L1"], "destination_id": ["L1", "L2", "L1"]}),
        TableName.SHIPMENTS: pd.DataFrame(
            {"shipment_id": ["S1", "S1", "S2", "S3"], "lane_id": ["S-L1", "S-L1", "S-L2", "L2-L1"], "item_id": ["A", "B", "A", "K"]}
        ),
        TableName.BUNDLES: pd.DataFrame({"bundle_item_id": ["K", "K"], "component_item_id": ["A", "B"]}),
        TableName.SIGNALS: pd.DataFrame(
            {"signal_id": ["G1", "G2", "G3"], "scope_type": ["item_location", "item_location", "port"], "scope_id": ["A@L1", "A@L2", "USLAX"]}
        ),
    }  # fmt: skip


def test_keyed_tables_keep_only_the_chosen_item_locations() -> None:
    cut = tables_for_item_locations(_frames(), CHOSEN)
    for table in (TableName.ITEM_LOCATIONS, TableName.DEMAND, TableName.INVENTORY):
        assert list(zip(cut[table]["item_id"], cut[table]["location_id"], strict=True)) == CHOSEN
    assert cut[TableName.DEMAND]["qty"].tolist() == [1.0, 4.0]
    assert cut[TableName.HOLDS].empty


def test_shipments_bundles_and_signals_follow_the_chosen_item_locations() -> None:
    cut = tables_for_item_locations(_frames(), CHOSEN)
    shipments = cut[TableName.SHIPMENTS]
    assert list(zip(shipments["shipment_id"], shipments["item_id"], strict=True)) == [("S1", "A"), ("S3", "K")]
    assert cut[TableName.BUNDLES]["component_item_id"].tolist() == ["A"]  # B is not planned
    assert cut[TableName.SIGNALS]["signal_id"].tolist() == ["G1", "G3"]  # other item-locations' signals go


def test_master_data_stays_whole_and_the_input_is_untouched() -> None:
    frames = _frames()
    cut = tables_for_item_locations(frames, CHOSEN)
    assert cut[TableName.ITEMS] is frames[TableName.ITEMS]
    assert cut[TableName.LANES] is frames[TableName.LANES]
    assert len(frames[TableName.DEMAND]) == 4
