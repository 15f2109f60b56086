"""Deciding a candle that touched both the stop-loss and the take-profit from the finer bars
inside it (minute bars inside an hourly candle): the first finer bar that touches a level says
which traded first.

The finer bars are read at their trade prices (a quote is dropped): the candle being resolved is
a trade candle, and the question is which level trading reached first. A finer bar that touches
both levels is as ambiguous as the candle, and finer bars that touch neither level (a gap in
the data, a candle built from other trades) leave the candle undecided; both fall back to the
stop-loss-first rule, with the reason said.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from paperdesk.domain import Bar, Side
from paperdesk.execution import BracketExit, bracket_exit


@dataclass(frozen=True, slots=True)
class BarSeries:
    """One ticker's bars (candles, or the finer bars under them), oldest first, with their
    open times for lookups."""

    bars: Sequence[Bar]
    opens: Sequence[datetime]

    @classmethod
    def of(cls, bars: Sequence[Bar]) -> BarSeries:
        return cls(bars, [bar.ts_open for bar in bars])

    def first_at_or_after(self, moment: datetime) -> int:
        """The index of the first bar opening at or after ``moment`` (``len`` when none)."""
        return bisect_left(self.opens, moment)

    def inside(self, candle: Bar) -> list[Bar]:
        """The finer bars lying wholly inside ``candle``'s interval."""
        start = self.first_at_or_after(candle.ts_open)
        found: list[Bar] = []
        for bar in self.bars[start:]:
            if bar.ts_open >= candle.ts_close:
                break
            if bar.ts_close <= candle.ts_close:
                found.append(bar)
        return found


@dataclass(frozen=True, slots=True)
class SameCandleDecision:
    """The exit the finer bars decided (and the bar it happened in), or None with the reason
    the candle stays undecided."""

    exit: BracketExit | None
    bar: Bar | None
    detail: str


def decide_from_finer_bars(
    candle: Bar,
    finer: BarSeries,
    exit_side: Side,
    stop_loss: Decimal | None,
    take_profit: Decimal | None,
    target_prices: Callable[[Bar], Bar] | None = None,
) -> SameCandleDecision:
    """Walk the finer bars inside ``candle`` with the engine's bracket rule (``target_prices``:
    the prices the take-profit trades at on a finer bar, under a spread its bid or ask)."""
    inside = finer.inside(candle)
    if not inside:
        return SameCandleDecision(None, None, "no finer bars inside the candle")
    for bar in inside:
        traded = bar if bar.quote is None else bar._replace(quote=None)
        target = None if target_prices is None else target_prices(traded)
        decided = bracket_exit(
            exit_side, stop_loss, take_profit, traded, None if target is traded else target
        )
        if decided is None:
            continue
        if decided.ambiguous:
            return SameCandleDecision(
                None, bar, f"both levels inside the {bar.timeframe} bar at {bar.ts_open:%H:%M}Z too"
            )
        return SameCandleDecision(
            decided, traded, f"{bar.timeframe} bar at {bar.ts_open:%H:%M}Z reached it first"
        )
    return SameCandleDecision(
        None, None, f"the {len(inside)} finer bars inside the candle reach neither level"
    )
