"""Live paper trading: persisted portfolios ticked candle by candle through the trading kernel."""

from paperdesk.domain.ticks import CandleTick, SignalOutcome, TickStatus
from paperdesk.live.runner import FAILPOINTS, LiveRunner
from paperdesk.live.sources import CandleSource, Clock, FixedClock, WallClock

__all__ = [
    "FAILPOINTS",
    "CandleSource",
    "CandleTick",
    "Clock",
    "FixedClock",
    "LiveRunner",
    "SignalOutcome",
    "TickStatus",
    "WallClock",
]
