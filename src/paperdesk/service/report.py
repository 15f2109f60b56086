"""The static report of one portfolio (seed 002's trade monitor) as one JSON-ready document.

Every number comes from the functions the API's endpoints use (``show`` for the summary and
positions, ``fills``, ``trades``, ``equity_curve`` with ``drawdown_curve``, ``performance``
with ``statistics_document``), so the report and the API cannot disagree: money is the exact
decimal text of the ledger's Decimal, statistics are the API's (undefined ones ``None``, shown
as "—", never 0). The two figures the API has no endpoint for are defined here: today's P&L
and a forex portfolio's total pips (see ``todays_pnl`` and ``trade_pips``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from paperdesk.domain import AssetClass, Instrument, PaperdeskError, Side, Trade
from paperdesk.domain.pnl import RealizedPnl
from paperdesk.service.documents import decimal_text, utc_text
from paperdesk.service.paper_documents import fill_document, position_document, summary_document
from paperdesk.service.performance_views import (
    DrawdownPoint,
    drawdown_curve,
    statistics_document,
)
from paperdesk.service.views import EquityView

if TYPE_CHECKING:
    from paperdesk.config import RunConfig
    from paperdesk.service.portfolios import PortfolioService

REPORT_FORMAT = "paperdesk.report/1"
LAST_FILLS = 20  # seed 002's monitor shows the 20 most recent fills
Document = dict[str, Any]


def portfolio_report(
    service: PortfolioService, portfolio_id: int, *, last_fills: int = LAST_FILLS
) -> Document:
    """The report of ``portfolio_id`` (an unknown id raises ``UnknownNameError``, naming it)."""
    detail = service.show(portfolio_id)
    summary = detail.summary
    equity = service.equity_curve(portfolio_id)
    statistics = statistics_document(service.performance(portfolio_id)) if equity else None
    fills = service.fills(portfolio_id)
    trades = service.trades(portfolio_id)
    forex = forex_instruments(
        detail.settings, [*detail.settings.symbols, *(t.symbol for t in trades)]
    )
    today, day = todays_pnl(summary.equity, equity, summary.starting_cash)
    pips = total_pips(trades, forex) if forex else None
    realized = summary.realized
    kpis: Document = {
        "equity": decimal_text(summary.equity),
        "cash": decimal_text(summary.cash),
        "unrealized_pnl": decimal_text(summary.unrealized_pnl),
        "realized_pnl": decimal_text(realized.net),
        "realized_pnl_gross": decimal_text(realized.gross),
        "fees_paid": decimal_text(realized.fees),
        "todays_pnl": None if today is None else decimal_text(today),
        "today": None if day is None else day.isoformat(),
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


def todays_pnl(
    equity_now: Decimal, curve: Sequence[EquityView], starting_cash: Decimal
) -> tuple[Decimal | None, date | None]:
    """Equity now minus the equity at the end of the previous day, and which day "today" is.

    "Today" is the UTC date of the newest equity snapshot (a replayed portfolio's market day,
    not the wall clock's); the previous day's end is the last snapshot before that date, or the
    starting cash when the portfolio had none. Before any snapshot it is undefined (None)."""
    if not curve:
        return None, None
    day = _utc_date(max(snapshot.ts for snapshot in curve))
    earlier = [s for s in curve if _utc_date(s.ts) < day]
    base = max(earlier, key=lambda s: s.ts).equity if earlier else starting_cash
    return equity_now - base, day


def _utc_date(moment: datetime) -> date:
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return aware.date()


def forex_instruments(settings: RunConfig, symbols: Sequence[str]) -> dict[str, Instrument]:
    """The forex pairs among ``symbols``, as the portfolio trades them (its asset classes)."""
    from paperdesk.data.instruments import instrument_for

    found: dict[str, Instrument] = {}
    for symbol in dict.fromkeys(s.strip().upper() for s in symbols):
        try:
            instrument = instrument_for(symbol, settings.source.asset_class_of(symbol))
        except PaperdeskError:  # a symbol whose class cannot be told is not shown in pips
            continue
        if instrument.asset_class is AssetClass.FOREX and instrument.pip_size:
            found[symbol] = instrument
    return found


def trade_pips(trade: Trade, instrument: Instrument) -> Decimal:
    """How many pips a round trip's price moved in its favour: (exit - entry) / pip for a
    long trade, (entry - exit) / pip for a short one (before fees, which are money)."""
    assert instrument.pip_size is not None
    move = trade.exit_price - trade.entry_price
    return (move if trade.side is Side.BUY else -move) / instrument.pip_size


def total_pips(trades: Sequence[Trade], forex: dict[str, Instrument]) -> Decimal | None:
    """The pips of every closed forex round trip (None before the first one: undefined)."""
    moves = [trade_pips(t, forex[t.symbol]) for t in trades if t.symbol in forex]
    return sum(moves, Decimal(0)) if moves else None


def trade_summary(trades: Sequence[Trade], forex: dict[str, Instrument]) -> Document:
    """Closed round trips: how many, won and lost (net of fees), their gross, fees and net,
    the best and the worst (None without trades), and the pips of the forex ones."""
    realized = RealizedPnl.of_trades(trades)
    pips = total_pips(trades, forex)
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
    "forex_instruments",
    "portfolio_report",
    "todays_pnl",
    "total_pips",
    "trade_pips",
    "trade_summary",
]
