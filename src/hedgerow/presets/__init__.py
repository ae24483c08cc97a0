"""Import recipes for real public data sets: each maps a data set's files into the data contract.

``hedgerow import-preset NAME PATH`` reads the files, maps them with the preset's pure mapping function and
imports the result through the normal import service (validation, atomicity and lineage all apply). The
mapping of every preset, with every assumed value, is documented in docs/presets.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from hedgerow.presets import breakfast, breakfast_network, carparts, ecb, gscpi, port_congestion, scms
from hedgerow.presets.base import DataSet, PresetContext, PresetTables, RawFiles


class Preset(StrEnum):
    """The data sets hedgerow can import directly (names as typed on the command line)."""

    BREAKFAST = "breakfast"
    BREAKFAST_NETWORK = "breakfast-network"
    CARPARTS = "carparts"
    SCMS = "scms"
    ECB = "ecb"
    PORT_CONGESTION = "port-congestion"
    GSCPI = "gscpi"


@dataclass(frozen=True)
class Recipe:
    """How one preset reads and maps its data set."""

    preset: Preset
    description: str
    dataset: DataSet
    map_tables: Callable[[RawFiles, PresetContext], PresetTables]


RECIPES: dict[Preset, Recipe] = {
    Preset.BREAKFAST: Recipe(
        Preset.BREAKFAST,
        "dunnhumby Breakfast at the Frat: 77 stores × 55 UPCs, weekly units with price and promotion drivers",
        breakfast.DATASET,
        breakfast.map_tables,
    ),
    Preset.BREAKFAST_NETWORK: Recipe(
        Preset.BREAKFAST_NETWORK,
        "breakfast plus suppliers (manufacturers), one regional DC per state and truck lanes supplier→DC→store",
        breakfast_network.DATASET,
        breakfast_network.map_tables,
    ),
    Preset.CARPARTS: Recipe(
        Preset.CARPARTS,
        "expsmooth carparts: 2,674 monthly intermittent spare-part series at one site (NA months not written)",
        carparts.DATASET,
        carparts.map_tables,
    ),
    Preset.SCMS: Recipe(
        Preset.SCMS,
        "USAID SCMS shipments: vendors, destination countries, lanes by mode, shipments with promised/actual dates",
        scms.DATASET,
        scms.map_tables,
    ),
    Preset.ECB: Recipe(
        Preset.ECB,
        "ECB daily euro reference rates since 1999, converted to the workspace's base currency",
        ecb.DATASET,
        ecb.map_tables,
    ),
    Preset.PORT_CONGESTION: Recipe(
        Preset.PORT_CONGESTION,
        "BTS weekly containerships waiting at US ports (2021-2025) as port_congestion signals by UN/LOCODE",
        port_congestion.DATASET,
        port_congestion.map_tables,
    ),
    Preset.GSCPI: Recipe(
        Preset.GSCPI,
        "NY Fed Global Supply Chain Pressure Index, monthly since 1998, as global signals",
        gscpi.DATASET,
        gscpi.map_tables,
    ),
}

__all__ = ["RECIPES", "DataSet", "Preset", "PresetContext", "PresetTables", "RawFiles", "Recipe"]
