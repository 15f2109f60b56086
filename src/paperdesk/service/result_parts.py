"""The pieces of a result report (issue 13 item 7): one JSON-ready document for a walk-forward
or a backtest, built from the curve, the trades and the statistics the run already has.

Money and prices are exact decimal strings; percentages and ratios are decimal strings rounded
half-up to 6 places, or null when undefined (never a made-up 0); times are ISO-8601 UTC. The
statistics are ``paperdesk.analytics``'s (``Stats``); the drawdown is the performance view's
running peak (``running_drawdowns``) and the monthly returns the performance periods'
(``periods``), so no figure has a second definition here. docs/report.md describes the document.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from paperdesk.service.documents import decimal_text, utc_text
from paperdesk.service.performance_periods import month_of, periods
from paperdesk.service.performance_views import cents, running_drawdowns

if TYPE_CHECKING:
    from paperdesk.analytics.stats import Stats

Document = dict[str, Any]
RESULT_REPORT_FORMAT = "paperdesk.result-report/1"
PLACES = Decimal("0.000001")
CENT = Decimal("0.01")
MOST_BINS = 20
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class CurvePoint:
    """The equity at one instant (a bar's or a session's close)."""

    ts: datetime  # UTC
    equity: Decimal


@dataclass(frozen=True, slots=True)
class ReportTrade:
    """One trade as the report shows it; ``pnl`` None: the row never closed (a walk-forward
    row not filled, or without data)."""

    symbol: str
    side: str  # long or short
    quantity: Decimal
    outcome: str  # TP, SL, TIMEOUT, EOD, SIGNAL... (see docs/report.md)
    entry_time: datetime | None
    exit_time: datetime | None
    entry_price: Decimal | None
    exit_price: Decimal | None
    pnl: Decimal | None
    fees: Decimal | None
    hours_held: Decimal | None
    exit_reason: str = ""

    @property
    def closed(self) -> bool:
        return self.pnl is not None


def percent_text(value: Decimal | None) -> str | None:
    """A percentage or ratio computed exactly, as text rounded half-up to 6 places."""
    if value is None:
        return None
    return decimal_text(value.quantize(PLACES, rounding=ROUND_HALF_UP).normalize() + 0)


def statistic_text(value: float | None) -> str | None:
    """An analytics figure (a float) as text rounded half-up to 6 places; None (undefined,
    not finite) stays null."""
    if value is None or not math.isfinite(value):
        return None
    return percent_text(Decimal(repr(value)))


def money_statistic(value: float | None) -> str | None:
    """An analytics figure measured in money (a float) at the cent, as the API shows it."""
    if value is None or not math.isfinite(value):
        return None
    return decimal_text(cents(value))


def optional_text(value: Decimal | None) -> str | None:
    return None if value is None else decimal_text(value)


def optional_time(value: datetime | None) -> str | None:
    return None if value is None else utc_text(value)


def equity_document(points: Sequence[CurvePoint], start_equity: Decimal) -> list[Document]:
    """Each point with its running peak (the starting equity is the first one) and the
    drawdown below it in percent (zero or negative; null below a peak at or under zero)."""
    found = running_drawdowns((p.equity for p in points), start_equity)
    return [
        {
            "time": utc_text(point.ts),
            "equity": decimal_text(point.equity),
            "peak": decimal_text(peak),
            "drawdown": percent_text(drawdown / peak * 100) if peak > 0 else None,
        }
        for point, (peak, drawdown) in zip(points, found, strict=True)
    ]


def monthly_returns(points: Sequence[CurvePoint], start_equity: Decimal) -> list[Document]:
    """Each UTC calendar month of the curve: its return in percent from the last equity
    before it (the starting equity before the first point) and its P&L, exact."""
    months = periods(points, start_equity, month_of)
    return [
        {
            "month": month.label,
            "return": percent_text(month.pnl / month.start_equity * 100)
            if month.start_equity > 0
            else None,
            "pnl": decimal_text(month.pnl),
            "start_equity": decimal_text(month.start_equity),
            "end_equity": decimal_text(month.end_equity),
        }
        for month in months
    ]


def pnl_distribution(pnls: Sequence[Decimal], most_bins: int = MOST_BINS) -> list[Document]:
    """The closed trades' P&L in equal bins from the lowest (rounded down to the cent) to the
    highest (about the square root of the count, at most ``most_bins``; the width rounded up
    to the cent). A bin holds
    ``low <= pnl < high``; the last one also its ``high``. One bin when every P&L is equal."""
    if not pnls:
        return []
    low, high = min(pnls), max(pnls)
    if low == high:
        return [{"low": decimal_text(low), "high": decimal_text(high), "count": len(pnls)}]
    low = low.quantize(CENT, rounding=ROUND_FLOOR)  # edges at whole cents
    bins = max(1, min(most_bins, math.ceil(math.sqrt(len(pnls)))))
    width = max(((high - low) / bins).quantize(CENT, rounding=ROUND_CEILING), CENT)
    bins = min(bins, int((high - low) // width) + 1)
    counts = [0] * bins
    for pnl in pnls:
        counts[min(int((pnl - low) // width), bins - 1)] += 1
    return [
        {
            "low": decimal_text(low + index * width),
            "high": decimal_text(low + (index + 1) * width),
            "count": count,
        }
        for index, count in enumerate(counts)
    ]


def outcome_counts(trades: Iterable[ReportTrade], known: Sequence[str]) -> dict[str, int]:
    """How many trades ended each way: every ``known`` outcome (zero when none), then any
    other in the order met."""
    counts = dict.fromkeys(known, 0)
    for trade in trades:
        counts[trade.outcome] = counts.get(trade.outcome, 0) + 1
    return counts


def trade_document(trade: ReportTrade) -> Document:
    return {
        "symbol": trade.symbol,
        "side": trade.side,
        "entry_time": optional_time(trade.entry_time),
        "exit_time": optional_time(trade.exit_time),
        "entry_price": optional_text(trade.entry_price),
        "exit_price": optional_text(trade.exit_price),
        "quantity": decimal_text(trade.quantity),
        "pnl": optional_text(trade.pnl),
        "fees": optional_text(trade.fees),
        "outcome": trade.outcome,
        "exit_reason": trade.exit_reason,
        "hours_held": optional_text(trade.hours_held),
    }


def hours_between(entry: datetime | None, exit_time: datetime | None) -> Decimal | None:
    """Hours from entry to exit, to 0.01 hour."""
    if entry is None or exit_time is None:
        return None
    seconds = Decimal(int((exit_time - entry).total_seconds()))
    return (seconds / 3600).quantize(CENT, rounding=ROUND_HALF_UP)


def summary_document(
    stats: Stats | None,
    trades: Sequence[ReportTrade],
    outcomes: Mapping[str, int],
    start_equity: Decimal,
    final_equity: Decimal,
) -> Document:
    """Every summary figure: the trade counts and money exact from the trades, the curve and
    trade statistics from ``paperdesk.analytics`` (null when undefined)."""
    closed = [t for t in trades if t.pnl is not None]
    pnls = [t.pnl for t in closed if t.pnl is not None]
    total = sum(pnls, ZERO)
    fees = sum((t.fees or ZERO for t in closed), ZERO)
    total_return = (final_equity / start_equity - 1) * 100 if start_equity > 0 else None

    def figure(name: str) -> str | None:
        return None if stats is None else statistic_text(getattr(stats, name))

    def money(name: str) -> str | None:
        return None if stats is None else money_statistic(getattr(stats, name))

    return {
        "trades": len(closed),
        "rows": len(trades),
        "wins": sum(1 for pnl in pnls if pnl > 0),
        "losses": sum(1 for pnl in pnls if pnl < 0),
        "win_rate_pct": figure("win_rate_pct"),
        "pnl": decimal_text(total),
        "gross_pnl": decimal_text(total + fees),
        "fees": decimal_text(fees),
        "start_equity": decimal_text(start_equity),
        "final_equity": decimal_text(final_equity),
        "total_return_pct": percent_text(total_return),
        "max_drawdown_pct": figure("max_drawdown_pct"),
        "max_drawdown_duration_days": figure("max_drawdown_duration_days"),
        "cagr_pct": figure("cagr_pct"),
        "sharpe": figure("sharpe"),
        "sortino": figure("sortino"),
        "volatility_pct": figure("volatility_pct"),
        "profit_factor": figure("profit_factor"),
        "exposure_pct": figure("exposure_pct"),
        "best_trade": optional_text(max(pnls)) if pnls else None,
        "worst_trade": optional_text(min(pnls)) if pnls else None,
        "average_win": money("average_win"),
        "average_loss": money("average_loss"),
        "expectancy": money("expectancy"),
        "take_profit": outcomes.get("TP", 0),
        "stop_loss": outcomes.get("SL", 0),
        "timeout": outcomes.get("TIMEOUT", 0),
    }


def result_document(
    *,
    kind: str,
    title: str,
    start: datetime,
    end: datetime,
    stats: Stats | None,
    points: Sequence[CurvePoint],
    trades: Sequence[ReportTrade],
    known_outcomes: Sequence[str],
    start_equity: Decimal,
    final_equity: Decimal,
    details: Document,
    warnings: Sequence[str] = (),
) -> Document:
    """The whole document (its shape in docs/report.md)."""
    outcomes = outcome_counts(trades, known_outcomes)
    return {
        "format": RESULT_REPORT_FORMAT,
        "kind": kind,
        "title": title,
        "period": {"start": utc_text(start), "end": utc_text(end)},
        "details": details,
        "warnings": list(warnings),
        "summary": summary_document(stats, trades, outcomes, start_equity, final_equity),
        "equity": equity_document(points, start_equity),
        "monthly_returns": monthly_returns(points, start_equity),
        "trades": [trade_document(trade) for trade in trades],
        "pnl_distribution": pnl_distribution([t.pnl for t in trades if t.pnl is not None]),
        "outcomes": outcomes,
    }


def as_utc(moment: datetime) -> datetime:
    """A time in UTC (naive times are taken to be UTC already)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


__all__ = [
    "RESULT_REPORT_FORMAT",
    "CurvePoint",
    "Document",
    "ReportTrade",
    "as_utc",
    "equity_document",
    "hours_between",
    "monthly_returns",
    "outcome_counts",
    "pnl_distribution",
    "result_document",
    "statistic_text",
    "summary_document",
    "trade_document",
]
