"""The policy interface every replenishment policy of the simulator implements, and the names of the built-in ones."""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol, runtime_checkable

from hedgerow.sim.history import Decision, HistoryView


class PolicyName(StrEnum):
    """The policies the simulator compares, as named in reports and on the command line."""

    HEDGEROW = "hedgerow"
    ORDER_UP_TO = "order_up_to"
    MARGIN_MAXIMISER = "margin_maximiser"
    STOCKPYL = "stockpyl_base_stock"
    CLAIRVOYANT = "clairvoyant"
    BEST_STATIONARY = "best_stationary"


@runtime_checkable
class Policy(Protocol):
    """A replenishment policy: at the start of each period it sees the past and orders.

    ``decide`` is called once per simulated period, in order, with a :class:`HistoryView` that holds nothing of
    the future. A policy may keep state between calls (smoothing) but must reset it in ``reset``, which the
    simulator calls before every run.
    """

    @property
    def name(self) -> str:
        """Name shown in reports."""
        ...

    def settings(self) -> dict[str, object]:
        """The policy's settings, stated in reports so that a reader can judge how it was tuned."""
        ...

    def reset(self) -> None:
        """Forget any state kept from a previous run."""
        ...

    def decide(self, view: HistoryView) -> Decision:
        """Units to order on each lane option this period."""
        ...
