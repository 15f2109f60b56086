"""When the worker next runs a portfolio's round, and which of its symbols it ticks (pure).

* A paced replay (``replay_interval``) is due when its next bar falls due on the replay clock:
  ``replay_started_at + k * replay_interval``, whatever the worker's interval.
* Every other portfolio is due at the next multiple of the worker's interval (counted from
  the epoch, so every worker agrees on the boundaries).

Which symbols a round ticks follows the market calendar: a replay ticks all of them (its
clock is not the market's); otherwise a symbol is ticked while its market is open, on the
first round after it closed, and on every round within ``CLOSE_GRACE`` of the close (so the
session's last bar is traded that evening, not the next morning, even when a live provider
publishes it late); and on a worker's first round of a portfolio, whatever the hour (a worker
started in the evening trades the day's last bar). The runner's exactly-once key makes the
extra ticks harmless: a tick with no new closed bar does nothing. ``is_open(symbol, moment)``
is handed in: this module knows no calendar.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from paperdesk.config import RunConfig, SourceKind

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MICROSECOND = timedelta(microseconds=1)
CLOSE_GRACE = timedelta(minutes=15)  # rounds this long after a close still tick (late bars)

MarketOpen = Callable[[str, datetime], bool]


def next_due(settings: RunConfig, now: datetime, interval: float) -> datetime:
    """When the portfolio's next round is due: strictly after ``now``."""
    source = settings.source
    if (
        source.kind is SourceKind.REPLAY
        and source.replay_interval is not None
        and source.replay_started_at is not None
    ):
        return _next_multiple(source.replay_started_at, source.replay_interval, now)
    return _next_multiple(EPOCH, Decimal(str(interval)), now)


def _next_multiple(origin: datetime, step_seconds: Decimal, now: datetime) -> datetime:
    """The first ``origin + k * step`` strictly after ``now`` (k >= 0), in whole microseconds."""
    step = int(step_seconds * 1_000_000)
    elapsed = (now - origin) // ONE_MICROSECOND
    steps = 0 if elapsed < 0 else elapsed // step + 1
    return origin + steps * step * ONE_MICROSECOND


def due_symbols(
    settings: RunConfig,
    symbols: Sequence[str],
    now: datetime,
    last_round_at: datetime | None,
    is_open: MarketOpen,
) -> list[str]:
    """The symbols this round ticks (see the module docstring)."""
    if settings.source.kind is SourceKind.REPLAY:
        return list(symbols)
    return [
        symbol
        for symbol in symbols
        if last_round_at is None
        or is_open(symbol, now)
        or is_open(symbol, last_round_at)
        or is_open(symbol, now - CLOSE_GRACE)
    ]
