"""Benchmark: a 100,000 item-locations × 1,000 scenarios × 26 periods ScenarioSet within 4 GB peak RSS.

The set is generated chunk by chunk (``--chunk`` item-locations at a time) and each chunk is consumed by a
reducer (sums of demand and a lead-time-weighted figure) and dropped, so memory is bounded by one chunk plus
the shared supply block. Demand comes from :class:`~hedgerow.scenarios.synthetic.PoissonDemandSource` (float32),
a *fast synthetic* source: the demand engine's own throughput is benchmarked separately. The supply side is a
synthetic network of ``--lanes`` lanes over 20 ports with one signal per port, 50 open shipments and 4 foreign
currencies with 3 years of business-daily rates.

Side by side, the *monolithic* baseline draws the same demand in one block (what a non-chunked generator
holds in memory) at ``--baseline-fraction`` of the size, to show how its peak RSS grows.

Each run is a fresh process (peak RSS from ``resource.getrusage``, ``ru_maxrss`` in KiB on Linux).
Run: ``python -m bench.scenario_scale`` (about a minute on 2 cores); ``--item-locations 10000`` for a quick run.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from datetime import datetime

import numpy as np
import pandas as pd

from hedgerow.domain.enums import TableName
from hedgerow.scenarios.builder import BuildSettings, ChunkJob, build_supply_block, chunks_of, draw_chunk
from hedgerow.scenarios.scenario_set import ScenarioSet
from hedgerow.scenarios.synthetic import PoissonDemandSource
from hedgerow.supply.model import SupplyModel, fit_supply

AS_OF = datetime(2025, 6, 2, 12, 0)


def synthetic_frames(n_lanes: int) -> dict[TableName, pd.DataFrame]:
    """A synthetic supply network: lanes over 20 ports, signals, shipments history and FX."""
    rng = np.random.default_rng(0)
    ports = [f"PORT{i:02d}" for i in range(20)]
    locs = [f"LOC{i}" for i in range(10)]
    lanes = pd.DataFrame(
        {
            "lane_id": [f"L{i:04d}" for i in range(n_lanes)],
            "origin_id": [f"SUP{i % 30}" for i in range(n_lanes)],
            "destination_id": [locs[i % 10] for i in range(n_lanes)],
            "mode": ["ocean" if i % 3 else "air" for i in range(n_lanes)],
            "cost_per_unit": 1.0,
            "cost_currency": "USD",
            "transit_days": [30.0 if i % 3 else 5.0 for i in range(n_lanes)],
            "ports": [f"{ports[i % 20]};{ports[(i * 7 + 3) % 20]}" if i % 3 else None for i in range(n_lanes)],
        }
    )
    suppliers = pd.DataFrame(
        {"supplier_id": [f"SUP{i}" for i in range(30)], "name": "s", "country": "CN",
         "currency": [("CNY", "EUR", "JPY", "KRW")[i % 4] for i in range(30)]}
    )  # fmt: skip
    locations = pd.DataFrame(
        {"location_id": locs, "name": "l", "region": "R", "country": "US", "currency": "USD",
         "holding_cost_rate_per_year": 0.2, "capacity_units": None}
    )  # fmt: skip
    ship = pd.Timestamp("2023-01-02") + pd.to_timedelta(rng.integers(0, 800, 5000), unit="D")
    lane_of = rng.integers(0, n_lanes, 5000)
    planned = np.where(lane_of % 3 == 0, 5, 30)
    late = rng.choice([0, 0, 0, 0, 1, 3, 7, 15, -2], size=5000)
    shipments = pd.DataFrame(
        {
            "shipment_id": [f"S{i}" for i in range(5000)],
            "lane_id": [f"L{j:04d}" for j in lane_of],
            "item_id": "X",
            "qty": 10.0,
            "ship_date": ship,
            "eta_date": ship + pd.to_timedelta(planned, unit="D"),
            "delivered_date": ship + pd.to_timedelta(planned + late, unit="D"),
        }
    )
    shipments.loc[:49, "ship_date"] = pd.Timestamp("2025-05-20")
    shipments.loc[:49, "eta_date"] = pd.Timestamp("2025-06-19")
    shipments.loc[:49, "delivered_date"] = pd.NaT
    signals = pd.DataFrame(
        {"signal_id": [f"SIG{i}" for i in range(20)], "kind": "port_congestion", "scope_type": "port",
         "scope_id": ports, "value": rng.uniform(0, 40, 20), "observed_at": pd.Timestamp("2025-06-01"),
         "source": "bench", "valid_until": pd.NaT, "probability": np.nan, "delay_days": np.nan, "note": None}
    )  # fmt: skip
    dates = pd.bdate_range(end="2025-05-30", periods=780)
    fx = pd.concat(
        pd.DataFrame({"date": dates, "currency": c, "units_per_base": s * np.exp(np.cumsum(rng.normal(0, 0.005, 780)))})
        for c, s in (("CNY", 7.2), ("EUR", 0.9), ("JPY", 150.0), ("KRW", 1350.0))
    )
    return {
        TableName.LANES: lanes,
        TableName.SUPPLIERS: suppliers,
        TableName.LOCATIONS: locations,
        TableName.SHIPMENTS: shipments,
        TableName.SIGNALS: signals,
        TableName.FX_RATES: fx,
    }


def reduce_chunk(ss: ScenarioSet) -> tuple[float, float]:
    """Consume a chunk: total demand and demand × mean lead time of the first lane (stands in for a planner)."""
    demand = ss.demand.paths
    lead0 = ss.supply.lead_time_days[0].mean(axis=0)  # [period]
    return float(demand.sum(dtype=np.float64)), float((demand.sum(axis=(0, 1), dtype=np.float64) * lead0).sum())


def peak_rss_mib() -> float:
    """Peak resident set size of this process in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_chunked(n_il: int, n_scen: int, horizon: int, chunk: int, n_lanes: int) -> dict[str, float]:
    """Generate and reduce the whole set chunk by chunk; returns timings and peak RSS."""
    t0 = time.perf_counter()
    model: SupplyModel = fit_supply(synthetic_frames(n_lanes), as_of=AS_OF, base_currency="USD", period_days=7)
    settings = BuildSettings(n_scenarios=n_scen, horizon=horizon, seed=20261125, chunk_size=chunk)
    block = build_supply_block(model, settings)
    t_supply = time.perf_counter() - t0
    source = PoissonDemandSource(dtype="float32")
    ils = [(f"I{i:06d}", f"LOC{i % 10}") for i in range(n_il)]
    total = 0.0
    for c in chunks_of(ils, chunk):
        total += reduce_chunk(draw_chunk(ChunkJob(c, block, source, settings, AS_OF.date())))[0]
    elapsed = time.perf_counter() - t0
    cells = n_il * n_scen * horizon
    return {"item_locations": n_il, "scenarios": n_scen, "periods": horizon, "chunk": chunk, "lanes": n_lanes,
            "seconds": elapsed, "supply_seconds": t_supply, "cells": cells, "cells_per_second": cells / elapsed,
            "peak_rss_mib": peak_rss_mib(), "demand_total": total}  # fmt: skip


def run_monolithic(n_il: int, n_scen: int, horizon: int) -> dict[str, float]:
    """Baseline: the same demand drawn in one block held in memory at once."""
    t0 = time.perf_counter()
    ils = [(f"I{i:06d}", f"LOC{i % 10}") for i in range(n_il)]
    block = PoissonDemandSource(dtype="float32").sample_block(
        tuple(i for i, _ in ils), tuple(loc for _, loc in ils), n_scenarios=n_scen, horizon=horizon, seed=20261125
    )
    total = float(block.paths.sum(dtype=np.float64))
    elapsed = time.perf_counter() - t0
    cells = n_il * n_scen * horizon
    return {"item_locations": n_il, "seconds": elapsed, "cells": cells, "cells_per_second": cells / elapsed,
            "peak_rss_mib": peak_rss_mib(), "demand_total": total}  # fmt: skip


def main() -> None:
    """Run chunked and baseline in fresh processes and print a Markdown summary."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--item-locations", type=int, default=100_000)
    p.add_argument("--scenarios", type=int, default=1000)
    p.add_argument("--periods", type=int, default=26)
    p.add_argument("--chunk", type=int, default=1000)
    p.add_argument("--lanes", type=int, default=60)
    p.add_argument("--baseline-fraction", type=float, default=0.1)
    p.add_argument("--_child", choices=["chunked", "monolithic"], default=None, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a._child == "chunked":
        print(json.dumps(run_chunked(a.item_locations, a.scenarios, a.periods, a.chunk, a.lanes)))
        return
    if a._child == "monolithic":
        print(json.dumps(run_monolithic(a.item_locations, a.scenarios, a.periods)))
        return
    base = [sys.executable, "-m", "bench.scenario_scale", "--scenarios", str(a.scenarios), "--periods", str(a.periods)]
    chunked = json.loads(subprocess.run(
        [*base, "--item-locations", str(a.item_locations), "--chunk", str(a.chunk), "--lanes", str(a.lanes),
         "--_child", "chunked"], check=True, capture_output=True, text=True).stdout)  # fmt: skip
    n_base = max(1, int(a.item_locations * a.baseline_fraction))
    mono = json.loads(subprocess.run(
        [*base, "--item-locations", str(n_base), "--_child", "monolithic"], check=True, capture_output=True,
        text=True).stdout)  # fmt: skip
    print(f"# ScenarioSet scale ({datetime.now():%Y-%m-%d}, {platform.machine()}, Python {sys.version.split()[0]})\n")
    print("| run | item-locations × scenarios × periods | seconds | cells / s | peak RSS (MiB) |")
    print("|---|---|---|---|---|")
    print(f"| chunked ({a.chunk} per chunk, {a.lanes} lanes, supply block {chunked['supply_seconds']:.1f} s) | "
          f"{chunked['item_locations']:,} × {a.scenarios} × {a.periods} | {chunked['seconds']:.1f} | "
          f"{chunked['cells_per_second']:,.0f} | {chunked['peak_rss_mib']:,.0f} |")  # fmt: skip
    print(f"| monolithic baseline (demand only) | {mono['item_locations']:,} × {a.scenarios} × {a.periods} | "
          f"{mono['seconds']:.1f} | {mono['cells_per_second']:,.0f} | {mono['peak_rss_mib']:,.0f} |")  # fmt: skip
    full_gib = a.item_locations * a.scenarios * a.periods * 4 / 2**30
    print(f"\nHeld at once, the full demand array alone (float32) would take {full_gib:,.1f} GiB.")


if __name__ == "__main__":
    main()
