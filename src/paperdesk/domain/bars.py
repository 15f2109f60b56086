"""Bars and timeframes. A bar is visible only once it has closed, at ``ts_close``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from paperdesk.domain.bar_rule import bar_problems
from paperdesk.domain.errors import InvalidInputError
from paperdesk.domain.quotes import Quote

_TIMEFRAME = re.compile(r"^(\d+)(m|h|d|w|mo)$")
_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "mo": 30 * 86400}


@dataclass(frozen=True, slots=True)
class Timeframe:
    """A bar length such as ``1m``, ``5m``, ``1h``, ``1d``, ``1w`` or ``1mo``."""

    count: int
    unit: str

    @classmethod
    def parse(cls, text: str) -> Timeframe:
        match = _TIMEFRAME.match(text.strip().lower())
        if not match or int(match.group(1)) <= 0:
            raise InvalidInputError(
                f"timeframe {text!r} is not valid; expected a count and a unit such as "
                "1m, 5m, 1h, 1d, 1w or 1mo"
            )
        return cls(int(match.group(1)), match.group(2))

    @property
    def seconds(self) -> int:
        """Nominal length (a month counts as 30 days)."""
        return self.count * _UNIT_SECONDS[self.unit]

    @property
    def delta(self) -> timedelta:
        return timedelta(seconds=self.seconds)

    @property
    def is_intraday(self) -> bool:
        return self.seconds < 86400

    def __str__(self) -> str:
        return f"{self.count}{self.unit}"


class _BarFields(NamedTuple):
    symbol: str
    timeframe: str
    ts_open: datetime
    ts_close: datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    quote: Quote | None = None  # bid/ask OHLC and sizes, when the data has them


class Bar(_BarFields):
    """One OHLCV bar of ``symbol``; prices exact, times timezone-aware UTC.

    The constructor checks ``paperdesk.domain.bar_rule``; ``Bar._make`` skips that for bars
    already checked (a frame checked as a whole, see ``paperdesk.data.bar_convert``). A bar may
    carry the bid and ask of its interval (``quote``, checked by ``Quote``); most data has none.
    """

    __slots__ = ()

    def __new__(
        cls,
        symbol: str,
        timeframe: str,
        ts_open: datetime,
        ts_close: datetime,
        open: Decimal,
        high: Decimal,
        low: Decimal,
        close: Decimal,
        volume: Decimal,
        quote: Quote | None = None,
    ) -> Bar:
        if ts_open.tzinfo is None or ts_close.tzinfo is None:
            raise InvalidInputError(f"bar times must be timezone-aware UTC, got {ts_open!r}")
        problems = bar_problems(open, high, low, close, volume, ts_open, ts_close)
        if problems:
            raise InvalidInputError(
                f"bar {symbol} {timeframe} at {ts_open.isoformat()}: "
                + "; ".join(problem.reason for problem in problems)
            )
        return super().__new__(
            cls, symbol, timeframe, ts_open, ts_close, open, high, low, close, volume, quote
        )
