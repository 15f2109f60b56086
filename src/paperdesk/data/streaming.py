"""Polling the DataManager for newly closed bars (``DataManager.stream_bars``).

Each poll asks for the bars of every symbol after the last one already yielded; those closed
at the clock's ``now`` come out ordered by close time, then by the order of the symbols. The
sleep between polls is injected, so a test drives a simulated clock from a fake sleep and
nothing really waits.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any

import pandas as pd

from paperdesk.data.bar_convert import bar_at
from paperdesk.data.series import series_key, utc
from paperdesk.domain import Bar, InvalidInputError

GetBars = Callable[[str, str, datetime | None, datetime | None], pd.DataFrame]


async def stream_closed_bars(
    get_bars: GetBars,
    now: Callable[[], datetime],
    symbols: Iterable[str],
    timeframe: str,
    *,
    poll_seconds: float,
    sleep: Callable[[float], Awaitable[Any]],
    since: datetime | None = None,
    until: datetime | None = None,
) -> AsyncIterator[Bar]:
    """Yield each bar closing after ``since`` exactly once, as the clock passes its close."""
    if poll_seconds <= 0:
        raise InvalidInputError(f"poll_seconds must be positive, not {poll_seconds!r}")
    names = list(dict.fromkeys(series_key(symbol, timeframe)[0] for symbol in symbols))
    if not names:
        raise InvalidInputError("stream_bars needs at least one symbol")
    threshold = utc(since if since is not None else now(), "since")
    marks: dict[str, pd.Timestamp | None] = dict.fromkeys(names)
    while True:
        moment = now()
        found: list[tuple[pd.Timestamp, int, Bar]] = []
        for order, name in enumerate(names):
            mark = marks[name]
            frame = get_bars(name, timeframe, None if mark is None else mark.to_pydatetime(), None)
            if frame.empty:
                continue
            closes = pd.DatetimeIndex(frame["ts_close"])
            index = pd.DatetimeIndex(frame.index)
            fresh = closes > threshold
            if mark is not None:
                fresh &= index > mark
            for position in fresh.nonzero()[0].tolist():
                found.append((closes[position], order, bar_at(frame, position)))
        found.sort(key=lambda item: (item[0], item[1]))
        for _, order, bar in found:
            marks[names[order]] = pd.Timestamp(bar.ts_open)
            yield bar
        if until is not None and utc(moment) >= utc(until, "until"):
            return
        await sleep(poll_seconds)
