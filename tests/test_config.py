"""Settings: defaults round-trip through the written template, every error names key, range and value."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pytest

from hedgerow.config import (
    Settings,
    load_settings,
    render_configuration_doc,
    render_settings_toml,
    settings_from_dict,
)
from hedgerow.domain.enums import Period
from hedgerow.errors import ConfigError
from tests.conftest import ROOT


def test_template_round_trips_to_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "hedgerow.toml"
    path.write_text(render_settings_toml())
    assert load_settings(path) == Settings()


def test_every_key_is_documented_with_a_unit_in_the_template() -> None:
    text = render_settings_toml()
    doc = tomllib.loads(text)
    lines = text.splitlines()
    for section, keys in doc.items():
        for key in keys:
            index = next(i for i, line in enumerate(lines) if line.startswith(f"{key} = "))
            comment = lines[index - 1]
            assert comment.startswith("# "), (section, key)
            assert comment.endswith("]"), (section, key)


def test_values_are_read() -> None:
    s = settings_from_dict(
        {
            "workspace": {"base_currency": "EUR", "period": "day", "horizon_periods": 90},
            "finance": {"budget_total": 250000, "budget_per_region": {"Europe": 1e5}},
            "service": {"floors": {"A": 0.99, "critical spares": 0.995}},
        }
    )
    assert s.workspace.period is Period.DAY
    assert s.finance.budget_total == 250000.0
    assert s.service_floor("critical spares") == 0.995
    assert s.service_floor("Z") == s.service.default_floor
    assert s.goodwill_multiplier("A") == 1.0
    assert math.isinf(Settings().finance.budget_total)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"risk": {"cvar_level": 1.5}}, r"\[risk\] cvar_level: must be <= 0.999 \(probability\), got 1.5"),
        ({"risk": {"cvar_alpah": 0.9}}, r"unknown key 'cvar_alpah' \(did you mean 'cvar_level'\?\)"),
        ({"risky": {}}, r"hedgerow.toml: unknown key 'risky' \(did you mean 'risk'\?\)"),
        ({"risk": {"scenarios": 10.5}}, r"\[risk\] scenarios: must be an integer, got 10.5"),
        ({"risk": {"scenarios": "many"}}, r"\[risk\] scenarios: must be an integer, got 'many'"),
        ({"workspace": {"period": "month"}}, r"\[workspace\] period: must be one of week, day, got 'month'"),
        ({"workspace": {"base_currency": "usd"}}, r"base_currency: must be a 3-letter ISO 4217 code"),
        ({"service": {"floors": {"A": 1.2}}}, r"\[service\] floors.A: must be <= 1.0"),
        ({"service": {"floors": [0.9]}}, r"floors: must be a table of name = number"),
        ({"finance": {"cost_of_capital_per_year": -0.1}}, r"must be >= 0.0 \(fraction per year\), got -0.1"),
        ({"risk": {"risk_aversion": True}}, r"risk_aversion: must be a number, got True"),
        ({"risk": 3}, r"\[risk\]: must be a table"),
    ],
)
def test_bad_values_are_rejected_with_a_precise_message(doc: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        settings_from_dict(doc)


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no configuration file; run `hedgerow init`"):
        load_settings(tmp_path / "hedgerow.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[risk\nseed = 1")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(bad)


def test_configuration_doc_is_in_step_with_the_code() -> None:
    committed = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert committed == render_configuration_doc(), "run scripts/gen-docs"


def test_a_switch_takes_true_or_false_only() -> None:
    from hedgerow.config import settings_from_dict
    from hedgerow.pipeline.chain import demand_config

    on = settings_from_dict({"demand": {"driver_effects": True}})
    assert on.demand.driver_effects is True
    assert demand_config(on).drivers is not None
    assert demand_config(settings_from_dict({})).drivers is None
    with pytest.raises(ConfigError, match=r"\[demand\] driver_effects: must be true or false, got 1"):
        settings_from_dict({"demand": {"driver_effects": 1}})
