"""The walk-forward's re-fit lets a look-ahead refusal through: a candidate that reads bars after
its own is not a candidate that 'scored nothing' (which made every window a silent tie)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from paperdesk.analysis.strategies.causality import LookAheadError
from paperdesk.plans import wf_fit
from peeking_strategy import NextClose


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
    monkeypatch.setattr(wf_fit, "create_vectorised_strategy", lambda name, params: NextClose())
    history = _daily(120)
    as_of = history["ts_close"].iloc[-1].to_pydatetime()
    with pytest.raises(LookAheadError, match="strategy 'next-close' looks ahead"):
        wf_fit.fit("next-close", {}, [{}], {"BTCUSD": history}, as_of, 90, Decimal(10000))
    # the window the fit reads ends at as_of: the bars after it change nothing
    later = history[history["ts_close"] <= as_of - timedelta(days=30)]
    with pytest.raises(LookAheadError):
        wf_fit.fit("next-close", {}, [{}], {"BTCUSD": later}, as_of, 90, Decimal(10000))
