"""The hedge ladder's vocabulary: rungs, guardrail events, options and results (see :mod:`hedgerow.plan.ladder`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np

from hedgerow.domain.plan import GuardrailKind


class RungPhase(IntEnum):
    """Guardrail rungs are funded before value rungs; polish rungs refine (and may take lots back)."""

    GUARDRAIL = 0
    VALUE = 1
    POLISH = 2


@dataclass(frozen=True)
class Rung:
    """One lot of one candidate action.

    Attributes
    ----------
    item:
        Item row in the model.
    cand:
        Candidate row.
    qty:
        Units.
    capital:
        Capital committed (base currency).
    d_expected, d_tail, d_objective:
        Change of the item's expected cost, CVaR and risk-adjusted objective (base currency; negative = gain).
    phase:
        Guardrail or value rung.
    guardrail:
        Which guardrail a guardrail rung serves.
    """

    item: int
    cand: int
    qty: float
    capital: float
    d_expected: float
    d_tail: float
    d_objective: float
    phase: RungPhase = RungPhase.VALUE
    guardrail: GuardrailKind | None = None

    @property
    def value(self) -> float:
        """Expected gain of the rung in the objective (base currency)."""
        return -self.d_objective

    @property
    def ratio(self) -> float:
        """Gain per unit of capital (the ladder's ranking key); capital-free rungs rank by gain."""
        return self.value / max(abs(self.capital), 1e-9)


@dataclass(frozen=True)
class LadderEvent:
    """Something a guardrail or limit did, for the explanations.

    Attributes
    ----------
    kind:
        The guardrail or limit.
    row:
        Item-location row concerned.
    cand:
        Candidate concerned (-1 = none).
    infeasible:
        True when the guardrail could not be met.
    detail:
        Numbers for the message (probabilities, units, money).
    blocked_by:
        For an infeasible floor: the guardrail or limit that blocks it.
    """

    kind: GuardrailKind
    row: int
    cand: int = -1
    infeasible: bool = False
    detail: dict[str, float] = field(default_factory=dict)
    blocked_by: GuardrailKind | None = None


@dataclass(frozen=True)
class LadderOptions:
    """Tuning of the ladder (not policy: the result converges to the same plan, faster or slower).

    Attributes
    ----------
    lot_periods:
        First lot of a candidate, in periods of mean demand of its target.
    min_lot_fraction:
        Smallest lot of items not counted in whole units, as a share of mean demand per period.
    max_rounds:
        Safety bound on the rounds of one stage.
    floor_rounds:
        Floor moves each item-location short of its service floor may receive (each adds one more candidate).
    polish_rounds:
        Safety bound on polish rounds (0 = no polish).
    rel_tol:
        A move is kept only when it lowers the objective by more than this share of the objective of the
        item-locations it touches (plus λ × capital); a larger value stops the search earlier, trading a little
        optimality for speed. The share is of the rows moved, never of the item's other locations, so no
        decision depends on how many locations sell the item.
    swap_pairs_per_row:
        Floor swaps tried per item-location and pass (the most promising by marginal value).
    swap_passes:
        Passes of floor swaps (0 = none).
    stall_tol:
        An item-location is done for a stage when its last 10 rounds lowered its objective by less than this
        share of it (a floor-swap phase stops when its last pass lowered the total by less than this share); the
        moves left would gain almost nothing.
    line_search:
        Size each lot by the exact line search of :mod:`hedgerow.plan.linesearch` (else: lots of
        ``lot_periods`` of mean demand, doubled after a success and halved after a failure).
    min_price:
        Smallest positive price of capital (gain per unit of capital) before the last stage at λ = 0.
    """

    lot_periods: float = 0.5
    min_lot_fraction: float = 0.01
    max_rounds: int = 2000
    floor_rounds: int = 4
    polish_rounds: int = 400
    min_price: float = 1e-3
    line_search: bool = True
    stall_tol: float = 1e-5
    rel_tol: float = 1e-9
    swap_pairs_per_row: int = 4
    swap_passes: int = 8


@dataclass(frozen=True)
class LadderResult:
    """The rungs of every item (in order) and the decision they add up to."""

    x: np.ndarray
    rungs: tuple[Rung, ...]
    events: tuple[LadderEvent, ...]
    price_of_capital: float = 0.0
