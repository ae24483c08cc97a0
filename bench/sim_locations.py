"""Locations per item: hedgerow against the textbook rule on the same store-items grouped into items of 1 … 300 stores.

    python -m bench.sim_locations [--rows 600] [--stores 1 10 30 80 300] [--json PATH] [--oracle]
    python -m bench.sim_locations --stores --oracle        # the oracle alone

No decision may depend on how many locations sell an item (issue 13). The benchmark draws one panel of ``--rows``
store-items — each its own demand (negative binomial around a log-normal level, yearly seasonality, promotions
×1.8 announced 4 weeks ahead as a ``promo`` driver), its own supplier lane (weekly transit log-normal around 7
days, coefficient of variation 0.35, one lane per store), its own price (margins 10–50 % on a unit cost of 10 USD, holding 28 % a
year, goodwill 0.5 × margin, class B) — and groups the same rows into items of ``n`` stores for each ``n`` of
``--stores``: every row is identical in every grouping, only the number of stores that share an item changes.
There are always ``--store-count`` stores (300), each buying from the supplier on its own truck lane and stocking
``rows / store-count`` of the store-items, so lanes and their lateness are the same in every grouping too.
156 weeks: the first 52 are warm-up, the textbook's trailing window ``W ∈ {8, 13, 26, 52}`` is chosen on weeks
53–104 (as a competent planner would: the cheapest on a year it has seen), and weeks 105–156 are replayed for the
figures; the textbook's lead-time-variance switch is tuned with its window (``bench.tuning``), and every policy starts
the replay knowing the warm-up's transit times. hedgerow runs with the default hedgerow.toml (what ``hedgerow plan``
uses).

``--oracle`` also replays :class:`TrueDistributionBaseStock` (and the textbook beside it) at 1 store per item: the
order-up-to level of every store-item and week is the quantile of its demand over ``L + R`` under the panel's *true*
law (its weekly negative binomial means, season and promotions included, and the trucks' lead-time law as the
simulator rounds it), at the fractile ``1 − k (1 − b/(b+h))`` for ``k`` in ``ORACLE_FACTORS`` (k = 1 is the critical
ratio; the larger ``k`` test whether a lower fractile pays under lost sales). No forecast can give a base-stock
policy more than this policy knows, so the best ``k`` (chosen in hindsight) bounds what a better demand model could
reach on this panel.

Target (issue 13): hedgerow at most 0.85 × the textbook's cost at a fill rate at least the textbook's at 300 stores
per item, and its ratio there within 5 % of its ratio at 1 store per item.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from bench.tuning import Tuned, tune
from hedgerow.domain.enums import Mode
from hedgerow.sim.backtest import BacktestResult, BacktestSettings, run_backtest
from hedgerow.sim.history import Decision, HistoryView
from hedgerow.sim.inputs import SimInputs, lead_periods, neutral_initial_state
from hedgerow.sim.policies import PolicyName
from hedgerow.sim.policies.estimates import critical_ratio, shortage_penalty
from hedgerow.sim.policies.hedgerow import HedgerowSettings
from hedgerow.sim.synthetic import BASE

WEEKS = 156
STORES = 300
WARMUP = 52
WINDOWS = (8, 13, 26, 52)
SEED = 20261207
#: Negative-binomial dispersion of the panel's weekly demand (variance = mean + mean² / DISPERSION).
DISPERSION = 4.0
#: Multipliers of the shortfall probability 1 − b/(b+h) the oracle is replayed with (1 = the critical ratio).
ORACLE_FACTORS = (1.0, 2.0, 4.0, 8.0)
#: Demand draws per store-item and week behind the oracle's quantile.
ORACLE_DRAWS = 2000


def panel(rows: int, seed: int) -> dict[str, np.ndarray]:
    """The store-items' demand, prices, promotions and transit times (module docstring)."""
    rng = np.random.default_rng(seed)
    weeks = np.arange(WEEKS)
    level = rng.lognormal(mean=1.8, sigma=0.9, size=rows)
    phase = rng.uniform(0, 2 * np.pi, size=rows)
    season = 1.0 + 0.2 * np.sin(2 * np.pi * weeks[None, :] / 52.0 + phase[:, None])
    promo = (rng.random((rows, WEEKS)) < 0.06).astype(np.float64)
    mean = level[:, None] * season * (1.0 + 0.8 * promo)
    demand = rng.negative_binomial(DISPERSION, DISPERSION / (DISPERSION + mean)).astype(np.float64)
    margin = rng.uniform(0.10, 0.50, size=rows)
    sigma = np.sqrt(np.log(1 + 0.35**2))
    transit = 7.0 * rng.lognormal(-(sigma**2) / 2, sigma, size=(STORES, WEEKS))
    return {"demand": demand, "mean": mean, "promo": promo, "price": 10.0 / (1.0 - margin), "transit": transit}


class TrueDistributionBaseStock:
    """Order up to the ``1 − k (1 − b/(b+h))`` quantile of demand over ``L + R`` (R = 1) under the panel's true law
    (module docstring), units; not a policy anyone could run, a bound on what forecasting could add."""

    def __init__(self, mean: np.ndarray, transit_days: np.ndarray, factor: float, seed: int = SEED) -> None:
        self.mean = mean
        periods = lead_periods(transit_days.ravel(), 7)  # the simulator's own rounding of transit days
        self.lead_values, counts = np.unique(periods, return_counts=True)
        self.lead_p = counts / counts.sum()
        self.factor = factor
        self.seed = seed
        self.rng = np.random.default_rng(seed)

    @property
    def name(self) -> str:
        """Name shown in reports."""
        return f"true-distribution base stock k={self.factor:g}"

    def settings(self) -> dict[str, object]:
        """The stated settings."""
        return {"rule": "S = quantile of true demand over L + R at 1 - k(1 - b/(b+h))", "k": self.factor}

    def reset(self) -> None:
        """Restart the draws."""
        self.rng = np.random.default_rng(self.seed)

    def decide(self, view: HistoryView) -> Decision:
        """max(0, S − inventory position) on the primary lane."""
        fractile = 1.0 - self.factor * (1.0 - critical_ratio(shortage_penalty(view), view.holding))
        span = int(self.lead_values.max()) + 1
        mean = self.mean[:, view.t : view.t + span]
        mean = np.pad(mean, ((0, 0), (0, span - mean.shape[1])), mode="edge")
        lead = self.rng.choice(self.lead_values, size=ORACLE_DRAWS, p=self.lead_p)
        draws = self.rng.negative_binomial(
            DISPERSION, DISPERSION / (DISPERSION + mean[:, None, :]), (len(mean), ORACLE_DRAWS, span)
        )
        over = np.take_along_axis(
            np.cumsum(draws, axis=2), np.broadcast_to(lead[None, :, None], (len(mean), ORACLE_DRAWS, 1)), axis=2
        )
        level = np.array([np.quantile(row[:, 0], q) for row, q in zip(over, np.clip(fractile, 0.0, 1.0), strict=True)])
        return Decision.on_primary(np.maximum(level - view.inventory_position, 0.0), view)


def oracle(data: dict[str, np.ndarray], textbook: Tuned) -> list[dict[str, Any]]:
    """The true-distribution base stock at every factor, 1 store per item, against the textbook's cost."""
    inputs = grouped(data, 1, start=2 * WARMUP, periods=52)
    policies = [TrueDistributionBaseStock(data["mean"], data["transit"], k) for k in ORACLE_FACTORS]
    settings = BacktestSettings(policies=(PolicyName.ORDER_UP_TO,), order_up_to=textbook.order_up_to())
    result = run_backtest(inputs, settings, extra=policies)
    book = result.by_policy(PolicyName.ORDER_UP_TO.value)
    out = []
    for policy, m in zip(policies, result.metrics[1:], strict=True):
        ratio = m.total_cost / book.total_cost
        print(
            f"| {policy.name} | {m.total_cost:,.0f} | {m.holding_cost:,.0f} | {m.shortage_cost:,.0f} | "
            f"{m.fill_rate:.4f} | {ratio:.3f} |",
            flush=True,
        )
        out.append({"k": policy.factor, "total_cost": m.total_cost, "fill_rate": m.fill_rate, "ratio": ratio})
    return out


def grouped(data: dict[str, np.ndarray], stores: int, *, start: int, periods: int) -> SimInputs:
    """The panel's rows as items of ``stores`` stores each (row k = item k // stores at store k mod 300), the
    weeks before ``start + periods`` kept and ``start`` … the end simulated."""
    demand = data["demand"][:, : start + periods]
    rows, t = demand.shape
    if stores > STORES:
        raise ValueError(f"at most {STORES} stores per item, got {stores}")
    store = np.arange(rows) % STORES
    item_ids = tuple(f"SKU-{k // stores:04d}" for k in range(rows))
    location_ids = tuple(f"S{s:03d}" for s in store)
    transit = data["transit"][:, :t]
    nominal = np.full(STORES, 7.0)
    parent = np.full(rows, -1, dtype=np.int64)
    oh0, pipe0 = neutral_initial_state(demand, parent, lead_periods(nominal, 7)[store], start)
    first = date(2023, 1, 2)
    return SimInputs(
        item_ids=item_ids,
        location_ids=location_ids,
        item_class=("B",) * rows,
        region=("R0",) * rows,
        period_starts=tuple(date.fromordinal(first.toordinal() + 7 * k) for k in range(t)),
        period_days=7,
        start=start,
        demand=demand,
        parent=parent,
        unit_cost=np.full(rows, 10.0),
        cost_currency=np.zeros(rows, dtype=np.int64),
        unit_price=data["price"].copy(),
        price_currency=np.zeros(rows, dtype=np.int64),
        holding_rate_per_year=np.full(rows, 0.28),
        goodwill_multiplier=np.full(rows, 0.5),
        lane_options=store.astype(np.int64)[:, None],
        lane_ids=tuple(f"SUP>S{s:03d}" for s in range(STORES)),
        lane_origin=("SUP",) * STORES,
        lane_destination=tuple(f"S{s:03d}" for s in range(STORES)),
        lane_mode=(Mode.TRUCK.value,) * STORES,
        lane_ports=((),) * STORES,
        lane_countries=(("US", "US"),) * STORES,
        lane_nominal_days=nominal,
        lane_lead_time_days=transit,
        lane_capacity_factor=np.ones((STORES, t)),
        lane_cost_per_unit=np.full(STORES, 0.2),
        lane_currency=np.zeros(STORES, dtype=np.int64),
        currencies=(BASE,),
        fx_units_per_base=np.ones((1, t)),
        initial_on_hand=oh0,
        initial_pipeline=pipe0,
        drivers={"promo": data["promo"][:, :t]},
        driver_lookahead=4,
    )


def tuned_textbook(data: dict[str, np.ndarray]) -> Tuned:
    """The textbook's window and lead-time-variance switch that were cheapest on weeks 53–104 (the grouping does
    not matter to it)."""
    return tune(grouped(data, 1, start=WARMUP, periods=52), (PolicyName.ORDER_UP_TO,), WINDOWS)["order_up_to"]


def run(data: dict[str, np.ndarray], stores: int, textbook: Tuned, scenarios: int) -> BacktestResult:
    """The year 105–156 replayed with the textbook rule and hedgerow, rows grouped ``stores`` to an item."""
    inputs = grouped(data, stores, start=2 * WARMUP, periods=52)
    cfg = BacktestSettings(
        policies=(PolicyName.ORDER_UP_TO, PolicyName.HEDGEROW),
        order_up_to=textbook.order_up_to(),
        hedgerow=HedgerowSettings(n_scenarios=scenarios, seed=SEED),
    )
    return run_backtest(inputs, cfg)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=600, help="store-items in the panel")
    parser.add_argument(
        "--stores", type=int, nargs="*", default=[1, 10, 30, 80, 300], help="stores per item (none: no curve)"
    )
    parser.add_argument("--scenarios", type=int, default=200, help="hedgerow's scenarios per period")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--oracle", action="store_true", help="also replay the true-distribution base stock")
    args = parser.parse_args()
    began = time.perf_counter()
    data = panel(args.rows, args.seed)
    textbook = tuned_textbook(data)
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}; load {os.getloadavg()[0]:.1f}")
    print(
        f"panel: {args.rows} store-items, textbook {textbook.label()} (tuned on weeks 53-104); hedgerow.toml defaults"
    )
    print(
        "| stores per item | items | textbook cost | textbook fill | hedgerow cost | hedgerow fill | × textbook | seconds |"
    )
    print("|---|---|---|---|---|---|---|---|")
    out: list[dict[str, Any]] = []
    for n in args.stores:
        t0 = time.perf_counter()
        result = run(data, n, textbook, args.scenarios)
        book = result.by_policy(PolicyName.ORDER_UP_TO.value)
        ours = result.by_policy(PolicyName.HEDGEROW.value)
        ratio = ours.total_cost / book.total_cost
        items = -(-args.rows // n)
        secs = time.perf_counter() - t0
        print(
            f"| {n} | {items} | {book.total_cost:,.0f} | {book.fill_rate:.4f} | {ours.total_cost:,.0f} | "
            f"{ours.fill_rate:.4f} | {ratio:.3f} | {secs:.0f} |",
            flush=True,
        )
        out.append(
            {
                "stores_per_item": n,
                "items": items,
                "textbook": {"total_cost": book.total_cost, "fill_rate": book.fill_rate},
                "hedgerow": {"total_cost": ours.total_cost, "fill_rate": ours.fill_rate},
                "ratio": ratio,
                "seconds": secs,
            }
        )
    if len(out) > 1:
        first, last = out[0], out[-1]
        drift = last["ratio"] / first["ratio"] - 1.0
        met = (
            last["ratio"] <= 0.85
            and last["hedgerow"]["fill_rate"] >= last["textbook"]["fill_rate"]
            and abs(drift) <= 0.05
        )
        print(
            f"ratio at {last['stores_per_item']} stores per item vs at {first['stores_per_item']}: {drift:+.1%}; "
            f"target (<= 0.85 x at >= fill, within 5 %): {'met' if met else 'NOT met'}"
        )
    bound: list[dict[str, Any]] = []
    if args.oracle:
        print("| oracle | total cost | holding | shortage | fill | × textbook |")
        print("|---|---|---|---|---|---|")
        bound = oracle(data, textbook)
    print(f"total {time.perf_counter() - began:.0f} s")
    if args.json:
        payload = {"textbook": textbook.as_dict(), "runs": out, "oracle": bound}
        args.json.write_text(json.dumps(payload, indent=1) + "\n")


if __name__ == "__main__":
    main()
