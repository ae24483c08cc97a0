"""Calibration of the spike-or-shift probability on injected spikes, shifts and promotions.

    python -m bench.demand_shift_calibration [--cases 20000]

Worlds: the sensor's own priors (shifts a third of the unusual events, spikes continuing with probability
0.4) and worlds that differ (more shifts, longer or shorter spikes). Reported per world: expected calibration
error over 10 bins, Brier score, share of events flagged, mean probability given to promotions, and the
reliability table of the matched world.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from hedgerow.demand.shift_calibration import calibrate, inject_cases

WORLDS = (
    ("matched: shifts 1/3, spike persistence 0.4", 1 / 3, 0.4),
    ("more shifts: 1/2", 0.5, 0.4),
    ("fewer shifts: 1/5, short spikes 0.2", 0.2, 0.2),
    ("long spikes: persistence 0.6", 1 / 3, 0.6),
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    args = parser.parse_args(argv)
    print(
        "| world | ECE | Brier | flagged | promotions: mean p | shifts: p after 1 / 3 / 6 periods | spikes: p after 1 / 3 / 6 |"
    )
    print("|---|---|---|---|---|---|---|")
    tables = []
    for name, share, persistence in WORLDS:
        cases = inject_cases(np.random.default_rng(0), args.cases, shift_share=share, spike_persistence=persistence)
        c = calibrate(cases)
        shift, spike = c.detection["shift"], c.detection["spike"]
        print(
            f"| {name} | {c.expected_calibration_error:.3f} | {c.brier:.3f} | {c.flagged_share:.2f} | "
            f"{c.promotion_mean_probability:.3f} | {shift[1]:.2f} / {shift[3]:.2f} / {shift[6]:.2f} | "
            f"{spike[1]:.2f} / {spike[3]:.2f} / {spike[6]:.2f} |"
        )
        tables.append((name, c))
    name, c = tables[0]
    print(
        f"\nReliability, {name}:\n\n| predicted bin | cases | mean predicted | observed share of shifts |\n|---|---|---|---|"
    )
    for lo, hi, n, p, o in c.bins:
        print(f"| {lo:.1f}–{hi:.1f} | {n:,} | {p:.3f} | {o:.3f} |")


if __name__ == "__main__":
    main(sys.argv[1:])
