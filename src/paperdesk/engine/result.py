"""What a backtest returns: exact ledger figures, the trades, the curve and the statistics."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import numpy.typing as npt
import pandas as pd

from paperdesk.analytics.metrics import compute_stats
from paperdesk.analytics.stats import Stats
from paperdesk.domain import Fill, Order, SignalRejected, Trade
from paperdesk.engine.config import BacktestConfig
from paperdesk.engine.equity_curve import datetime_index


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


def assemble_result(
    config: BacktestConfig,
    *,
    symbol: str,
    timeframe: str,
    ts_close_ns: npt.NDArray[np.int64],
    closes: npt.NDArray[np.float64],
    equity: npt.NDArray[np.float64],
    in_market: npt.NDArray[np.bool_],
    final_equity: Decimal,
    final_cash: Decimal,
    trades: Sequence[Trade],
    fills: Sequence[Fill],
    orders: Sequence[Order],
    rejections: Sequence[SignalRejected],
    fees: float,
    ambiguous_bars: int,
    signals: int,
) -> BacktestResult:
    """The result both engines return: the curve by bar close and the statistics over it are
    built here once, so the event kernel and the fast path cannot compute them differently."""
    close_index = datetime_index(ts_close_ns)
    curve = pd.Series(equity, index=close_index, name="equity")
    stats = compute_stats(
        curve,
        trades,
        in_market=in_market,
        start_equity=float(config.cash),
        ambiguous_bars=ambiguous_bars,
        fees=fees,
        benchmark_close=pd.Series(closes, index=close_index),
    )
    return BacktestResult(
        config=config,
        symbol=symbol,
        timeframe=timeframe,
        final_equity=final_equity,
        final_cash=final_cash,
        stats=stats,
        trades=tuple(trades),
        fills=tuple(fills),
        orders=tuple(orders),
        rejections=tuple(rejections),
        equity_curve=curve,
        bars=len(closes),
        signals=signals,
    )
