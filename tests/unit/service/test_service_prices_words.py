"""A backtest's prices line names why a forex pair or a coin trades raw prices (it said "not
adjusted for splits or dividends", as if EURUSD had any to adjust for)."""

from __future__ import annotations

import pytest

from paperdesk.config import RunConfig
from paperdesk.data import instrument_for
from paperdesk.service import Services


@pytest.mark.parametrize(("symbol", "timeframe"), [("EURUSD", "1h"), ("BTCUSD", "1m")])
def test_a_pair_or_a_coin_says_it_has_no_splits_or_dividends(symbol: str, timeframe: str) -> None:
    config = RunConfig(strategy="sma-cross", symbol=symbol, timeframe=timeframe, start="2018-01-01")
    result = Services().backtests.run(config)
    kind = instrument_for(symbol).asset_class.value
    assert kind != "equity"
    assert result.adjust == "raw"
    assert result.prices == f"raw ({symbol} is {kind}: no splits or dividends)"
