"""The performance statistics of a run (floats: analytics, not ledger money).

A figure that is undefined for the run (Sharpe without returns, win rate without trades,
profit factor without losses...) is None, never a made-up 0.0.
"""

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
    cagr_pct: float | None
    max_drawdown_pct: float  # negative or zero, e.g. -33.93
    max_drawdown_peak: datetime | None
    max_drawdown_trough: datetime | None
    sharpe: float | None
    sortino: float | None
    win_rate_pct: float | None
    average_win: float | None
    average_loss: float | None  # negative
    profit_factor: float | None  # gross wins / gross losses; None without losses
    exposure_pct: float  # share of bars with an open position
    trades: int
    best_trade: float | None  # P&L of the best round trip, net of fees
    worst_trade: float | None
    fees: float
    ambiguous_bars: int  # bars where a stop-loss and a take-profit were both touched
    buy_and_hold_return_pct: float | None
    # the conventions the figures below follow (docs/statistics.md)
    returns_basis: str = "bar"  # bar or daily
    periods_per_year: float | None = None  # the annualisation factor used
    risk_free_rate_pct: float = 0.0
    volatility_pct: float | None = None  # annualised standard deviation of the returns
    max_drawdown_duration_days: float = 0.0  # longest stretch below a peak, in days
    expectancy: float | None = None  # mean net P&L per round trip
    probabilistic_sharpe_pct: float | None = None  # P(true Sharpe > 0), Bailey & Lopez de Prado
    benchmark: str | None = None
    alpha_pct: float | None = None  # annualised Jensen's alpha
    beta: float | None = None
    tracking_error_pct: float | None = None  # annualised
    information_ratio: float | None = None
    treynor_ratio: float | None = None  # annualised excess return per unit of beta (fraction)

    def to_dict(self) -> dict[str, object]:
        result: dict[str, object] = {}
        for key, value in asdict(self).items():
            result[key] = value.isoformat() if isinstance(value, datetime) else value
        return result


def win_rate_pct(wins: int, trades: int) -> float | None:
    """The win rate every surface reports, in percent: round trips (or simulated trades) with a
    net P&L above zero over all of them (one of exactly 0 counts in the total, neither won nor
    lost); None without any (docs/statistics.md)."""
    return wins / trades * 100.0 if trades else None
