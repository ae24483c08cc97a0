"""Everything fitted on the supply side of one workspace snapshot, in one frozen object.

:func:`fit_supply` reads the contract frames once (lanes, locations, suppliers, shipments, signals, fx_rates,
freight_rates, items, item_locations) and returns a :class:`SupplyModel`; the scenario builder, ``hedgerow lead-times`` and
``hedgerow exposure`` all start from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from hedgerow.contract.facts import CURRENCY_COLUMNS
from hedgerow.domain.enums import SignalKind, TableName
from hedgerow.errors import SupplyInputError
from hedgerow.supply.disruptions import DisruptionModel, build_disruptions
from hedgerow.supply.freight import FreightModel, fit_freight
from hedgerow.supply.fx import FxHistory
from hedgerow.supply.lead_times import LeadTimeModel, OpenShipment, PoolingSettings, fit_lead_times, open_shipments
from hedgerow.supply.network import LaneNetwork
from hedgerow.supply.signals import SignalBook, read_signals


@dataclass(frozen=True)
class SupplyModel:
    """The fitted supply side: network, lead times, signals, disruption regimes, FX history, open shipments.

    Attributes
    ----------
    as_of:
        Naive-UTC time the model describes; period 0 starts on its date.
    base_currency:
        Currency all money is reported in.
    currencies:
        Every currency the network uses, base included, sorted (the FX axis of the scenario set).
    freight:
        Freight-rate volatility, disruption uplift and insurance levels per lane (:mod:`hedgerow.supply.freight`);
        None = freight at today's rates in every scenario.
    """

    as_of: datetime
    base_currency: str
    network: LaneNetwork
    lead_times: LeadTimeModel
    signals: SignalBook
    disruptions: DisruptionModel
    fx_history: FxHistory | None
    open_shipments: tuple[OpenShipment, ...]
    currencies: tuple[str, ...]
    freight: FreightModel | None = None

    def notes(self) -> tuple[str, ...]:
        """Warnings a plan must show: quarantined signals, stale or missing feeds, fallbacks, excluded rows."""
        out = list(self.signals.warnings()) + list(self.disruptions.notes)
        if self.lead_times.excluded_rows:
            out.append(
                f"{self.lead_times.excluded_rows} shipment row(s) with delivered_date or eta_date before ship_date "
                f"left out of lead-time models"
            )
        unknown = [s.shipment_id for s in self.open_shipments if s.lane_id not in self.network.lanes]
        if unknown:
            out.append(f"{len(unknown)} open shipment(s) on lanes not in the lanes table are ignored")
        return tuple(out)


def network_currencies(frames: Mapping[TableName, pd.DataFrame], base_currency: str) -> tuple[str, ...]:
    """Sorted currencies used anywhere in the network, base currency included."""
    found = {base_currency}
    for table, column in CURRENCY_COLUMNS.items():
        frame = frames.get(table)
        if frame is not None and column in frame.columns:
            found.update(str(c) for c in frame[column].dropna().unique())
    return tuple(sorted(found))


def fit_supply(
    frames: Mapping[TableName, pd.DataFrame],
    *,
    as_of: datetime,
    base_currency: str,
    period_days: int,
    stale_signal_days: float = 7.0,
    pooling: PoolingSettings | None = None,
    expected_feeds: tuple[SignalKind, ...] = (SignalKind.PORT_CONGESTION,),
) -> SupplyModel:
    """Fit the supply side from the workspace's current frames.

    Raises
    ------
    SupplyInputError
        When there is no lanes table (no lane, nothing to plan on).
    """
    lanes = frames.get(TableName.LANES)
    if lanes is None or not len(lanes):
        raise SupplyInputError("no lanes imported: the lanes table is needed to model lead times and disruptions")
    network = LaneNetwork.from_frames(lanes, frames.get(TableName.LOCATIONS), frames.get(TableName.SUPPLIERS))
    shipments = frames.get(TableName.SHIPMENTS)
    lead = fit_lead_times(network, shipments, pooling)
    book = read_signals(
        frames.get(TableName.SIGNALS), network, as_of, stale_after_days=stale_signal_days, expected_kinds=expected_feeds
    )
    disruptions = build_disruptions(book, network, period_days=period_days)
    freight = fit_freight(network, frames.get(TableName.FREIGHT_RATES), book, as_of=as_of, period_days=period_days)
    fx_frame = frames.get(TableName.FX_RATES)
    fx = FxHistory.from_frame(fx_frame) if fx_frame is not None and len(fx_frame) else None
    return SupplyModel(
        as_of=as_of,
        base_currency=base_currency,
        network=network,
        lead_times=lead,
        signals=book,
        disruptions=disruptions,
        fx_history=fx,
        open_shipments=tuple(open_shipments(shipments, as_of.date())),
        currencies=network_currencies(frames, base_currency),
        freight=freight,
    )
