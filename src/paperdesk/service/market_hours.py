"""The "market closed" refusal of an order that must execute now (IOC, FOK), in one place for
every door an order comes in by (REST, the Alpaca-compatible endpoint, the CLI, trade plans).

Why only IOC and FOK: in this engine an order trades from the first bar opening at or after
its placement (``execution.book``), and an IOC or FOK order that does not trade on that bar is
canceled. While the symbol's market is closed that first bar is the next session's first one,
hours or days away: "immediate" would silently mean "at the next open", which no broker does.
So they are refused, naming the next open. DAY and GTC orders are accepted and wait for the
open, as brokers queue them (a DAY order then lives until that session's close).

Why only portfolios with intraday bars: a daily (or longer) bar is a whole session, and the
clock of such a portfolio always stands between sessions (a replay's clock is its last bar's
close, which is outside the session by definition). There IOC already means "the next
session's bar, or cancel", the only "now" a daily portfolio has; refusing it would make IOC
unusable on every daily portfolio, so those are accepted as before.

The hours are the instrument's calendar (``data.calendars``: XNYS with its holidays and early
closes, the FX week, 24/7 for crypto, which is never closed); a portfolio trading the
extended session (``session = extended``) is open 04:00-20:00 New York on XNYS trade dates
(``data.sessions.extended_hours``). The time checked is the portfolio's clock: the service's
clock, or a replay's position.

Why a cache: building the session table (exchange_calendars' schedule slice, or the FX week's
rows, widened for the extended hours) cost 0.4 ms of CPU a check on XNYS and 1.1 ms on FX. A
calendar's sessions never change while a process runs, so the table of each UTC day range is
kept (bounded, ``functools.lru_cache``, which is thread-safe for the API's request threads) as
two arrays of nanoseconds, and a check is two comparisons over about fifteen rows.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from paperdesk.domain import Timeframe, TimeInForce
from paperdesk.routing import OrderRefusedError

if TYPE_CHECKING:  # numpy is loaded by the first check, not by importing the desk
    import numpy as np

MARKET_CLOSED = "market_closed"
IMMEDIATE = frozenset({TimeInForce.IOC, TimeInForce.FOK})
# Sessions searched ahead for the next open (longer than any exchange's closure run).
LOOK_AHEAD = timedelta(days=14)
_ONE_DAY = timedelta(days=1)
# Session tables kept: one per (calendar, extended, UTC day range); a day range serves every
# check of its UTC day, so 256 cover months of a replay's days for the three calendars.
SESSION_TABLES_KEPT = 256
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class MarketClosedError(OrderRefusedError):
    """An IOC or FOK order placed while its symbol's market is closed (409 ``market_closed``)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, MARKET_CLOSED)


class MarketHours(NamedTuple):
    """A market's state at one time: open or not, its next open (None: none within
    ``LOOK_AHEAD``), and whether its sessions are the extended hours."""

    is_open: bool
    next_open: datetime | None
    extended: bool


def check_market_open(
    symbol: str,
    time_in_force: TimeInForce,
    *,
    calendar: str,
    timeframe: str,
    extended: bool,
    at: datetime,
) -> None:
    """Refuse an order of ``time_in_force`` that must execute now while ``symbol``'s market
    (``calendar``) is closed at ``at``, on a portfolio of ``timeframe`` bars (see the module's
    docstring for which orders and portfolios the rule spares)."""
    if time_in_force not in IMMEDIATE or not Timeframe.parse(timeframe).is_intraday:
        return
    hours = market_hours(calendar, extended, at)
    if hours is None or hours.is_open:
        return
    which = " (extended hours, 04:00-20:00 New York)" if hours.extended else ""
    when = "no session in the next 14 days" if hours.next_open is None else _utc(hours.next_open)
    raise MarketClosedError(
        f"the market of {symbol} is closed: its {calendar} calendar{which} has no session at "
        f"{_utc(at)} (the portfolio's clock); it next opens at {when}. An "
        f"{time_in_force.value} order must execute on the next bar, which comes only at the "
        "open: place it while the market is open, or send a day or gtc order, which waits "
        "for the open"
    )


def is_closed(calendar: str, extended: bool, at: datetime) -> bool:
    """Whether ``calendar``'s market (its extended hours when ``extended``) has no session at
    ``at``; a 24/7 market never is."""
    hours = market_hours(calendar, extended, at)
    return hours is not None and not hours.is_open


def market_hours(calendar: str, extended: bool, at: datetime) -> MarketHours | None:
    """The state of ``calendar``'s market at ``at`` (the extended hours when ``extended`` and
    the calendar is XNYS); None for a calendar that is never closed (24/7)."""
    from paperdesk.data.calendars import AlwaysOpenCalendar, market_calendar
    from paperdesk.data.sessions import JUDGED_CALENDAR

    market = market_calendar(calendar)
    if isinstance(market, AlwaysOpenCalendar):
        return None
    name = market.name
    widened = extended and name == JUDGED_CALENDAR
    moment = at.astimezone(UTC)
    opens, closes, open_times = session_table(
        name, widened, (moment - _ONE_DAY).date(), (moment + LOOK_AHEAD).date()
    )
    nanoseconds = _nanoseconds(moment)
    inside = bool(((opens <= nanoseconds) & (nanoseconds < closes)).any())
    later = opens > nanoseconds
    next_open = open_times[int(later.argmax())] if later.any() else None
    return MarketHours(inside, next_open, widened)


@functools.lru_cache(maxsize=SESSION_TABLES_KEPT)
def session_table(
    name: str, widened: bool, first: date, last: date
) -> tuple[np.ndarray, np.ndarray, tuple[datetime, ...]]:
    """The sessions of calendar ``name`` (canonical) whose trade date is in ``[first, last]``,
    widened to the extended hours when ``widened``: opens and closes in UTC nanoseconds
    (read-only arrays, shared by threads) and the opens as aware datetimes. Kept, since a
    calendar's sessions never change while a process runs."""
    import pandas as pd

    from paperdesk.data.calendars import market_calendar
    from paperdesk.data.sessions import extended_hours

    table = market_calendar(name).sessions(first, last)
    if widened:
        table = extended_hours(table)
    opens = pd.DatetimeIndex(table["open"]).as_unit("ns").asi8.copy()
    closes = pd.DatetimeIndex(table["close"]).as_unit("ns").asi8.copy()
    opens.flags.writeable = False
    closes.flags.writeable = False
    open_times = tuple(pd.Timestamp(stamp).to_pydatetime() for stamp in table["open"])
    return opens, closes, open_times


def _nanoseconds(moment: datetime) -> int:
    """``moment`` (aware) as integer nanoseconds since the epoch, exactly (no float)."""
    return (moment - _EPOCH) // timedelta(microseconds=1) * 1000


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
