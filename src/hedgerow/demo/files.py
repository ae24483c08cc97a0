"""Write a demo network to a folder: one CSV per contract table, and the truth kept aside as Parquet.

The one I/O edge of :mod:`hedgerow.demo`. Dates are written as ``YYYY-MM-DD``, timestamps as
``YYYY-MM-DDTHH:MM:SS`` (UTC), empty cells for missing values; the files import as they are.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hedgerow.contract.spec import TABLES, ColumnType
from hedgerow.demo.spec import DemoNetwork
from hedgerow.domain.enums import TableName

#: Sub-folder holding what the demo knows but an import must not see.
TRUTH_FOLDER = "truth"
DATE_FORMAT, DATETIME_FORMAT = "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"


def _as_text_timestamps(table: TableName, frame: pd.DataFrame) -> pd.DataFrame:
    """Format the table's datetime columns as ISO text so its date columns can share ``DATE_FORMAT``."""
    datetimes = [c.name for c in TABLES[table].columns if c.type is ColumnType.DATETIME and c.name in frame.columns]
    if not datetimes:
        return frame
    out = frame.copy()
    for name in datetimes:
        out[name] = frame[name].dt.strftime(DATETIME_FORMAT)
    return out


def write_demo_tables(network: DemoNetwork, folder: Path, *, parquet: bool = False) -> dict[TableName, Path]:
    """Write every table of ``network`` as ``<table>.csv`` (or ``.parquet``) in ``folder``; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[TableName, Path] = {}
    for table, frame in network.tables.items():
        if parquet:
            path = folder / f"{table.value}.parquet"
            frame.to_parquet(path, index=False)
        else:
            path = folder / f"{table.value}.csv"
            _as_text_timestamps(table, frame).to_csv(path, index=False, date_format=DATE_FORMAT)
        paths[table] = path
    return paths


def write_truth(network: DemoNetwork, folder: Path) -> None:
    """Write what an import must not see: ``true_demand.parquet`` (demand before censoring), ``catalog.parquet``
    and ``series.parquet`` (designed series parameters)."""
    folder.mkdir(parents=True, exist_ok=True)
    network.true_demand.to_parquet(folder / "true_demand.parquet", index=False)
    network.catalog.to_parquet(folder / "catalog.parquet", index=False)
    network.series.to_parquet(folder / "series.parquet", index=False)


def write_demo_files(network: DemoNetwork, folder: Path) -> dict[TableName, Path]:
    """Write every table of ``network`` as ``<table>.csv`` in ``folder`` and the truth under ``truth/``.

    Parameters
    ----------
    network:
        The generated network.
    folder:
        Target folder; created if missing. Existing files of the same names are replaced.

    Returns
    -------
    dict
        Path of the CSV file of each table. The truth files are ``truth/true_demand.parquet`` (demand before
        censoring), ``truth/catalog.parquet`` and ``truth/series.parquet``.
    """
    paths = write_demo_tables(network, folder)
    write_truth(network, folder / TRUTH_FOLDER)
    return paths
