"""Column helpers shared by the demo's table builders."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd


def id_column(labels: npt.ArrayLike, codes: npt.ArrayLike) -> pd.Series:
    """The values ``labels[codes]`` as a ``string`` column, built through a categorical (cheap for many rows).

    ``labels`` may repeat (a currency per warehouse); ``codes`` index into it.
    """
    unique, position = np.unique(np.asarray(labels), return_inverse=True)
    categories = pd.Index(unique, dtype="string")
    return pd.Series(pd.Categorical.from_codes(position[np.asarray(codes)], categories=categories)).astype("string")


def text_column(values: Sequence[str | None] | npt.NDArray[Any]) -> pd.Series:
    """Text values as a ``string`` column (``None`` stays missing)."""
    return pd.Series(pd.array(np.asarray(values, dtype=object), dtype="string"))
