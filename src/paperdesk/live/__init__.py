"""Live paper trading: persisted portfolios ticked bar by bar through the trading kernel.

The exports load on first use (``paperdesk._lazy``): a read command that lists portfolios does
not import the runner, the DataManager or pandas.
"""

from typing import TYPE_CHECKING

from paperdesk._lazy import lazy_exports

if TYPE_CHECKING:
    from paperdesk.domain.ticks import BarTick, SignalOutcome, TickStatus
    from paperdesk.live.runner import FAILPOINTS, LiveRunner
    from paperdesk.live.sources import BarSource, Clock, FixedClock, WallClock

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "paperdesk.domain.ticks": ("BarTick", "SignalOutcome", "TickStatus"),
        "paperdesk.live.runner": ("FAILPOINTS", "LiveRunner"),
        "paperdesk.live.sources": ("BarSource", "Clock", "FixedClock", "WallClock"),
    },
)

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
