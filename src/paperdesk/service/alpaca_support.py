"""What the Alpaca-compatible endpoint reads beyond the portfolio service: the market clock
(from the market calendar), the instruments paperdesk knows (Alpaca's "assets"), and a
portfolio's order events from the outbox (its ``trade_updates`` stream).

The events are read from the outbox, which holds only committed events, numbered in commit
order; so a reader that asks for "after my last sequence" never sees an uncommitted event and
never skips one. This small poller is the Alpaca stream's own reader, kept here so that it can
later ride on the shared outbox tailer of ``/ws/trading`` without the API changing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from paperdesk.domain import Instrument, InvalidInputError, UnknownNameError, limits
from paperdesk.domain.records import OutboxEntry
from paperdesk.service.container import Services
from paperdesk.service.instruments import instrument_of

# Outbox kinds a trade_updates stream carries (every other kind is not an order's update).
ORDER_EVENT_KINDS = frozenset(
    {
        "order.accepted",
        "order.filled",
        "order.canceled",
        "order.expired",
        "order.rejected",
        "order.modified",
    }
)
POSITION_EVENT_KINDS = frozenset({"position.opened", "position.changed", "position.closed"})
PAGE = 5000
# Sessions looked ahead for the next open and close (covers any holiday stretch).
LOOK_AHEAD = timedelta(days=14)


@dataclass(frozen=True, slots=True)
class MarketClock:
    """The market's state at ``timestamp``: open or not, and the next open and close."""

    timestamp: datetime
    is_open: bool
    next_open: datetime
    next_close: datetime


def market_clock(services: Services, symbol: str | None = None) -> MarketClock:
    """The clock of ``symbol``'s market calendar (XNYS without one) at the service's time."""
    data = services.data
    now = data.now()
    calendar = data.calendar(symbol=symbol)
    sessions = calendar.sessions(now - timedelta(days=1), now + LOOK_AHEAD)
    opens = [o.to_pydatetime() for o in sessions["open"] if o.to_pydatetime() > now]
    closes = [c.to_pydatetime() for c in sessions["close"] if c.to_pydatetime() > now]
    if not opens or not closes:  # a calendar with no session in two weeks: always open
        return MarketClock(now, True, now, now + LOOK_AHEAD)
    return MarketClock(now, calendar.is_open(now), opens[0], closes[0])


ClosedAt = Callable[[str, datetime], bool]


def closed_markets(services: Services, portfolio_id: int) -> tuple[ClosedAt, datetime | None]:
    """Whether a symbol's market is closed at a time, as the portfolio trades it (its
    instruments' calendars, its extended session), and the portfolio's clock: the service's
    time, or a replay's position (None before its first tick). Alpaca shows an order queued
    while its market is closed as ``accepted`` (``api.alpaca.mapping``)."""
    from paperdesk.config.run import TradingSession
    from paperdesk.live.restore import traded_instrument
    from paperdesk.service.market_hours import is_closed
    from paperdesk.service.portfolios import portfolio_time

    def bar_closes() -> list[datetime]:
        with services.database.reading() as repository:
            return [c.ts_bar_close for c in repository.cursors(portfolio_id) if c.ts_bar_close]

    settings = services.portfolios.settings(portfolio_id)
    now = portfolio_time(settings, bar_closes, services.clock.now)
    extended = settings.execution.session is TradingSession.EXTENDED
    calendars: dict[str, str] = {}

    def closed_at(symbol: str, at: datetime) -> bool:
        if symbol not in calendars:
            calendars[symbol] = traded_instrument(symbol, settings.source).calendar
        try:
            return is_closed(calendars[symbol], extended, at)
        except InvalidInputError:  # a time beyond the sessions the calendar knows: not judged
            return False

    return closed_at, now


def known_assets(extra_symbols: tuple[str, ...] = ()) -> list[Instrument]:
    """The instruments of paperdesk's symbol table, plus ``extra_symbols`` (a portfolio's own,
    shown as equities when their class cannot be told), sorted by symbol."""
    from paperdesk.data.instruments import symbol_table

    found = dict(symbol_table())
    for symbol in extra_symbols:
        found.setdefault(symbol, instrument_of(symbol))
    return [found[symbol] for symbol in sorted(found)]


def known_asset(symbol: str, extra_symbols: tuple[str, ...] = ()) -> Instrument:
    """The instrument ``symbol`` names among :func:`known_assets`; UnknownNameError if none."""
    wanted = limits.symbol_value(symbol, "symbol")
    for instrument in known_assets(extra_symbols):
        if instrument.symbol == wanted:
            return instrument
    raise UnknownNameError(f"unknown asset {wanted!r}")


def latest_sequence(services: Services, portfolio_id: int) -> int:
    """The newest outbox sequence of the portfolio (0 when it has none): a new stream
    starts after it, so a client sees what happens from its subscription on."""
    last = 0
    while True:
        entries = _read(services, portfolio_id, last, PAGE)
        if not entries:
            return last
        last = entries[-1].sequence


def order_events(
    services: Services, portfolio_id: int, after: int, limit: int = 500
) -> tuple[list[OutboxEntry], int]:
    """The portfolio's committed order and position events after sequence ``after`` (oldest
    first), and the sequence to continue after (the last entry read, of any kind)."""
    entries = _read(services, portfolio_id, after, limit)
    if not entries:
        return [], after
    wanted = ORDER_EVENT_KINDS | POSITION_EVENT_KINDS
    return [e for e in entries if e.kind in wanted], entries[-1].sequence


def _read(services: Services, portfolio_id: int, after: int, limit: int) -> list[OutboxEntry]:
    with services.database.reading(durable=True) as repository:
        return repository.outbox(after=after, limit=limit, portfolio_id=portfolio_id)
