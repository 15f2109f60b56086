"""The walk-forward's period figures from its trades and its daily equity: counts and money
exact (Decimal), the curve statistics (maximum drawdown, CAGR, Sharpe) from
``paperdesk.analytics`` on daily returns along the XNYS calendar."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import numpy as np
import pandas as pd

from paperdesk.analytics.conventions import Conventions
from paperdesk.analytics.metrics import compute_stats
from paperdesk.analytics.stats import Stats, win_rate_pct
from paperdesk.config.statistics import ReturnBasis

ZERO = Decimal(0)
CLOSED = ("TP", "SL", "TIMEOUT", "EOD")
OUTCOMES = ("TP", "SL", "TIMEOUT", "EOD", "NO_DATA", "NOT_FILLED")
_STAT_PLACES = 6


@dataclass(frozen=True, slots=True)
class TradeRecord:
    """What the period's figures need of one simulated row (read back from ``sim_trades.csv``,
    so a resumed run and an uninterrupted one compute from the same text)."""

    day: str
    ticker: str
    outcome: str
    qty: Decimal
    entry_price: Decimal | None
    entry_time: datetime | None
    exit_time: datetime | None
    gross_pnl: Decimal | None
    fees: Decimal | None
    pnl: Decimal | None
    resolution: str

    @property
    def closed(self) -> bool:
        return self.outcome in CLOSED

    @classmethod
    def of(cls, day: str, cells: Mapping[str, str]) -> TradeRecord:
        return cls(
            day=day,
            ticker=cells["ticker"],
            outcome=cells["outcome"],
            qty=Decimal(cells["qty"]),
            entry_price=_number(cells["entry_price"]),
            entry_time=_moment(cells["entry_time"]),
            exit_time=_moment(cells["exit_time"]),
            gross_pnl=_number(cells["gross_pnl"]),
            fees=_number(cells["fees"]),
            pnl=_number(cells["pnl"]),
            resolution=cells["resolution"],
        )


@dataclass(frozen=True, slots=True)
class AccountAt:
    """The walk-forward account at an instant: start capital plus the P&L of the trades closed
    by then, and the entry notional of trades still open then."""

    equity: Decimal
    open_exposure: Decimal
    open_trades: int


def account_at(capital: Decimal, trades: Sequence[TradeRecord], moment: datetime) -> AccountAt:
    """The account at ``moment`` from the trades of earlier days: known at that instant (a trade
    closed by then has its P&L; one entered and not closed by then is open)."""
    realised = sum(
        (t.pnl or ZERO for t in trades if t.closed and t.exit_time and t.exit_time <= moment),
        ZERO,
    )
    still_open = [
        t
        for t in trades
        if t.entry_time is not None
        and t.entry_time < moment
        and t.entry_price is not None
        and (t.exit_time is None or t.exit_time > moment)
    ]
    exposure = sum((t.qty * (t.entry_price or ZERO) for t in still_open), ZERO)
    return AccountAt(capital + realised, exposure, len(still_open))


def daily_equity(
    capital: Decimal, trades: Sequence[TradeRecord], closes: Sequence[tuple[str, datetime]]
) -> list[dict[str, str]]:
    """One row per session ``(date, close)``: the equity at its close (closed trades' P&L
    booked at their exit), the day's P&L, and the trades still open."""
    rows: list[dict[str, str]] = []
    previous = capital
    for name, close in closes:
        account = account_at(capital, trades, close)
        rows.append(
            {
                "date": name,
                "close_time": close.isoformat(),
                "equity": format(account.equity, "f"),
                "pnl": format(account.equity - previous, "f"),
                "open_trades": str(account.open_trades),
            }
        )
        previous = account.equity
    return rows


def period_summary(
    capital: Decimal, trades: Sequence[TradeRecord], equity_rows: Sequence[Mapping[str, str]]
) -> dict[str, object]:
    """Trades, P&L, win rate, outcome counts (money exact) and the curve statistics."""
    closed = [t for t in trades if t.closed]
    wins = sum(1 for t in closed if (t.pnl or ZERO) > 0)
    pnl = sum((t.pnl or ZERO for t in closed), ZERO)
    final = Decimal(equity_rows[-1]["equity"]) if equity_rows else capital
    return {
        "rows": len(trades),
        "trades": len(closed),
        "outcomes": {name: sum(1 for t in trades if t.outcome == name) for name in OUTCOMES},
        "wins": wins,
        "losses": sum(1 for t in closed if (t.pnl or ZERO) < 0),
        "win_rate_pct": _rounded(win_rate_pct(wins, len(closed))),
        "gross_pnl": format(sum((t.gross_pnl or ZERO for t in closed), ZERO), "f"),
        "fees": format(sum((t.fees or ZERO for t in closed), ZERO), "f"),
        "pnl": format(pnl, "f"),
        "start_equity": format(capital, "f"),
        "final_equity": format(final, "f"),
        "same_candle": {
            "resolved_lower_timeframe": sum(1 for t in trades if t.resolution == "lower-timeframe"),
            "stop_loss_first": sum(1 for t in trades if t.resolution == "stop-loss-first"),
            "take_profit_first": sum(1 for t in trades if t.resolution == "take-profit-first"),
        },
        **_curve_statistics(capital, closed, equity_rows),
    }


def period_stats(
    capital: Decimal, closed: Sequence[TradeRecord], equity_rows: Sequence[Mapping[str, str]]
) -> Stats | None:
    """Every statistic of the period (``paperdesk.analytics`` on the daily equity: daily
    returns, XNYS sessions a year) from the closed trades and ``daily_equity.csv``'s rows;
    None without any equity row."""
    if not equity_rows:
        return None
    index = pd.DatetimeIndex([pd.Timestamp(row["close_time"]) for row in equity_rows])
    equity = pd.Series([float(row["equity"]) for row in equity_rows], index=index)
    return compute_stats(
        equity,
        [],
        in_market=np.array([int(row["open_trades"]) > 0 for row in equity_rows], dtype=bool),
        start_equity=float(capital),
        ambiguous_bars=0,
        fees=float(sum((t.fees or ZERO for t in closed), ZERO)),
        trade_pnls=np.array([float(t.pnl or ZERO) for t in closed], dtype=np.float64),
        conventions=Conventions(timeframe="1d", calendar="XNYS", returns=ReturnBasis.DAILY),
    )


def _curve_statistics(
    capital: Decimal, closed: Sequence[TradeRecord], equity_rows: Sequence[Mapping[str, str]]
) -> dict[str, object]:
    stats = period_stats(capital, closed, equity_rows)
    if stats is None:
        return {"max_drawdown_pct": None, "cagr_pct": None, "sharpe": None}
    return {
        "max_drawdown_pct": _rounded(stats.max_drawdown_pct),
        "cagr_pct": _rounded(stats.cagr_pct),
        "sharpe": _rounded(stats.sharpe),
        "returns": "daily: the equity at each session close, XNYS sessions a year",
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, _STAT_PLACES)


def _number(text: str) -> Decimal | None:
    return Decimal(text) if text else None


def _moment(text: str) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
