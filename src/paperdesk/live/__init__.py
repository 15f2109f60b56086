"""Live paper trading: persisted portfolios ticked bar by bar through the trading kernel."""

from paperdesk.domain.ticks import BarTick, SignalOutcome, TickStatus
from paperdesk.live.runner import FAILPOINTS, LiveRunner
from paperdesk.live.sources import BarSource, Clock, FixedClock, WallClock

__all__ = [
    "FAILPOINTS",
    "BarSource",
    "BarTick",
    "Clock",
    "FixedClock",
    "LiveRunner",
    "SignalOutcome",
    "TickStatus",
    "WallClock",
]
