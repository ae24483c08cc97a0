"""The cost model of the simulator, in the base currency: holding, shortage and transport per unit.

Every figure is converted at the FX rate of the period it falls in (``fx_units_per_base[cur, t]``), so an FX shock
changes what stock costs to hold and what a lost sale costs, from the period it strikes.

- holding per unit and period = unit cost × holding rate per year × period_days / 365 (the holding rate
  includes the cost of capital);
- shortage penalty per unit = unit margin × (1 + goodwill multiplier), with unit margin = price − cost: the
  margin of the lost sale plus the long-term value of the customer (hedgerow.toml ``[service]``). With lost
  sales it is charged once per unit lost; with backorders once per unit and period the unit waits;
- transport per unit = the lane's ``cost_per_unit``, charged on the units the lane actually ships.

Purchase cost is not a cost of a period here: units bought are sold or still held (and then charged holding);
the value tied up in stock is reported separately as capital.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hedgerow.sim.inputs import SimInputs

DAYS_PER_YEAR = 365.0


@dataclass(frozen=True)
class CostArrays:
    """Per-unit money figures in the base currency.

    Attributes
    ----------
    unit_cost:
        [il, T] purchase cost, base currency per unit.
    unit_price:
        [il, T] selling price, base currency per unit; 0 where the item-location has no price.
    holding:
        [il, T] holding cost of one unit on hand at the end of the period, base currency per unit and period.
    shortage:
        [il, T] penalty of one unit of unmet demand (lost, or waiting one period), base currency per unit.
    unit_margin:
        [il, T] price − cost, base currency per unit (>= 0).
    transport:
        [lane, T] transport cost of one unit shipped in the period, base currency per unit.
    """

    unit_cost: np.ndarray
    unit_price: np.ndarray
    holding: np.ndarray
    shortage: np.ndarray
    unit_margin: np.ndarray
    transport: np.ndarray


def cost_arrays(inputs: SimInputs) -> CostArrays:
    """Convert the inputs' money columns to base-currency arrays over periods (see the module docstring)."""
    fx = inputs.fx_units_per_base
    cost = inputs.unit_cost[:, None] / fx[inputs.cost_currency]
    price_local = np.nan_to_num(inputs.unit_price, nan=0.0)
    price = price_local[:, None] / fx[inputs.price_currency]
    holding = cost * (inputs.holding_rate_per_year[:, None] * inputs.period_days / DAYS_PER_YEAR)
    margin = np.maximum(price - cost, 0.0)
    margin[np.isnan(inputs.unit_price)] = 0.0
    shortage = margin * (1.0 + inputs.goodwill_multiplier[:, None])
    transport = inputs.lane_cost_per_unit[:, None] / fx[inputs.lane_currency]
    return CostArrays(
        unit_cost=cost,
        unit_price=price,
        holding=holding,
        shortage=shortage,
        unit_margin=margin,
        transport=transport,
    )
