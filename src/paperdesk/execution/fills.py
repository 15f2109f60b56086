"""Fill-price rules over one bar: pure functions, exact Decimal, no slippage applied here.

A returned price equal to ``bar.open`` always means the order traded at the open (the whole bar
came after it); any other price means it traded inside the bar.

With a quote on the bar the rules read the side that would trade (``side_bar``): a buy the ask
OHLC, a sell the bid OHLC, as Lean's quote-bar fill models do; without one, the trade OHLC.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final, NamedTuple

from paperdesk.domain import Bar, OrderRole, Side
from paperdesk.domain.field_positions import BAR_HIGH, BAR_LOW, BAR_OPEN, BAR_QUOTE
from paperdesk.domain.trusted import trusted_maker

# ``Final``: compiled, C statics; the bar's prices are read by position (a direct tuple read,
# where ``bar.open`` is a generic attribute lookup on the NamedTuple)
_BUY: Final = Side.BUY
_STOP_LOSS: Final = OrderRole.STOP_LOSS
_TAKE_PROFIT: Final = OrderRole.TAKE_PROFIT


def side_bar(bar: Bar, side: Side) -> Bar:
    """The prices ``side`` trades at on ``bar``: the ask OHLC for a buy, the bid OHLC for a
    sell when the bar has a quote, else the bar itself (its trade OHLC)."""
    quote = bar[BAR_QUOTE]
    if quote is None:
        return bar
    if side is _BUY:
        return bar._replace(
            open=quote.ask_open, high=quote.ask_high, low=quote.ask_low, close=quote.ask_close
        )
    return bar._replace(
        open=quote.bid_open, high=quote.bid_high, low=quote.bid_low, close=quote.bid_close
    )


def market_fill_price(bar: Bar) -> Decimal:
    """A market order placed before ``bar`` opened fills at its open."""
    return bar.open


def limit_fill_price(side: Side, limit: Decimal, bar: Bar) -> Decimal | None:
    """Buy: open if open <= limit (gapped through), else limit if low <= limit. Sell mirrored."""
    opened = bar[BAR_OPEN]
    if side is _BUY:
        if opened <= limit:
            return opened
        return limit if bar[BAR_LOW] <= limit else None
    if opened >= limit:
        return opened
    return limit if bar[BAR_HIGH] >= limit else None


def stop_trigger_price(side: Side, stop: Decimal, bar: Bar) -> Decimal | None:
    """Buy: open if open >= stop (gap), else stop if high >= stop. Sell mirrored with low."""
    opened = bar[BAR_OPEN]
    if side is _BUY:
        if opened >= stop:
            return opened
        return stop if bar[BAR_HIGH] >= stop else None
    if opened <= stop:
        return opened
    return stop if bar[BAR_LOW] <= stop else None


def stop_limit_fill_price(
    side: Side, stop: Decimal, limit: Decimal, bar: Bar
) -> tuple[bool, Decimal | None]:
    """Whether a not-yet-triggered stop-limit triggers on ``bar``, and its fill price if any.

    Conservative rule, for a buy (a sell mirrors it):

    * not touched (high < stop): ``(False, None)``.
    * triggered at the open (open >= stop): every price of the bar came after the trigger, so the
      order is a limit for the whole bar: ``limit_fill_price`` (open if open <= limit, else limit
      if low <= limit, else it rests triggered).
    * triggered inside the bar (open < stop <= high): the only price known to come after the
      trigger is the stop itself. If limit >= stop it fills at min(limit, stop) = stop; otherwise
      the order rests as a triggered limit, because the bar's low may have come before the
      trigger.
    """
    trigger = stop_trigger_price(side, stop, bar)
    if trigger is None:
        return False, None
    if trigger == bar[BAR_OPEN]:
        return True, limit_fill_price(side, limit, bar)
    reachable = limit >= trigger if side is _BUY else limit <= trigger
    return True, (trigger if reachable else None)


class BracketExit(NamedTuple):
    """Which leg of a bracket trades on a bar, at what price (before slippage), and whether the
    bar touched both legs without opening through either (the choice was the stop-loss rule's,
    not the bar's)."""

    leg: OrderRole
    price: Decimal
    ambiguous: bool


# (leg, price, ambiguous), built without the NamedTuple's Python ``__new__`` frame
_bracket_exit: Final = trusted_maker(BracketExit)


def bracket_exit(
    side: Side,
    stop_loss: Decimal | None,
    take_profit: Decimal | None,
    bar: Bar,
    target_bar: Bar | None = None,
) -> BracketExit | None:
    """The exit of a position on ``bar`` through its bracket legs (``side``: the exits' side,
    SELL for a long), or None when neither leg is touched.

    The stop-loss is a stop order (``stop_trigger_price``), the take-profit a limit order
    (``limit_fill_price``). When both are touched the one the bar opened through traded first;
    otherwise the bar's path inside is unknown and the stop-loss wins (``ambiguous``), the
    conservative choice. The engine's venue and the plan simulator both decide here, so they
    cannot disagree. ``bar`` is the side's prices already (``side_bar`` for a quoted bar);
    ``target_bar``, when given, the prices the take-profit trades at instead (under a spread
    without quotes: the bid for a long's exit, the ask for a short's; the stop-loss reads the
    bar and pays the half spread as slippage).
    """
    limit_bar = bar if target_bar is None else target_bar
    stop_price = None if stop_loss is None else stop_trigger_price(side, stop_loss, bar)
    target_price = None if take_profit is None else limit_fill_price(side, take_profit, limit_bar)
    if stop_price is not None and target_price is not None:
        opened = bar[BAR_OPEN]
        if target_price == limit_bar[BAR_OPEN] and stop_price != opened:
            return _bracket_exit((_TAKE_PROFIT, target_price, False))  # opened through it
        return _bracket_exit((_STOP_LOSS, stop_price, stop_price != opened))
    if stop_price is not None:
        return _bracket_exit((_STOP_LOSS, stop_price, False))
    if target_price is not None:
        return _bracket_exit((_TAKE_PROFIT, target_price, False))
    return None
