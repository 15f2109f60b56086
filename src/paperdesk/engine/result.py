"""What a backtest returns: exact ledger figures, the trades, the curve and the statistics."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

from paperdesk.analytics.stats import Stats
from paperdesk.domain import Fill, Order, SignalRejected, Trade
from paperdesk.engine.config import BacktestConfig


@dataclass(frozen=True, slots=True)
class BacktestResult:
    config: BacktestConfig
    symbol: str
    timeframe: str
    final_equity: Decimal  # exact: cash + open positions marked at the last close
    final_cash: Decimal
    stats: Stats
    trades: tuple[Trade, ...]
    fills: tuple[Fill, ...]
    orders: tuple[Order, ...]
    rejections: tuple[SignalRejected, ...]
    equity_curve: pd.Series = field(repr=False)  # float equity at each bar close, by ts_close
    bars: int = 0
    signals: int = 0
