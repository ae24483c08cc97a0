"""Model families of the demand engine; each maps a :class:`ModelInput` to a :class:`FamilyForecast`."""

from __future__ import annotations

from collections.abc import Callable

from hedgerow.demand.models.base import FamilyForecast, FamilyName, ModelInput
from hedgerow.demand.models.global_gbm import GbmConfig, global_gbm_family
from hedgerow.demand.models.intermittent import croston_sba_family, imapa_family, tsb_family
from hedgerow.demand.models.smoothing import seasonal_naive_family, seasonal_ses_family, ses_family
from hedgerow.demand.models.statsforecast_models import auto_ets_family, theta_family

#: The function that fits each family (the global model with its default settings).
FAMILIES: dict[FamilyName, Callable[[ModelInput], FamilyForecast]] = {
    FamilyName.SEASONAL_NAIVE: seasonal_naive_family,
    FamilyName.SES: ses_family,
    FamilyName.SEASONAL_SES: seasonal_ses_family,
    FamilyName.CROSTON_SBA: croston_sba_family,
    FamilyName.TSB: tsb_family,
    FamilyName.IMAPA: imapa_family,
    FamilyName.AUTO_ETS: auto_ets_family,
    FamilyName.THETA: theta_family,
    FamilyName.GLOBAL_GBM: global_gbm_family,
}

__all__ = ["FAMILIES", "FamilyForecast", "FamilyName", "GbmConfig", "ModelInput"]
