"""Cost of the projected stock-on-hand fan in explanations: explanation time with and without it, side by side.

The instance is the planner speed benchmark's synthetic network (:func:`hedgerow.plan.synthetic.large_instance`,
smaller by default). One partition is planned once (ladder, no explanations); then the explanation step
(:func:`hedgerow.explain.recommend.draft_recommendations`, every recommendation of the partition) runs
alternately with the projection and with it switched off (the baseline: the explanation as it was before the
field existed), best of ``--repeat`` each. Also reported: the time spent inside the projection itself and the
JSON bytes it adds per recommendation (what the ledger stores).

Run: ``python -m bench.explain_projection [--items 250] [--scenarios 500] [--periods 26] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from hedgerow.explain import recommend
from hedgerow.explain.context import ExplainContext
from hedgerow.explain.guardrails import guardrail_notes
from hedgerow.explain.lineage import freshness
from hedgerow.plan.planner import MethodChoice, PlannerOptions, plan_partition
from hedgerow.plan.synthetic import large_instance


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=250, help="items (× 4 locations = item-locations)")
    parser.add_argument("--scenarios", type=int, default=500)
    parser.add_argument("--periods", type=int, default=26)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    problem, scen = large_instance(1, n_items=args.items, n_scenarios=args.scenarios, horizon=args.periods)
    items = [i.item_id for i in problem.items]
    options = PlannerOptions(method=MethodChoice.LADDER, explain=False, workers=1)
    t0 = time.perf_counter()
    pp = plan_partition(problem, scen, items, options=options)
    plan_s = time.perf_counter() - t0
    notes = guardrail_notes(pp.model, pp.x, pp.final, pp.ladder.events)
    data = freshness(problem.sources, scen.as_of, scen.snapshots)
    real: Callable[..., Any] = recommend._projection
    spent = [0.0]

    def timed(*a: Any) -> Any:
        t = time.perf_counter()
        out = real(*a)
        spent[0] += time.perf_counter() - t
        return out

    def run(with_projection: bool) -> tuple[float, list[recommend.Draft]]:
        recommend._projection = timed if with_projection else (lambda *_a: None)  # type: ignore[assignment]
        try:
            t = time.perf_counter()
            drafts = recommend.draft_recommendations(ExplainContext(pp.model, pp.x), notes=notes, data=data)
            return time.perf_counter() - t, drafts
        finally:
            recommend._projection = real

    with_s, without_s, inside = [], [], []
    drafts: list[recommend.Draft] = []
    for _ in range(args.repeat):
        spent[0] = 0.0
        s, drafts = run(True)
        with_s.append(s)
        inside.append(spent[0])
        s, _ = run(False)
        without_s.append(s)
    n = len(drafts)
    extra = [len(json.dumps(d.explanation.projection.to_dict())) for d in drafts if d.explanation.projection]
    whole = [len(json.dumps(d.explanation.to_dict())) for d in drafts]
    best_with, best_without = min(with_s), min(without_s)
    print(f"# explanation projection cost, Python {platform.python_version()}, {os.cpu_count()} cores, "
          f"numpy {np.__version__}")  # fmt: skip
    print(
        f"instance: {pp.model.n_il:,} item-locations x {args.scenarios} scenarios x {args.periods} periods; "
        f"plan (ladder, no explanations) {plan_s:.1f} s; {n:,} recommendations explained"
    )
    print(f"explanations with projection: best {best_with:.2f} s ({[round(s, 2) for s in with_s]})")
    print(f"explanations without (baseline): best {best_without:.2f} s ({[round(s, 2) for s in without_s]})")
    print(f"ratio with / without = {best_with / best_without:.3f}; plan + explanations ratio = "
          f"{(plan_s + best_with) / (plan_s + best_without):.3f}")  # fmt: skip
    print(f"inside the projection: {min(inside):.3f} s = {1000 * min(inside) / max(n, 1):.2f} ms per recommendation")
    print(
        f"JSON: projection {np.mean(extra):,.0f} bytes per recommendation on average, "
        f"whole explanation {np.mean(whole):,.0f} bytes"
    )
    print(f"load average {os.getloadavg()[0]:.2f} (other work on the machine slows both runs alike)")


if __name__ == "__main__":
    main()
