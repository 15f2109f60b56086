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
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from paperdesk.domain import Timeframe, TimeInForce
from paperdesk.routing import OrderRefusedError

MARKET_CLOSED = "market_closed"
IMMEDIATE = frozenset({TimeInForce.IOC, TimeInForce.FOK})
# Sessions searched ahead for the next open (longer than any exchange's closure run).
LOOK_AHEAD = timedelta(days=14)
_ONE_DAY = timedelta(days=1)


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


def market_hours(calendar: str, extended: bool, at: datetime) -> MarketHours | None:
    """The state of ``calendar``'s market at ``at`` (the extended hours when ``extended`` and
    the calendar is XNYS); None for a calendar that is never closed (24/7)."""
    import pandas as pd

    from paperdesk.data.calendars import AlwaysOpenCalendar, calendar_name, market_calendar
    from paperdesk.data.sessions import JUDGED_CALENDAR, extended_hours

    market = market_calendar(calendar)
    if isinstance(market, AlwaysOpenCalendar):
        return None
    table = market.sessions(at - _ONE_DAY, at + LOOK_AHEAD)
    widened = extended and calendar_name(calendar) == JUDGED_CALENDAR
    if widened:
        table = extended_hours(table)
    moment = pd.Timestamp(at.astimezone(UTC))
    inside = bool(((table["open"] <= moment) & (moment < table["close"])).any())
    later = table["open"][table["open"] > moment]
    next_open = None if later.empty else pd.Timestamp(later.iloc[0]).to_pydatetime()
    return MarketHours(inside, next_open, widened)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
