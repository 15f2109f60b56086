"""The performance statistics of a run (floats: analytics, not ledger money)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Stats:
    start: datetime
    end: datetime
    start_equity: float
    final_equity: float
    total_return_pct: float
    cagr_pct: float
    max_drawdown_pct: float  # negative or zero, e.g. -33.93
    max_drawdown_peak: datetime | None
    max_drawdown_trough: datetime | None
    sharpe: float
    sortino: float
    win_rate_pct: float
    average_win: float
    average_loss: float  # negative or zero
    profit_factor: float  # inf when there are wins and no losses, 0.0 with no trades
    exposure_pct: float  # share of bars with an open position
    trades: int
    best_trade: float  # P&L of the best round trip, net of fees
    worst_trade: float
    fees: float
    ambiguous_bars: int  # bars where a stop-loss and a take-profit were both touched
    buy_and_hold_return_pct: float

    def to_dict(self) -> dict[str, object]:
        result: dict[str, object] = {}
        for key, value in asdict(self).items():
            result[key] = value.isoformat() if isinstance(value, datetime) else value
        return result
