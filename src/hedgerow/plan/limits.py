"""Limits shared by items: budgets (total and per region), lane capacity and warehouse headroom.

They couple items, so the ladder checks them live for every rung (:mod:`hedgerow.plan.ladder`); the exact model
writes them as constraints (:mod:`hedgerow.plan.exact`). Capital is charged to the region of the destination.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from hedgerow.plan.candidates import CandidateKind
from hedgerow.plan.model import PlanModel


def warehouse_headroom(model: PlanModel) -> dict[str, float]:
    """Units of new inbound stock each capacity-limited location can still take: capacity minus on hand minus
    units in transit to it (items of the partition), never below 0."""
    out: dict[str, float] = {}
    for loc in model.problem.locations:
        if loc.capacity_units is None or not math.isfinite(loc.capacity_units):
            continue
        rows = [k for k, lid in enumerate(model.il_locations) if lid == loc.location_id]
        if not rows:
            continue
        pipe = float(model.pipeline.qty[np.isin(model.pipeline.il, rows)].sum())
        out[loc.location_id] = max(loc.capacity_units - float(model.on_hand[rows].sum()) - pipe, 0.0)
    return out


@dataclass
class SharedLimits:
    """Headroom left under each shared limit (mutable; the ladder consumes it rung by rung).

    Attributes
    ----------
    total:
        Capital left under ``[finance] budget_total`` (base currency).
    region_names, region:
        Regions with their own budget and the capital left under each.
    cand_region:
        [J] index into ``region`` of each candidate's destination region (-1 = no own budget).
    lane:
        [L] units left on each lane this period.
    warehouse_names, warehouse:
        Capacity-limited locations and the units of new inbound stock they can still take.
    cand_warehouse:
        [J] index into ``warehouse`` (-1 = unlimited or not inbound).
    """

    total: float
    region_names: tuple[str, ...]
    region: np.ndarray
    cand_region: np.ndarray
    lane: np.ndarray
    warehouse_names: tuple[str, ...]
    warehouse: np.ndarray
    cand_warehouse: np.ndarray
    cand_lane: np.ndarray
    capital: np.ndarray
    lane_ids: tuple[str, ...] = ()

    @classmethod
    def from_model(cls, model: PlanModel, *, budgets: bool = True, capacities: bool = True) -> SharedLimits:
        """Full headroom of a partition under the policy's budgets and the network's capacities."""
        c = model.candidates
        pol = model.problem.policy
        regions = tuple(sorted(pol.budget_per_region)) if budgets else ()
        cand_region = np.full(c.n, -1, dtype=np.int64)
        for j in range(c.n):
            reg = model.problem.location(model.il_locations[c.target[j]]).region
            if reg in regions:
                cand_region[j] = regions.index(reg)
        room = warehouse_headroom(model) if capacities else {}
        wh_names = tuple(sorted(room))
        cand_wh = np.full(c.n, -1, dtype=np.int64)
        for j in range(c.n):
            loc = model.il_locations[c.target[j]]
            if loc in wh_names and c.kind[j] != CandidateKind.EXPEDITE:
                cand_wh[j] = wh_names.index(loc)
        return cls(
            total=float(pol.budget_total) if budgets else math.inf,
            region_names=regions,
            region=np.array([float(pol.budget_per_region[r]) for r in regions]),
            cand_region=cand_region,
            lane=model.lanes.capacity.copy() if capacities else np.full(len(model.lanes.lanes), math.inf),
            warehouse_names=wh_names,
            warehouse=np.array([room[w] for w in wh_names]),
            cand_warehouse=cand_wh,
            cand_lane=c.lane.copy(),
            capital=c.capital.copy(),
            lane_ids=tuple(lane.lane_id for lane in model.lanes.lanes),
        )

    def inherit(self, other: SharedLimits) -> None:
        """Take over what another partition left of the shared limits (matched by region, lane and location)."""
        self.total = other.total
        for k, name in enumerate(self.region_names):
            if name in other.region_names:
                self.region[k] = other.region[other.region_names.index(name)]
        for k, lid in enumerate(self.lane_ids):
            if lid in other.lane_ids:
                self.lane[k] = other.lane[other.lane_ids.index(lid)]
        for k, name in enumerate(self.warehouse_names):
            if name in other.warehouse_names:
                self.warehouse[k] = other.warehouse[other.warehouse_names.index(name)]

    def snapshot(self) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        """The headroom now, for :meth:`restore`."""
        return self.total, self.region.copy(), self.lane.copy(), self.warehouse.copy()

    def restore(self, snap: tuple[float, np.ndarray, np.ndarray, np.ndarray]) -> None:
        """Go back to a :meth:`snapshot`."""
        self.total, self.region, self.lane, self.warehouse = snap[0], snap[1].copy(), snap[2].copy(), snap[3].copy()

    def headroom(self, cands: np.ndarray) -> np.ndarray:
        """[len(cands)] units each candidate may still add under the shared limits."""
        cap = np.maximum(self.capital[cands], 1e-12)
        out = np.full(cands.size, self.total) / cap
        reg = self.cand_region[cands]
        has = reg >= 0
        out[has] = np.minimum(out[has], self.region[reg[has]] / cap[has])
        out = np.minimum(out, self.lane[self.cand_lane[cands]])
        wh = self.cand_warehouse[cands]
        has = wh >= 0
        out[has] = np.minimum(out[has], self.warehouse[wh[has]])
        return np.asarray(np.maximum(out, 0.0))

    def consume(self, cands: np.ndarray, qty: np.ndarray) -> None:
        """Use headroom for ``qty`` units of each candidate (negative ``qty`` gives it back)."""
        spend = qty * self.capital[cands]
        self.total -= float(spend.sum())
        reg = self.cand_region[cands]
        has = reg >= 0
        np.add.at(self.region, reg[has], -spend[has])
        np.add.at(self.lane, self.cand_lane[cands], -qty)
        wh = self.cand_warehouse[cands]
        has = wh >= 0
        np.add.at(self.warehouse, wh[has], -qty[has])

    def binding(self, j: int) -> tuple[str, str]:
        """(kind, name) of the shared limit with the least headroom for candidate ``j``: kind is one of
        ``budget_total``, ``budget_region``, ``lane_capacity``, ``warehouse_capacity``."""
        cap = max(float(self.capital[j]), 1e-12)
        options = [(self.total / cap, "budget_total", "")]
        if self.cand_region[j] >= 0:
            options.append(
                (self.region[self.cand_region[j]] / cap, "budget_region", self.region_names[self.cand_region[j]])
            )
        options.append((float(self.lane[self.cand_lane[j]]), "lane_capacity", str(self.cand_lane[j])))
        if self.cand_warehouse[j] >= 0:
            options.append(
                (
                    float(self.warehouse[self.cand_warehouse[j]]),
                    "warehouse_capacity",
                    self.warehouse_names[self.cand_warehouse[j]],
                )
            )
        _, kind, name = min(options, key=lambda o: o[0])
        return kind, name
