"""Typed explanations end to end (issue 14): every explanation of a real plan reads back from its JSON form and
from the ledger, records of older versions load with defaults, and a field of the wrong type is named."""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator, Mapping
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

import pytest

from hedgerow.domain.enums import TableName
from hedgerow.domain.plan import Explanation
from hedgerow.errors import RecordFormatError
from hedgerow.services.planning import PlanOutcome, make_workspace_plan
from hedgerow.services.queue import explanation_of, typed_explanation_of
from hedgerow.services.workspace import open_workspace
from tests.conftest import NOW
from tests.services.test_plan_gaps import AS_OF, network_workspace


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, PlanOutcome]]:
    """The fixture network without shipments and signals and without the Tokyo count (so explanations carry data
    gaps), planned and recorded once."""
    root = tmp_path_factory.mktemp("typed")
    network = Path(__file__).resolve().parents[1] / "fixtures" / "network"
    ws = network_workspace(root, network, drop=(TableName.SHIPMENTS, TableName.SIGNALS), no_tokyo_count=True)
    try:
        yield ws.root, make_workspace_plan(ws, user="ana", now=NOW, as_of=AS_OF)
    finally:
        ws.close()


def _differences(a: Any, b: Any, path: str = "explanation") -> list[str]:
    """Where two values differ by more than the JSON form's rounding (numbers are written to 1-6 decimals)."""
    if is_dataclass(a) and not isinstance(a, type):
        if type(a) is not type(b):
            return [f"{path}: {type(a).__name__} against {type(b).__name__}"]
        return [d for f in fields(a) if f.compare for d in _differences(getattr(a, f.name), getattr(b, f.name),
                                                                        f"{path}.{f.name}")]  # fmt: skip
    if isinstance(a, float) and isinstance(b, float):
        same = (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=0, abs_tol=0.05)
        return [] if same else [f"{path}: {a} against {b}"]
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        if set(a) != set(b):
            return [f"{path}: keys {sorted(a)} against {sorted(b)}"]
        return [d for k in a for d in _differences(a[k], b[k], f"{path}[{k!r}]")]
    if isinstance(a, tuple) and isinstance(b, tuple):
        if len(a) != len(b):
            return [f"{path}: {len(a)} against {len(b)} elements"]
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _differences(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {a!r} against {b!r}"]


def test_every_explanation_of_a_plan_reads_back_from_its_json(planned: tuple[Path, PlanOutcome]) -> None:
    _, outcome = planned
    explanations = [r.explanation for r in outcome.plan.recommendations]
    assert explanations
    # the plan exercises every optional part of an explanation
    assert any(e.gaps for e in explanations)
    assert any(e.projection for e in explanations)
    assert any(e.break_even for e in explanations)
    assert any(e.guardrails for e in explanations)
    for e in explanations:
        d = e.to_dict()
        back = Explanation.from_dict(d)
        assert back.to_dict() == d  # the JSON form is a fixed point
        assert Explanation.from_dict(back.to_dict()) == back  # and so is the type, once written
        assert not _differences(e, back)  # the same explanation, to the JSON form's rounding
        assert back.gaps == e.gaps  # a gap compares by its count, which the JSON form keeps


def test_a_value_already_at_the_json_precision_reads_back_equal() -> None:
    """An explanation whose numbers are as ``to_dict`` writes them is its own round trip, exactly."""
    from tests.api.plans import explanation as sample

    raw = sample(item="I1", location="TYO", qty=800, lane="L1", mode="ocean", origin="S1", transit_days=30,
                 on_hand=500, mean=100, sd=30, unit_cost=10, margin=6, start=NOW, snapshots={"demand": "ab"})  # fmt: skip
    e = Explanation.from_dict(raw)
    assert Explanation.from_dict(e.to_dict()) == e
    assert e.alternatives[1].action is None
    assert e.alternatives[0].action is not None
    assert e.alternatives[0].action.qty == 800.0
    assert e.breakdown.total == pytest.approx(raw["breakdown"]["total"], abs=0.005)


def test_the_ledger_serves_the_explanation_as_recorded_and_as_the_type(planned: tuple[Path, PlanOutcome]) -> None:
    root, outcome = planned
    with open_workspace(root) as ws:
        for rec in outcome.plan.recommendations:
            stored = explanation_of(ws, rec.id)
            assert stored == rec.explanation.to_dict()  # the JSON outputs are the stored dict, unchanged
            typed = typed_explanation_of(ws, rec.id)
            assert typed.to_dict() == stored
            assert not _differences(rec.explanation, typed)


def test_an_explanation_recorded_before_projections_reasons_and_gaps_loads_with_defaults(
    planned: tuple[Path, PlanOutcome],
) -> None:
    _, outcome = planned
    e = next(r.explanation for r in outcome.plan.recommendations if r.explanation.gaps and r.explanation.guardrails)
    old = e.to_dict()
    for key in ("projection", "reason", "gaps"):  # added since the first explanations were recorded
        del old[key]
    for note in old["guardrails"]:
        for key in ("infeasible", "settings", "item_id", "location_id"):
            del note[key]
    for source in old["data"]:
        del source["latest_record_at"]
    loaded = Explanation.from_dict(old)
    assert (loaded.projection, loaded.reason, loaded.gaps) == (None, None, ())
    assert all((g.infeasible, g.settings, g.item_id, g.location_id) == (False, (), None, None)
               for g in loaded.guardrails)  # fmt: skip
    assert all(d.latest_record_at is None for d in loaded.data)
    assert [g.message for g in loaded.guardrails] == [g.message for g in e.guardrails]
    assert loaded.summary == e.summary
    assert loaded.to_dict()["alternatives"] == e.to_dict()["alternatives"]


def _set(d: dict[str, Any], path: tuple[str | int, ...], value: Any) -> None:
    target: Any = d
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("alternatives", 1, "cvar"), "x", "alternatives[1].cvar: expected a number, got 'x'"),
        (("summary",), 3, "summary: expected text, got 3"),
        (("window_periods",), True, "window_periods: expected a whole number, got True"),
        (("data", 0, "stale"), "no", "data[0].stale: expected true or false, got 'no'"),
        (("drivers", 0, "kind"), "weather", "drivers[0].kind: expected one of demand_shift, demand_level"),
        (("breakdown", "freight"), 1.0, "breakdown.freight: not a known name (one of transport, order_cost"),
        (("alternatives",), {"kind": "recommended"}, "alternatives: expected a list, got {'kind': 'recommended'}"),
        (("alternatives", 0, "action", "qty"), -1.0, "alternatives[0].action: action qty must be >= 0 units"),
        (("gaps", 0, "item_locations"), 1.5, "gaps[0].item_locations: expected a whole number, got 1.5"),
        (("projection", "periods"), ["2026-11-23"], "projection: projection with_action[p05] has"),
    ],
)
def test_a_field_of_the_wrong_type_is_named(
    planned: tuple[Path, PlanOutcome], path: tuple[str | int, ...], value: Any, message: str
) -> None:
    _, outcome = planned
    e = next(r.explanation for r in outcome.plan.recommendations if r.explanation.gaps and r.explanation.projection)
    d = copy.deepcopy(e.to_dict())
    _set(d, path, value)
    with pytest.raises(RecordFormatError) as raised:
        Explanation.from_dict(d)
    assert str(raised.value).startswith(message)


def test_a_required_field_missing_is_named(planned: tuple[Path, PlanOutcome]) -> None:
    _, outcome = planned
    d = outcome.plan.recommendations[0].explanation.to_dict()
    del d["alternatives"][0]["label"]
    with pytest.raises(RecordFormatError, match=r"^alternatives\[0\]\.label: missing$"):
        Explanation.from_dict(d)
