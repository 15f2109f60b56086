"""The walk-forward's re-fit lets a look-ahead refusal through: a candidate that reads bars after
its own is not a candidate that 'scored nothing' (which made every window a silent tie)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest

from paperdesk.analysis.strategies.base import NoParameters, Strategy, column, make_signal_frame
from paperdesk.analysis.strategies.causality import LookAheadError
from paperdesk.plans import wf_fit


class _TomorrowUp(Strategy[NoParameters]):
    name: ClassVar[str] = "tomorrow-up"
    description: ClassVar[str] = "test double: long when the next close is higher"
    warmup: ClassVar[int] = 0

    def compute(self, bars: pd.DataFrame) -> pd.DataFrame:
        close = pd.Series(column(bars, "close"))
        up = (close.shift(-1) > close).astype(np.int8).to_numpy()
        return make_signal_frame(bars, np.arange(len(close)), up, reason="peek")


def _daily(count: int) -> pd.DataFrame:
    closes = 100 * np.exp(np.cumsum(np.random.default_rng(3).normal(0, 0.01, count)))
    index = pd.date_range("2024-01-01", periods=count, freq="D", tz="UTC")
    frame = pd.DataFrame(
        {"open": closes, "high": closes + 0.5, "low": closes - 0.5, "close": closes},
        index=index,
    )
    frame["volume"] = 1000.0
    frame["ts_close"] = index + pd.Timedelta(hours=21)
    frame.attrs.update(symbol="BTCUSD", timeframe="1d")
    return frame


def test_a_candidate_that_looks_ahead_stops_the_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wf_fit, "create_vectorised_strategy", lambda name, params: _TomorrowUp())
    history = _daily(120)
    as_of = history["ts_close"].iloc[-1].to_pydatetime()
    with pytest.raises(LookAheadError, match="strategy 'tomorrow-up' looks ahead"):
        wf_fit.fit("tomorrow-up", {}, [{}], {"BTCUSD": history}, as_of, 90, Decimal(10000))
    # the window the fit reads ends at as_of: the bars after it change nothing
    later = history[history["ts_close"] <= as_of - timedelta(days=30)]
    with pytest.raises(LookAheadError):
        wf_fit.fit("tomorrow-up", {}, [{}], {"BTCUSD": later}, as_of, 90, Decimal(10000))
