"""A portfolio that traded: macd-cross (short periods, ATR stops and targets, minimum
confidence 0.6) replayed over SPY's bundled daily bars (lean_SPY_1d.csv) from 2020-01-02,
ticked bar by bar through the service. Over its first 6 bars: a long signal on 2020-01-02
(filled at the next open, 321.36 with slippage), a short signal on 2020-01-03 that closes it
at a loss on 2020-01-06 (320.27: one round trip, a drawdown), and a long signal on
2020-01-08 with confidence 0.52 that the router rejects."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from api_fixtures import Harness

import paperdesk.data

BARS = 6
SPY_FILE = Path(paperdesk.data.__file__).parent / "bundled" / "lean_SPY_1d.csv"
MACD = {
    "name": "macd desk",
    "cash": "10000",
    "symbols": ["SPY"],
    "strategies": ["macd-cross"],
    "params": ["fast=3", "slow=6", "signal=2", "stop_atr=2", "target_atr=3"],
    "settings": {"source": "replay", "replay_from": "2020-01-02", "min_confidence": "0.6"},
}


def traded_portfolio(api: Harness, bars: int = BARS) -> int:
    """The portfolio above, created through the API and ticked ``bars`` times."""
    portfolio_id = api.create_portfolio(**MACD)
    for _ in range(bars):
        api.services.portfolios.tick(portfolio_id, "SPY")
    return portfolio_id


def spy_closes() -> pd.Series:
    """SPY's closes straight from the bundled file (not through paperdesk's data layer)."""
    frame = pd.read_csv(SPY_FILE, parse_dates=["timestamp"])
    return frame.set_index("timestamp")["close"]
