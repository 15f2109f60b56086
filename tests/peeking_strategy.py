"""A strategy that reads the next bar (``shift(-1)``): long when the next close is higher, flat
otherwise, on every bar. For the tests of the look-ahead check."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd

from paperdesk.analysis.strategies.base import NoParameters, Strategy, column, make_signal_frame


class NextClose(Strategy[NoParameters]):
    name: ClassVar[str] = "next-close"
    description: ClassVar[str] = "Long when the next close is higher (a test double)."
    warmup: ClassVar[int] = 0

    def compute(self, bars: pd.DataFrame) -> pd.DataFrame:
        close = pd.Series(column(bars, "close"))
        up = (close.shift(-1) > close).astype(np.int8).to_numpy()
        return make_signal_frame(bars, np.arange(len(close)), up, reason="peek")
