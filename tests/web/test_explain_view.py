"""Reading stored explanations defensively, and the chart specs built from them."""

from __future__ import annotations

from hedgerow.domain.enums import TableName
from hedgerow.domain.gaps import DataGap, DataGapKind
from hedgerow.web.charts import WITH, WITHOUT, bar_chart, fan_chart
from hedgerow.web.explain_view import explanation_view

from ..api.conftest import NOW
from ..api.plans import explanation


def sample() -> dict:  # type: ignore[type-arg]
    return explanation(item="I1", location="TYO", qty=800, lane="L1", mode="ocean", origin="S1", transit_days=30,
                       on_hand=500, mean=100, sd=30, unit_cost=10, margin=6, start=NOW, snapshots={"demand": "ab"})  # fmt: skip


def test_a_full_explanation_is_read_completely() -> None:
    raw = sample()
    view = explanation_view(raw)
    assert view.summary is not None
    assert view.summary.startswith("Order 800 units of I1 for TYO")
    assert [a.kind for a in view.alternatives] == ["recommended", "do_nothing", "half"]
    assert [a.recommended for a in view.alternatives] == [True, False, False]
    assert view.breakdown[0][0] in {"margin of lost sales", "storage and cost of money tied up in stock", "transport"}
    assert abs(sum(v for _, v in view.breakdown) - (view.breakdown_total or 0)) < 0.02
    assert [d.impact for d in view.drivers] == sorted((d.impact or 0 for d in view.drivers), reverse=True)
    label = raw["break_even"]["label"]
    assert label.startswith("stops paying if demand for ")
    assert view.break_even == f"S{label[1:]}."  # the planner's sentence as it is, not wrapped in another
    assert view.projection is not None
    assert len(view.projection.periods) == 12
    assert set(view.projection.with_action) == {"p05", "p25", "p50", "p75", "p95"}
    # the order arrives in week 5 (30 days): stock with it jumps by 800 units then, without it never does
    with_, without = view.projection.with_action["p50"], view.projection.without_action["p50"]
    assert with_[:4] == without[:4]
    assert (with_[4], without[4]) == (800.0, 0.0)  # 500 + 800 − 5 × 100 and max(0, 500 − 5 × 100)
    assert all(lo <= mid <= hi for lo, mid, hi in zip(view.projection.with_action["p95"], with_,
                                                      view.projection.with_action["p05"], strict=True))  # fmt: skip


def test_an_explanation_that_cannot_be_read_is_a_view_saying_why_not_an_error() -> None:
    odd = sample()
    odd["alternatives"][2]["capital"] = "a lot"
    view = explanation_view(odd)
    assert view.error == (
        "The stored explanation cannot be read: alternatives[2].capital: expected a number, got 'a lot'."
    )
    assert view.summary is None
    assert view.alternatives == []
    assert view.breakdown == []
    assert view.projection is None


def test_a_projection_with_a_value_missing_is_not_drawn() -> None:
    raw = sample()
    for series in (raw["projection"]["with_action"], raw["projection"]["without_action"]):
        series["p50"][3] = None  # what to_dict writes for a value that is not finite
    assert explanation_view(raw).projection is None


def test_fan_chart_spec_has_bands_lines_and_both_cases() -> None:
    view = explanation_view(sample())
    assert view.projection is not None
    spec = fan_chart(view.projection)
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["area", "area", "line", "rule"]
    cases = {row["case"] for row in spec["data"]["values"]}
    assert cases == {WITH, WITHOUT}
    assert len(spec["data"]["values"]) == 24


def test_bar_chart_keeps_the_largest() -> None:
    rows = [{"k": f"L{i}", "v": float(i)} for i in range(15)]
    spec = bar_chart(rows, category="k", value="v", title="t", unit="USD", top=3)
    assert [d["category"] for d in spec["data"]["values"]] == ["L14", "L13", "L12"]


def test_the_data_gaps_an_explanation_relies_on_are_read() -> None:
    raw = sample()
    raw["gaps"] = [
        DataGap(DataGapKind.NO_INVENTORY, TableName.INVENTORY, "no count on record — assumed 0 units on hand",
                "hedgerow import inventory.csv", 1).to_dict()
    ]  # fmt: skip
    view = explanation_view(raw)
    assert view.gaps == [("Inventory: no count on record — assumed 0 units on hand", "hedgerow import inventory.csv")]
