"""Pure pieces of the presets on small hand-made inputs: ABC classes, data-set checks, breakfast mapping."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hedgerow.domain.enums import TableName
from hedgerow.errors import InputFileError
from hedgerow.presets import RECIPES, Preset, PresetContext, breakfast
from hedgerow.presets.base import abc_classes, slug
from hedgerow.services.workspace import init_workspace
from tests.presets.preset_testing import run_import_preset


def test_abc_classes_textbook_case() -> None:
    revenue = pd.Series({"a": 50.0, "b": 30.0, "c": 10.0, "d": 6.0, "e": 4.0, "f": 0.0})
    # shares before each: a 0, b .5, c .8, d .9, e .96 → A A B B C; zero revenue → C
    assert abc_classes(revenue).to_dict() == {"a": "A", "b": "A", "c": "B", "d": "B", "e": "C", "f": "C"}


def test_abc_one_dominant_item_is_a() -> None:
    assert abc_classes(pd.Series({"x": 99.0, "y": 1.0})).to_dict() == {"x": "A", "y": "C"}


@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=40))
def test_abc_classes_are_monotone_in_value(values: list[float]) -> None:
    series = pd.Series(values, index=[f"i{k}" for k in range(len(values))])
    classes = abc_classes(series)
    rank = classes.map({"A": 0, "B": 1, "C": 2})
    for i in series.index:
        for j in series.index:
            if series[i] > series[j]:
                assert rank[i] <= rank[j]
    assert set(classes) <= {"A", "B", "C"}


def test_slug() -> None:
    assert slug("HIV 1/2, Uni-Gold HIV Kit, 20 Tests") == "HIV-1-2-UNI-GOLD-HIV-KIT-20-TESTS"
    assert slug("  P & G ") == "P-G"


def _write_breakfast(folder: Path, *, drop_column: str | None = None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    weeks = ["2009-01-14", "2009-01-21", "2009-02-04", "2009-02-11"]  # 2009-01-28 absent
    tx = pd.DataFrame(
        {
            "week_end_date": [*weeks, "2009-01-21"],
            "store_id": [1, 1, 1, 1, 2],
            "upc_id": [11, 11, 11, 11, 22],
            "units": [5, 7, 3, 4, 9],
            "visits": [5, 7, 3, 4, 9],
            "hhs": [5, 7, 3, 4, 9],
            "spend": [10.0, 11.2, 6.0, 8.0, 45.0],
            "price": [2.0, 1.6, 2.0, 2.0, 5.0],
            "base_price": [2.0, 2.0, 2.2, 2.2, 5.0],
            "feature": [0, 1, 0, 0, 0],
            "display": [0, 1, 0, 0, 1],
            "tpr_only": [0, 0, 0, 0, 0],
        }
    )
    if drop_column:
        tx = tx.drop(columns=[drop_column])
    tx.to_csv(folder / "transactions.csv.gz", index=False)
    pd.DataFrame(
        {
            "store_id": [1, 2],
            "store_name": ["ONE", "TWO"],
            "address_city_name": ["A", "B"],
            "address_state_prov_code": ["TX", "OH"],
            "msa_code": [100.0, None],
            "seg_value_name": ["VALUE", "UPSCALE"],
        }
    ).to_csv(folder / "stores.csv", index=False)
    pd.DataFrame(
        {
            "upc_id": [11, 22, 33],
            "description": ["PRETZELS", "PIZZA", "NEVER SOLD"],
            "manufacturer": ["M1", "M2", "M1"],
            "category": ["BAG SNACKS", "FROZEN PIZZA", "BAG SNACKS"],
            "sub_category": ["PRETZELS", "PIZZA", "PRETZELS"],
        }
    ).to_csv(folder / "products.csv", index=False)


def test_breakfast_mapping_by_hand(tmp_path: Path) -> None:
    _write_breakfast(tmp_path / "bf")
    raw = breakfast.DATASET.load(tmp_path / "bf")
    mapped = breakfast.map_tables(raw, PresetContext())
    demand = mapped.tables[TableName.DEMAND]
    one = demand[demand["location_id"] == "1"].sort_values("period_start")
    assert one["period_start"].dt.strftime("%Y-%m-%d").tolist() == [
        "2009-01-08",
        "2009-01-15",
        "2009-01-22",
        "2009-01-29",
        "2009-02-05",
    ]
    assert one["qty"].tolist() == [5, 7, 0, 3, 4]
    filled = one.iloc[2]
    # the absent week carries the last observed base price (2.0) as price and base price, flags 0
    assert (filled["price"], filled["base_price"], filled["feature"], filled["display"]) == (2.0, 2.0, 0, 0)
    assert mapped.summary["zero_filled_weeks"] == 1
    assert mapped.summary["catalogue_upcs_without_sales_left_out"] == 1
    items = mapped.tables[TableName.ITEMS].set_index("item_id")
    assert items.loc["11", "unit_cost"] == pytest.approx(0.7 * 2.1)  # median of 2.0, 2.0, 2.2, 2.2
    assert items["item_class"].to_dict() == {"11": "A", "22": "A"}  # revenue 35.2 after 45 of 80.2: share before 56 %
    locations = mapped.tables[TableName.LOCATIONS].set_index("location_id")
    assert locations.loc["1", "msa_code"] == "100"
    assert pd.isna(locations.loc["2", "msa_code"])


def test_locate_accepts_the_parent_folder_and_a_file(tmp_path: Path) -> None:
    _write_breakfast(tmp_path / "breakfast_at_the_frat")
    assert breakfast.DATASET.locate(tmp_path) == tmp_path / "breakfast_at_the_frat"
    assert breakfast.DATASET.locate(tmp_path / "breakfast_at_the_frat" / "stores.csv") == (
        tmp_path / "breakfast_at_the_frat"
    )


def test_missing_path_names_the_expected_files(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"no such file or folder; expected the Breakfast at the Frat"):
        breakfast.DATASET.locate(tmp_path / "nope")


def test_wrong_folder_names_the_missing_files(tmp_path: Path) -> None:
    (tmp_path / "stores.csv").write_text("a,b\n1,2\n")
    with pytest.raises(InputFileError, match=r"missing: transactions.csv.gz, products.csv"):
        breakfast.DATASET.locate(tmp_path)


def test_wrong_columns_name_what_was_expected(tmp_path: Path) -> None:
    _write_breakfast(tmp_path, drop_column="base_price")
    with pytest.raises(InputFileError, match=r"transactions.csv.gz: not the Breakfast .* missing: base_price"):
        breakfast.DATASET.load(tmp_path)


def test_cli_reports_a_wrong_path_cleanly(tmp_path: Path) -> None:
    init_workspace(tmp_path / "ws").close()
    code, payload = run_import_preset(tmp_path / "ws", "breakfast", str(tmp_path / "missing"))
    assert code == 1
    assert payload["ok"] is False
    assert "expected the Breakfast at the Frat" in payload["error"]


def test_every_preset_has_a_recipe() -> None:
    assert set(RECIPES) == set(Preset)
    assert all(RECIPES[p].preset is p for p in Preset)


@pytest.mark.parametrize("preset", list(Preset))
def test_every_preset_names_its_files_when_the_folder_is_wrong(tmp_path: Path, preset: Preset) -> None:
    dataset = RECIPES[preset].dataset
    with pytest.raises(InputFileError) as info:
        dataset.locate(tmp_path)
    for spec in dataset.files:
        assert spec.name in str(info.value)
    assert dataset.title in str(info.value)


@pytest.mark.parametrize("preset", list(Preset))
def test_every_preset_names_the_columns_it_expected(tmp_path: Path, preset: Preset) -> None:
    dataset = RECIPES[preset].dataset
    for spec in dataset.files:  # files of the right names holding another table
        pd.DataFrame({"colour": ["red"], "size": [3]}).to_csv(tmp_path / spec.name, index=False)
    with pytest.raises(InputFileError) as info:
        dataset.load(tmp_path)
    message = str(info.value)
    assert f"not the {dataset.title} file: expected the columns" in message
    assert "the file has: colour, size" in message
