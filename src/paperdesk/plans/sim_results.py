"""What the plan simulator reports: one ``SimulatedTrade`` per plan row, and their summary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from paperdesk.analytics.stats import win_rate_pct
from paperdesk.domain import Side

ZERO = Decimal(0)


class Outcome(StrEnum):
    """How a planned trade ended (or why it never started)."""

    TAKE_PROFIT = "TP"
    STOP_LOSS = "SL"
    TIMEOUT = "TIMEOUT"  # held for the maximum holding period, closed at a candle's close
    END_OF_DAY = "EOD"  # INTRADAY mode: closed at the close of the session's last candle
    NO_DATA = "NO_DATA"  # no candle to enter on, or the data ends while the trade is open
    NOT_FILLED = "NOT_FILLED"  # the limit entry was never reached in its session


class Resolution(StrEnum):
    """How a candle touching both the stop-loss and the take-profit was decided."""

    NONE = ""  # the exit was not ambiguous
    LOWER_TIMEFRAME = "lower-timeframe"  # the finer bars inside the candle said which came first
    STOP_LOSS_FIRST = "stop-loss-first"  # the conservative rule: the stop-loss traded first
    TAKE_PROFIT_FIRST = "take-profit-first"  # stop_loss_priority off: the optimistic bound


CLOSED = frozenset({Outcome.TAKE_PROFIT, Outcome.STOP_LOSS, Outcome.TIMEOUT, Outcome.END_OF_DAY})


@dataclass(frozen=True, slots=True)
class SimulatedTrade:
    """One plan row simulated. Prices are fill prices (slippage included); ``pnl`` is
    ``gross_pnl`` minus both fees, exact; times are UTC (an exit inside a candle is stamped with
    the candle's open, as the engine stamps fills; a close-based exit with its close). Fields
    after ``reason`` are None when the trade never opened (``NO_DATA``, ``NOT_FILLED``)."""

    row: int
    ticker: str
    side: Side
    qty: Decimal
    outcome: Outcome
    reason: str
    take_profit: Decimal | None = None
    stop_loss: Decimal | None = None
    entry_time: datetime | None = None
    entry_price: Decimal | None = None
    exit_time: datetime | None = None
    exit_price: Decimal | None = None
    entry_fee: Decimal | None = None
    exit_fee: Decimal | None = None
    gross_pnl: Decimal | None = None
    pnl: Decimal | None = None
    hours_held: Decimal | None = None
    ambiguous: bool = False
    resolution: Resolution = Resolution.NONE

    @property
    def fees(self) -> Decimal:
        return (self.entry_fee or ZERO) + (self.exit_fee or ZERO)

    @property
    def closed(self) -> bool:
        return self.outcome in CLOSED


@dataclass(frozen=True, slots=True)
class SimulationSummary:
    """Counts per outcome, P&L and the same-candle bookkeeping of a simulated plan.

    ``win_rate_pct`` is wins over closed trades in percent (a trade with ``pnl > 0`` after
    fees wins), None when nothing closed: the statistics' win rate
    (``analytics.metrics.win_rate_pct``)."""

    rows: int
    outcomes: dict[str, int]
    closed: int
    wins: int
    losses: int
    win_rate_pct: float | None
    gross_pnl: Decimal
    fees: Decimal
    pnl: Decimal
    ambiguous: int
    resolved_lower_timeframe: int
    stop_loss_first: int
    take_profit_first: int

    @classmethod
    def of(cls, trades: Sequence[SimulatedTrade]) -> SimulationSummary:
        closed = [trade for trade in trades if trade.closed]
        wins = sum(1 for trade in closed if (trade.pnl or ZERO) > 0)
        return cls(
            rows=len(trades),
            outcomes={
                outcome.value: sum(1 for trade in trades if trade.outcome is outcome)
                for outcome in Outcome
            },
            closed=len(closed),
            wins=wins,
            losses=sum(1 for trade in closed if (trade.pnl or ZERO) < 0),
            win_rate_pct=win_rate_pct(wins, len(closed)),
            gross_pnl=sum((trade.gross_pnl or ZERO for trade in closed), ZERO),
            fees=sum((trade.fees for trade in closed), ZERO),
            pnl=sum((trade.pnl or ZERO for trade in closed), ZERO),
            ambiguous=sum(1 for trade in trades if trade.ambiguous),
            resolved_lower_timeframe=sum(
                1 for trade in trades if trade.resolution is Resolution.LOWER_TIMEFRAME
            ),
            stop_loss_first=sum(
                1 for trade in trades if trade.resolution is Resolution.STOP_LOSS_FIRST
            ),
            take_profit_first=sum(
                1 for trade in trades if trade.resolution is Resolution.TAKE_PROFIT_FIRST
            ),
        )


@dataclass(frozen=True, slots=True)
class SimulationResult:
    """The simulated trades, in plan order, and their summary."""

    trades: tuple[SimulatedTrade, ...]
    summary: SimulationSummary
