"""Shared by the account tests: the first bars of the bundled backtrader index series."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from paperdesk.data import find_bundled, instrument_for, load_bars
from paperdesk.domain import Instrument

D = Decimal


def index_bars(rows: int = 8) -> pd.DataFrame:
    """``bt_2006-day-001_1d.csv`` (backtrader's 2006 index data, bundled), first ``rows`` bars:

    row  date        open     close
    0    2006-01-02  3578.73  3604.33
    1    2006-01-03  3604.08  3614.34
    2    2006-01-04  3615.23  3652.46
    3    2006-01-05  3652.19  3650.24
    4    2006-01-06  3650.54  3666.99
    """
    return load_bars(find_bundled("2006-DAY-001", "1d")).iloc[:rows]


def index_instrument() -> Instrument:
    return instrument_for("2006-DAY-001")
