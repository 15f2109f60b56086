"""The entry rule both example strategies share: the close crosses above its SMA."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from paperdesk.analysis.indicators import crossing_points, sma


def entry_rows(close: npt.NDArray[np.float64], period: int) -> npt.NDArray[np.intp]:
    """Rows where the close crosses above SMA(``period``) of the close.

    Cross semantics of ``paperdesk.analysis.indicators.crossing_points``: the last non-zero
    sign of ``close - SMA`` is carried forward and an up-cross is the first bar above after
    a bar below; the first bar where the SMA exists (row ``period - 1``) is never a cross.
    Causal: the answer for row ``t`` uses rows ``<= t`` only and does not change when later
    rows are appended, so a per-bar strategy asking about its last row gets the same answer
    as the vectorised one.
    """
    positions, directions = crossing_points(close - sma(close, period))
    return positions[directions > 0]
