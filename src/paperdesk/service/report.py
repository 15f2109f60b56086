"""The static report of one portfolio (seed 002's trade monitor) as one JSON-ready document.

Every number comes from the functions the API's endpoints use (``show`` for the summary and
positions, ``fills``, ``trades``, ``equity_curve`` with ``drawdown_curve``, ``performance``
with ``statistics_document``), so the report and the API cannot disagree: money is the exact
decimal text of the ledger's Decimal, statistics are the API's (undefined ones ``None``, shown
as "—", never 0). Today's P&L and the forex pips are the performance endpoint's ``breakdown``
(``performance_periods``), so the report and the dashboard's cards agree to the cent.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from paperdesk.domain import Trade
from paperdesk.domain.pnl import RealizedPnl
from paperdesk.service.documents import decimal_text, utc_text
from paperdesk.service.paper_documents import fill_document, position_document, summary_document
from paperdesk.service.performance_periods import breakdown, forex_pip, total_pips
from paperdesk.service.performance_views import (
    DrawdownPoint,
    drawdown_curve,
    statistics_document,
)

if TYPE_CHECKING:
    from paperdesk.service.portfolios import PortfolioService

REPORT_FORMAT = "paperdesk.report/1"
LAST_FILLS = 20  # seed 002's monitor shows the 20 most recent fills
Document = dict[str, Any]


def portfolio_report(
    service: PortfolioService, portfolio_id: int, *, last_fills: int = LAST_FILLS
) -> Document:
    """The report of ``portfolio_id`` (an unknown id raises ``UnknownNameError``, naming it)."""
    snapshot = service.performance_snapshot(portfolio_id, with_fills=True)  # one read
    detail = snapshot.detail
    summary = detail.summary
    equity = snapshot.equity
    statistics = None if snapshot.statistics is None else statistics_document(snapshot.statistics)
    fills = snapshot.fills
    trades = snapshot.trades
    symbols = dict.fromkeys([*detail.settings.symbols, *(t.symbol for t in trades)])
    pip_sizes = {symbol: forex_pip(detail.settings, symbol) for symbol in symbols}
    forex = {symbol: size for symbol, size in pip_sizes.items() if size is not None}
    periods = breakdown(equity, trades, summary.starting_cash, forex.get)
    pips = periods.total_pips if forex else None
    day = periods.day
    realized = summary.realized
    kpis: Document = {
        "equity": decimal_text(summary.equity),
        "cash": decimal_text(summary.cash),
        "unrealized_pnl": decimal_text(summary.unrealized_pnl),
        "realized_pnl": decimal_text(realized.net),
        "realized_pnl_gross": decimal_text(realized.gross),
        "fees_paid": decimal_text(realized.fees),
        "todays_pnl": None if day is None else decimal_text(day.pnl),
        "today": None if day is None else day.label,
        "total_pnl": decimal_text(summary.total_pnl),
        "win_rate_pct": _statistic(statistics, "win_rate_pct"),
        "profit_factor": _statistic(statistics, "profit_factor"),
        "max_drawdown_pct": _statistic(statistics, "max_drawdown_pct"),
        "sharpe": _statistic(statistics, "sharpe"),
        "total_pips": None if pips is None else decimal_text(pips),
    }
    return {
        "format": REPORT_FORMAT,
        "generated_at": utc_text(service.clock.now()),
        "portfolio": summary_document(summary),
        "forex": bool(forex),
        "kpis": kpis,
        "statistics": statistics,
        "positions": [position_document(p) for p in detail.positions],
        "fills": [fill_document(f) for f in reversed(fills[max(len(fills) - last_fills, 0) :])],
        "fill_count": len(fills),
        "trades": trade_summary(trades, forex),
        "equity_curve": [_curve_point(point) for point in drawdown_curve(equity)],
    }


def _statistic(statistics: Document | None, name: str) -> Any:
    return None if statistics is None else statistics.get(name)


def _curve_point(point: DrawdownPoint) -> Document:
    """One point as the performance endpoint gives it (exact money, the drawdown in percent)."""
    snapshot = point.snapshot
    return {
        "ts": utc_text(snapshot.ts),
        "equity": decimal_text(snapshot.equity),
        "cash": decimal_text(snapshot.cash),
        "peak": decimal_text(point.peak),
        "drawdown": decimal_text(point.drawdown),
        "drawdown_pct": point.drawdown_pct,
    }


def trade_summary(trades: Sequence[Trade], forex: dict[str, Decimal]) -> Document:
    """Closed round trips: how many, won and lost (net of fees), their gross, fees and net,
    the best and the worst (None without trades), and the pips of the forex ones."""
    realized = RealizedPnl.of_trades(trades)
    pips = total_pips(trades, forex.get)
    return {
        "count": len(trades),
        "wins": sum(1 for t in trades if t.pnl > 0),
        "losses": sum(1 for t in trades if t.pnl < 0),
        "gross_pnl": decimal_text(realized.gross),
        "fees": decimal_text(realized.fees),
        "net_pnl": decimal_text(realized.net),
        "best": decimal_text(max(t.pnl for t in trades)) if trades else None,
        "worst": decimal_text(min(t.pnl for t in trades)) if trades else None,
        "total_pips": None if pips is None else decimal_text(pips),
    }


__all__ = [
    "LAST_FILLS",
    "REPORT_FORMAT",
    "portfolio_report",
    "trade_summary",
]
