"""Typed settings read from a workspace's ``hedgerow.toml``.

Every key is declared once here, with its default, unit, allowed range and meaning; the commented template
written by ``hedgerow init`` and docs/configuration.md are rendered from these declarations, so the file a
planner edits always documents itself. Settings are built at entry points (CLI, API), never at import time.

Unknown keys are rejected (a typo such as ``cvar_alpah`` would otherwise silently keep the default) and every
error names the section, the key, what is allowed and what was received.
"""

from __future__ import annotations

import hashlib
import math
import re
import tomllib
from dataclasses import MISSING, dataclass, field, fields
from difflib import get_close_matches
from enum import StrEnum
from pathlib import Path
from typing import Any, get_type_hints

from hedgerow.domain.enums import DemandProfile, MissingPeriods, Period
from hedgerow.errors import ConfigError

CONFIG_FILE_NAME = "hedgerow.toml"
#: Defaults of the materiality rule ([plan] min_value, base currency; min_value_share, fraction of capital).
MIN_VALUE_DEFAULT = 0.0
MIN_VALUE_SHARE_DEFAULT = 0.01


def _key(
    default: Any,
    doc: str,
    unit: str,
    *,
    lo: float | None = None,
    hi: float | None = None,
    lo_open: bool = False,
) -> Any:
    """Declare one configuration key: default, meaning, unit and inclusive bounds (``lo_open``: lo excluded)."""
    meta = {"doc": doc, "unit": unit, "lo": lo, "hi": hi, "lo_open": lo_open}
    if isinstance(default, dict):
        return field(default_factory=lambda: dict(default), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class WorkspaceSettings:
    """[workspace]: what the workspace is and how time is cut into periods."""

    name: str = _key("hedgerow", "Name shown in reports and the web UI.", "text")
    base_currency: str = _key("USD", "Currency every cost, margin and budget is reported in.", "ISO 4217 code")
    period: Period = _key(Period.WEEK, "Length of one planning period: week or day.", "enum: week | day")
    horizon_periods: int = _key(26, "How far ahead plans look.", "periods", lo=1, hi=520)


@dataclass(frozen=True)
class LedgerSettings:
    """[ledger]: where decisions, lineage and the audit trail are stored."""

    url: str = _key(
        "sqlite:///ledger.sqlite",
        "SQLAlchemy URL of the ledger database. A relative SQLite path is relative to the workspace; "
        "PostgreSQL works equally (postgresql+psycopg://user@host/db). HEDGEROW_LEDGER_URL overrides it, "
        "which keeps passwords out of this file.",
        "URL",
    )


@dataclass(frozen=True)
class FinanceSettings:
    """[finance]: the price of money tied up in stock, and how much may be committed."""

    cost_of_capital_per_year: float = _key(
        0.08,
        "Cost of capital on the value of stock, added to each location's holding rate.",
        "fraction per year",
        lo=0.0,
        hi=1.0,
    )
    budget_total: float = _key(
        math.inf,
        "Capital all new orders and transfers of one plan may commit; inf = no limit.",
        "base currency",
        lo=0.0,
    )
    budget_per_region: dict[str, float] = _key(
        {},
        "Capital limit per region (region name = amount); regions not listed have no own limit.",
        "base currency",
        lo=0.0,
    )
    leftover_value_fraction: float = _key(
        1.0,
        "What one unit still in stock (or in transit) at the end of a plan's evaluation window is worth, as a "
        "share of its book cost. 1 = it carries forward at full value (the next plan uses it); lower it for "
        "items that lose value (fashion, perishables).",
        "fraction of unit cost",
        lo=0.0,
        hi=1.0,
    )


@dataclass(frozen=True)
class ServiceSettings:
    """[service]: service floors and the long-term value of a served customer, per item class."""

    floors: dict[str, float] = _key(
        {"A": 0.98, "B": 0.95, "C": 0.90},
        "Minimum probability of not running out over the protection window, per item class. A guardrail: "
        "never traded for margin.",
        "probability",
        lo=0.0,
        hi=1.0,
    )
    default_floor: float = _key(0.90, "Service floor of classes not listed in floors.", "probability", lo=0.0, hi=1.0)
    goodwill_multiplier: dict[str, float] = _key(
        {"A": 1.0, "B": 0.5, "C": 0.25},
        "Goodwill penalty of a lost sale as a multiple of the unit margin, per item class (long-term customer "
        "value beyond this sale).",
        "× unit margin",
        lo=0.0,
        hi=100.0,
    )
    default_goodwill_multiplier: float = _key(
        0.25,
        "Goodwill multiplier of classes not listed in goodwill_multiplier.",
        "× unit margin",
        lo=0.0,
        hi=100.0,
    )


@dataclass(frozen=True)
class RiskSettings:
    """[risk]: how scenarios are drawn and how much the tail counts."""

    scenarios: int = _key(500, "Number of joint scenarios a plan is evaluated on.", "scenarios", lo=10, hi=100_000)
    seed: int = _key(
        20261125,
        "Seed of the scenario generator; the same seed and data give the same plan.",
        "integer",
        lo=0,
    )
    cvar_level: float = _key(
        0.95,
        "Tail level of the risk term: CVaR averages the worst (1 - level) share of scenarios.",
        "probability",
        lo=0.5,
        hi=0.999,
    )
    risk_aversion: float = _key(
        0.2,
        "Weight of CVaR in the objective: (1 - w) × expected cost + w × CVaR. 0 = risk-neutral.",
        "weight",
        lo=0.0,
        hi=1.0,
    )
    uncertain_freight: bool = _key(
        True,
        "Freight rates vary by scenario (per-mode volatility, higher while a lane is disrupted, fitted on "
        "freight_rates when imported; docs/supply.md). false = every lane at its cost_per_unit in every scenario.",
        "boolean",
    )


@dataclass(frozen=True)
class DemandSettings:
    """[demand]: how demand is forecast when a plan is made."""

    profile: DemandProfile = _key(
        DemandProfile.FULL,
        "Model families fitted: full (every family, per-series AutoETS and Theta included) or fast (the "
        "vectorised families and the global model; several times faster on large workspaces).",
        "enum: full | fast",
    )
    workers: int = _key(
        1,
        "Processes the per-series model families may use while fitting (up to the number of cores).",
        "processes",
        lo=1,
        hi=256,
    )
    missing_periods: MissingPeriods = _key(
        MissingPeriods.ZERO,
        "How a period without a row between an item-location's first row and the end of its history is read: "
        "zero (no sales; ERPs often export only the rows with sales) or unknown (no data; the models skip it). "
        "The import's demand_gap warning says which.",
        "enum: zero | unknown",
    )
    driver_effects: bool = _key(
        False,
        "Measure what the demand table's extra columns (planned prices, promotions) do to demand, per item and "
        "pooled, so every model family forecasts planned promotions and price changes (docs/demand.md); the "
        "global model reads them either way.",
        "true | false",
    )


@dataclass(frozen=True)
class OrderSettings:
    """[orders]: damping of order swings (bullwhip)."""

    max_change_per_period: float = _key(
        math.inf,
        "Largest change of an item-location's order quantity from one period to the next, as a share of its "
        "average demand per period over the horizon; a hard bound (inf = none: smoothing_periods damps swings "
        "without forcing orders nobody needs or blocking a service floor).",
        "fraction",
        lo=0.0,
    )
    smoothing_periods: float = _key(
        2.0,
        "Order smoothing: each plan orders an item-location's expected demand per period plus 1/T of the rest of "
        "what the plan asks for (a jump is spread over T periods; 1 = no smoothing), never below what its "
        "service floor needs. Damps the bullwhip for a little more cost (docs/planner.md).",
        "periods",
        lo=1.0,
        hi=52.0,
    )
    review_periods: int = _key(
        1,
        "Periods between two plans. An order placed now must cover demand until the next order can arrive: "
        "the evaluation window of an item-location is its regular lane's lead time plus this.",
        "periods",
        lo=1,
        hi=52,
    )


@dataclass(frozen=True)
class PlanSettings:
    """[plan]: which actions are worth a manager's time (the materiality rule, docs/planner.md)."""

    min_value: float = _key(
        MIN_VALUE_DEFAULT,
        "Smallest value (risk-adjusted saving against doing nothing) an action must bring to be recommended; "
        "smaller ones are left out (keep as is), unless a service floor or the order-change bound needs them.",
        "base currency",
        lo=0.0,
    )
    min_value_share: float = _key(
        MIN_VALUE_SHARE_DEFAULT,
        "Smallest value an action must bring per unit of the capital it commits (0.02: an order of 10,000 must "
        "save at least 200); the larger of this and min_value is the bar.",
        "fraction",
        lo=0.0,
    )


@dataclass(frozen=True)
class ApprovalSettings:
    """[approval]: which recommendations need a person, and which kind of person."""

    auto_approve_max_value: float = _key(
        0.0,
        "Recommendations committing at most this much capital may be approved automatically; 0 = never.",
        "base currency",
        lo=0.0,
    )
    auto_approve_max_stockout_risk: float = _key(
        0.05,
        "...and only when the stockout probability after the action is at most this.",
        "probability",
        lo=0.0,
        hi=1.0,
    )
    approver_required_above: float = _key(
        25_000.0,
        "Recommendations committing more than this need the approver role, not only planner.",
        "base currency",
        lo=0.0,
    )
    hold_expiry_warning_days: int = _key(
        7, "Holds that expire within this many days are flagged as expiring.", "days", lo=0, hi=365
    )
    hindsight_window_periods: int = _key(
        8,
        "Periods after a decision over which the scoreboard compares the cost of what was decided with the cost "
        "of what was recommended (scored once actual demand covers them).",
        "periods",
        lo=1,
        hi=104,
    )


@dataclass(frozen=True)
class QualitySettings:
    """[quality]: when data is stale or suspicious. Findings lower trust scores; they never stop a plan."""

    stale_inventory_days: int = _key(14, "An inventory count older than this is stale.", "days", lo=1)
    stale_signal_days: int = _key(7, "A signal feed with nothing newer than this is stale.", "days", lo=1)
    stale_fx_days: int = _key(7, "FX rates older than this are stale.", "days", lo=1)
    outlier_robust_z: float = _key(
        8.0,
        "A demand value further than this many robust standard deviations (1.4826 × MAD) from its series "
        "median is an outlier.",
        "robust z-score",
        lo=1.0,
    )
    min_location_trust: float = _key(
        90.0,
        "A location whose last inventory reconciliation scored below this gets a data-trust note on every "
        "recommendation for it.",
        "score 0–100",
        lo=0.0,
        hi=100.0,
    )


@dataclass(frozen=True)
class FxCoverSettings:
    """[fx]: forward cover of foreign-currency payables (hedgerow recommends cover; it never trades)."""

    cover_cost_fraction: float = _key(
        0.001,
        "Cost of buying a currency forward, as a share of the covered amount (the bank's margin), paid once.",
        "fraction of covered amount",
        lo=0.0,
        hi=0.2,
    )
    cover_cost_per_year: float = _key(
        0.0,
        "Further cost of cover per year of the forward's tenor (e.g. a credit line's fee), as a share of the "
        "covered amount.",
        "fraction per year",
        lo=0.0,
        hi=0.5,
    )
    forward_premium_per_year: dict[str, float] = _key(
        {},
        "Annualised forward premium of each currency's rate against the base (currency = fraction): the forward "
        "for payment in t years is spot × (1 + premium × t); about the currency's interest rate minus the base "
        "currency's. Currencies not listed trade forward at spot.",
        "fraction per year",
        lo=-0.5,
        hi=0.5,
    )
    horizon_periods: int = _key(
        4,
        "Periods per cover horizon: payables due in the same currency and horizon (weeks 1-4, 5-8, ...) get one "
        "cover ratio.",
        "periods",
        lo=1,
        hi=52,
    )
    payment_days_after_arrival: int = _key(
        0,
        "Days after the goods arrive that a supplier or carrier is paid (payment terms); a payable is due at the "
        "expected arrival plus this.",
        "days",
        lo=0,
        hi=365,
    )


@dataclass(frozen=True)
class Settings:
    """All settings of a workspace, one attribute per section of hedgerow.toml."""

    workspace: WorkspaceSettings = field(default_factory=WorkspaceSettings)
    ledger: LedgerSettings = field(default_factory=LedgerSettings)
    finance: FinanceSettings = field(default_factory=FinanceSettings)
    service: ServiceSettings = field(default_factory=ServiceSettings)
    risk: RiskSettings = field(default_factory=RiskSettings)
    demand: DemandSettings = field(default_factory=DemandSettings)
    orders: OrderSettings = field(default_factory=OrderSettings)
    plan: PlanSettings = field(default_factory=PlanSettings)
    approval: ApprovalSettings = field(default_factory=ApprovalSettings)
    quality: QualitySettings = field(default_factory=QualitySettings)
    fx: FxCoverSettings = field(default_factory=FxCoverSettings)

    def service_floor(self, item_class: str) -> float:
        """Service floor (probability of not running out) of an item class."""
        return self.service.floors.get(item_class, self.service.default_floor)

    def goodwill_multiplier(self, item_class: str) -> float:
        """Goodwill multiplier (× unit margin) of an item class."""
        return self.service.goodwill_multiplier.get(item_class, self.service.default_goodwill_multiplier)


SECTIONS: dict[str, type] = {f.name: get_type_hints(Settings)[f.name] for f in fields(Settings)}


def _check_number(where: str, value: Any, meta: dict[str, Any], integer: bool) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        kind = "an integer" if integer else "a number"
        raise ConfigError(f"{where}: must be {kind}, got {value!r}")
    if integer and not isinstance(value, int):
        raise ConfigError(f"{where}: must be an integer, got {value!r}")
    if isinstance(value, float) and math.isnan(value):
        raise ConfigError(f"{where}: must be a number, got nan")
    lo, hi, lo_open = meta["lo"], meta["hi"], meta["lo_open"]
    if lo is not None and (value < lo or (lo_open and value == lo)):
        bound = f"> {lo}" if lo_open else f">= {lo}"
        raise ConfigError(f"{where}: must be {bound} ({meta['unit']}), got {value!r}")
    if hi is not None and value > hi:
        raise ConfigError(f"{where}: must be <= {hi} ({meta['unit']}), got {value!r}")
    return value


def _parse_value(where: str, hint: Any, value: Any, meta: dict[str, Any]) -> Any:
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: must be a string, got {value!r}")
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: must be true or false, got {value!r}")
        return value
    if hint is int:
        return _check_number(where, value, meta, integer=True)
    if hint is float:
        return float(_check_number(where, value, meta, integer=False))
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        allowed = ", ".join(p.value for p in hint)
        try:
            return hint(value)
        except ValueError:
            raise ConfigError(f"{where}: must be one of {allowed}, got {value!r}") from None
    if hint == dict[str, float]:
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: must be a table of name = number, got {value!r}")
        return {str(k): float(_check_number(f"{where}.{k}", v, meta, integer=False)) for k, v in value.items()}
    raise TypeError(f"no parser for configuration type {hint!r} at {where}")  # a bug, not a user error


def _unknown_key_message(where: str, key: str, allowed: list[str]) -> str:
    hint = get_close_matches(key, allowed, n=1)
    suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
    return f"{where}: unknown key {key!r}{suggestion}; allowed keys: {', '.join(allowed)}"


def _parse_section(section: str, cls: type, raw: Any) -> Any:
    if not isinstance(raw, dict):
        raise ConfigError(f"hedgerow.toml [{section}]: must be a table, got {raw!r}")
    hints = get_type_hints(cls)
    declared = {f.name: f for f in fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in declared:
            raise ConfigError(_unknown_key_message(f"hedgerow.toml [{section}]", key, list(declared)))
        kwargs[key] = _parse_value(f"hedgerow.toml [{section}] {key}", hints[key], value, dict(declared[key].metadata))
    settings = cls(**kwargs)
    if section == "workspace" and not re.fullmatch(r"[A-Z]{3}", settings.base_currency):
        raise ConfigError(
            f"hedgerow.toml [workspace] base_currency: must be a 3-letter ISO 4217 code such as USD, "
            f"got {settings.base_currency!r}"
        )
    return settings


def settings_from_dict(data: dict[str, Any]) -> Settings:
    """Build :class:`Settings` from a parsed TOML document, validating every key."""
    kwargs: dict[str, Any] = {}
    for section, raw in data.items():
        if section not in SECTIONS:
            raise ConfigError(_unknown_key_message("hedgerow.toml", section, list(SECTIONS)))
        kwargs[section] = _parse_section(section, SECTIONS[section], raw)
    return Settings(**kwargs)


def load_settings(path: Path) -> Settings:
    """Read and validate ``hedgerow.toml``.

    Raises
    ------
    ConfigError
        When the file is missing, is not valid TOML, or a key is unknown or out of range.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no configuration file; run `hedgerow init` to create a workspace") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return settings_from_dict(data)


def _toml_value(value: Any) -> str:
    if isinstance(value, StrEnum):
        return f'"{value.value}"'
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isinf(value):
            return "inf"
        return repr(value)
    if isinstance(value, dict):
        inner = ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    return str(value)


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_value(key)


def _section_defaults(cls: type) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(cls):
        if f.default is not MISSING:
            out[f.name] = f.default
        elif f.default_factory is not MISSING:
            out[f.name] = f.default_factory()
    return out


def render_settings_toml(settings: Settings | None = None) -> str:
    """Render a commented hedgerow.toml holding ``settings`` (defaults when None), one documented key a line."""
    settings = settings or Settings()
    lines = [
        "# hedgerow workspace configuration. Every key is documented with its unit; see docs/configuration.md.",
        "# Money is in the base currency unless stated; rates are fractions (0.08 = 8 %).",
    ]
    for section, cls in SECTIONS.items():
        lines += ["", f"[{section}]  # {(cls.__doc__ or '').split(':', 1)[-1].strip()}"]
        current = getattr(settings, section)
        for f in fields(cls):
            meta = f.metadata
            lines.append(f"# {meta['doc']} [{meta['unit']}]")
            lines.append(f"{f.name} = {_toml_value(getattr(current, f.name))}")
    return "\n".join(lines) + "\n"


def settings_digest(settings: Settings) -> str:
    """SHA-256 (hex) of the settings as hedgerow.toml renders them: identifies what a plan was made under."""
    return hashlib.sha256(render_settings_toml(settings).encode("utf-8")).hexdigest()


def render_settings_markdown() -> str:
    """Render the reference table of every configuration key (docs/configuration.md is generated from it)."""
    out = ["| section | key | default | unit | meaning |", "|---|---|---|---|---|"]
    for section, cls in SECTIONS.items():
        defaults = _section_defaults(cls)
        for f in fields(cls):
            meta = f.metadata
            default = _toml_value(defaults[f.name]).replace("|", "\\|")
            out.append(f"| {section} | `{f.name}` | `{default}` | {meta['unit']} | {meta['doc']} |")
    return "\n".join(out) + "\n"


def render_configuration_doc() -> str:
    """docs/configuration.md: how settings are found, and the reference of every key."""
    return (
        "# Configuration reference (hedgerow.toml)\n\n"
        "Every workspace has a `hedgerow.toml`, written by `hedgerow init` with every key commented. Unknown\n"
        "keys are rejected (a typo would otherwise silently keep the default); out-of-range values are rejected\n"
        "with the allowed range. `HEDGEROW_LEDGER_URL` overrides `[ledger] url`, so a database password never\n"
        "has to be written in the file. This page is generated from `src/hedgerow/config.py`; a test keeps it\n"
        "in step.\n\n" + render_settings_markdown()
    )
