"""A portfolio's P&L by period, exact: the total since it opened, the last trading day's, each
calendar month's, and the total pips of its forex round trips. The dashboard shows these next
to the statistics; they are differences of equity snapshots (Decimal), not float analytics.

Periods are UTC calendar days and months of the snapshots' time stamps (market time: a replay's
"day" is the replayed day, not today's date on the wall clock). A period starts from the last
equity before it (the starting cash before the first snapshot).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Protocol, TypeVar

from paperdesk.domain import Side
from paperdesk.domain.portfolio import Trade
from paperdesk.domain.records import EquityView

if TYPE_CHECKING:
    from paperdesk.config.run import RunConfig

PERCENT_PLACES = Decimal("0.000001")  # as ``--json`` rounds the statistics


class Snapshot(Protocol):
    """What a period needs of an equity snapshot (a ledger ``EquityView``, a point of a
    backtest's or a walk-forward's curve)."""

    @property
    def ts(self) -> datetime: ...

    @property
    def equity(self) -> Decimal: ...


Point = TypeVar("Point", bound=Snapshot)


@dataclass(frozen=True, slots=True)
class PeriodPnl:
    """Equity at the start and end of a period (``label``: ``2020-01`` or ``2020-01-15``)."""

    label: str
    start_equity: Decimal
    end_equity: Decimal

    @property
    def pnl(self) -> Decimal:
        return self.end_equity - self.start_equity

    @property
    def return_pct(self) -> float | None:
        """The P&L in percent of the start, rounded half-up to 6 places (None from a start
        at or below zero, where a percentage means nothing)."""
        if self.start_equity <= 0:
            return None
        percent = self.pnl / self.start_equity * 100
        return float(percent.quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP))


@dataclass(frozen=True, slots=True)
class PerformanceBreakdown:
    total: PeriodPnl  # from the starting cash to the last equity
    day: PeriodPnl | None  # the last snapshot's UTC day; None before the first snapshot
    months: tuple[PeriodPnl, ...]  # oldest first
    total_pips: Decimal | None  # None before the first forex round trip


def periods(
    equity: Sequence[Point], starting_cash: Decimal, label: Callable[[Point], str]
) -> list[PeriodPnl]:
    """Consecutive periods named by ``label`` (snapshots in time order): each starts at the
    previous period's last equity and ends at its own last one."""
    result: list[PeriodPnl] = []
    start = starting_cash
    current: str | None = None
    end = starting_cash
    for snapshot in equity:
        name = label(snapshot)
        if current is not None and name != current:
            result.append(PeriodPnl(current, start, end))
            start = end
        current = name
        end = snapshot.equity
    if current is not None:
        result.append(PeriodPnl(current, start, end))
    return result


def month_of(snapshot: Snapshot) -> str:
    return snapshot.ts.strftime("%Y-%m")


def day_of(snapshot: Snapshot) -> str:
    return snapshot.ts.strftime("%Y-%m-%d")


def trade_pips(trade: Trade, pip_size: Decimal) -> Decimal:
    """A round trip's price move in pips, signed by its direction (a winning short is
    positive)."""
    move = trade.exit_price - trade.entry_price
    if trade.side is Side.SELL:
        move = -move
    return move / pip_size


def total_pips(
    trades: Sequence[Trade], pip_size_of: Callable[[str], Decimal | None]
) -> Decimal | None:
    """The pips of every forex round trip; None before the first one (undefined)."""
    moves = []
    for trade in trades:
        size = pip_size_of(trade.symbol)
        if size is not None:
            moves.append(trade_pips(trade, size))
    return sum(moves, Decimal(0)) if moves else None


def breakdown(
    equity: Sequence[EquityView],
    trades: Sequence[Trade],
    starting_cash: Decimal,
    pip_size_of: Callable[[str], Decimal | None],
) -> PerformanceBreakdown:
    """The total, the last day's and each month's P&L, and the forex pips."""
    final = equity[-1].equity if equity else starting_cash
    days = periods(equity, starting_cash, day_of)
    return PerformanceBreakdown(
        total=PeriodPnl("total", starting_cash, final),
        day=days[-1] if days else None,
        months=tuple(periods(equity, starting_cash, month_of)),
        total_pips=total_pips(trades, pip_size_of),
    )


def forex_pip(settings: RunConfig, symbol: str) -> Decimal | None:
    """The pip size of ``symbol`` if the portfolio trades it as forex (the asset class it was
    told, else the symbol table's or the series'), else None."""
    from paperdesk.data.instruments import instrument_for
    from paperdesk.domain import AssetClass, PaperdeskError

    try:
        instrument = instrument_for(symbol, settings.source.asset_class_of(symbol))
    except PaperdeskError:  # a symbol whose class cannot be told is not counted in pips
        return None
    return instrument.pip_size if instrument.asset_class is AssetClass.FOREX else None


__all__ = [
    "PerformanceBreakdown",
    "PeriodPnl",
    "Snapshot",
    "breakdown",
    "day_of",
    "forex_pip",
    "month_of",
    "periods",
    "total_pips",
    "trade_pips",
]
