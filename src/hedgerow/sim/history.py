"""What a policy may see at period t (:class:`HistoryView`), and what it answers (:class:`Decision`).

The view is the *only* thing a policy receives. It is built from the simulator's records, which are filled period
by period as the replay advances: at period ``t`` they hold nothing about ``t`` or later, because it has not
happened yet. Realised future demand and lead times are never reachable from a view. Planned driver values (prices,
promotions) are the one exception, and only ``driver_lookahead`` periods ahead, because a retailer plans them.
Signals (``signals``) are in a view from their ``observed_at`` on: those observed at or before the period's decision
moment (:mod:`hedgerow.sim.signals`). Arrays are read-only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hedgerow.sim.inputs import UnmetDemand


@dataclass(frozen=True)
class HistoryView:
    """The state of the network at the start of period ``t`` and everything that happened before it.

    Attributes
    ----------
    t:
        Index of the period being decided (absolute, warm-up included).
    start:
        First simulated period; before it, ``demand`` is the recorded history (warm-up).
    period_days:
        Length of one period, days.
    demand:
        [il, t] demand each item-location saw in past periods, units: customer demand plus the requests of the
        item-locations it supplies. In the warm-up, a DC's requests are approximated by its stores' demand.
    orders:
        [il, t - start] units each item-location ordered in past simulated periods (all lanes).
    on_hand:
        [il] units on hand at the start of ``t``, before the period's arrivals.
    on_order:
        [il] units shipped to the item-location and not yet arrived (including those arriving at ``t``).
    backlog:
        [il] units owed to customers (backorders; always 0 with lost sales).
    lead_time_mean, lead_time_std:
        [il] mean and standard deviation of the lead times (periods) of the orders that have arrived so far;
        the planned transit of the primary lane while none has.
    lead_time_count:
        [il] how many arrived orders the lead-time estimates rest on.
    nominal_lead:
        [il, K] planned transit of each lane option, periods (known ahead); -1 where there is no option.
    unit_cost, unit_price, unit_margin, holding, shortage:
        [il] current money figures in the base currency (see :mod:`hedgerow.sim.costs`).
    transport:
        [il, K] transport cost per unit of each lane option this period, base currency; NaN where no option.
    item_class:
        [il] planning class of each item-location's item.
    parent, echelon:
        [il] network structure (see :mod:`hedgerow.sim.inputs`).
    assembled:
        [il] True for bundles: assembled from their components when sold, never ordered.
    unmet:
        Whether unmet demand is lost or backordered.
    known_ahead:
        Name → [il, t + lookahead] planned driver values up to ``driver_lookahead`` periods ahead.
    signals:
        The signals observed at or before the decision moment of ``t`` (00:00 UTC of the period's first day), the
        contract's ``signals`` columns, oldest first (a copy); None when the replay has none.
    """

    t: int
    start: int
    period_days: int
    demand: np.ndarray
    orders: np.ndarray
    on_hand: np.ndarray
    on_order: np.ndarray
    backlog: np.ndarray
    lead_time_mean: np.ndarray
    lead_time_std: np.ndarray
    lead_time_count: np.ndarray
    nominal_lead: np.ndarray
    unit_cost: np.ndarray
    unit_price: np.ndarray
    unit_margin: np.ndarray
    holding: np.ndarray
    shortage: np.ndarray
    transport: np.ndarray
    item_class: tuple[str, ...]
    parent: np.ndarray
    echelon: np.ndarray
    assembled: np.ndarray
    unmet: UnmetDemand
    known_ahead: dict[str, np.ndarray] = field(default_factory=dict)
    signals: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        if self.demand.shape[1] != self.t:
            raise ValueError(f"a view at period {self.t} must hold exactly {self.t} past periods of demand")
        for value in self.__dict__.values():
            if isinstance(value, np.ndarray):
                value.setflags(write=False)

    @property
    def n_il(self) -> int:
        """Number of item-locations."""
        return int(self.on_hand.shape[0])

    @property
    def orderable(self) -> np.ndarray:
        """[il] True where the item-location can order (it has a primary lane; bundles cannot)."""
        return np.asarray(self.nominal_lead[:, 0] >= 0)

    @property
    def inventory_position(self) -> np.ndarray:
        """[il] on hand + on order − backlog, units: what an order-up-to policy compares its level with."""
        return np.asarray(self.on_hand + self.on_order - self.backlog, dtype=np.float64)


@dataclass(frozen=True)
class Decision:
    """A policy's answer for one period.

    Attributes
    ----------
    qty:
        [il, K] units to order on each lane option (column 0 = the primary lane); >= 0.
    needs_approval:
        [il, K] which of the orders a person must approve; None lets the simulator apply the approval rule
        (order value above ``[approval] auto_approve_max_value``).
    """

    qty: np.ndarray
    needs_approval: np.ndarray | None = None

    @classmethod
    def on_primary(cls, qty: np.ndarray, view: HistoryView) -> Decision:
        """Order ``qty`` [il] on each item-location's primary lane (nothing where it cannot order: bundles)."""
        out = np.zeros((qty.shape[0], view.nominal_lead.shape[1]))
        out[:, 0] = np.where(view.orderable, qty, 0.0)
        return cls(qty=out)
