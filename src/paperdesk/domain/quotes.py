"""A bar's quote: the bid and ask OHLC and sizes of the same interval, exact Decimals.

A quote is optional on a bar (``Bar.quote``). What real data allows decides the rule: each side
is a bar of its own (prices finite and positive, high >= low, open and close inside the
low-high range) and sizes are finite and not negative. A crossed or locked quote (bid at or
above the ask) is kept: Lean's SPY minute quotes are locked at 167.41 on 2013-10-07 13:30Z, and
crossed quotes happen between venues; only what is impossible is refused.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from paperdesk.domain.errors import InvalidInputError

QUOTE_FIELDS = (
    "bid_open",
    "bid_high",
    "bid_low",
    "bid_close",
    "bid_size",
    "ask_open",
    "ask_high",
    "ask_low",
    "ask_close",
    "ask_size",
)
QUOTE_PRICE_FIELDS = tuple(name for name in QUOTE_FIELDS if not name.endswith("_size"))
_TWO = Decimal(2)
_PARTS = ("open", "high", "low", "close")


class SidePrices(NamedTuple):
    """One side of a quote (the ask a buyer pays, the bid a seller gets) as OHLC."""

    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal


class _QuoteFields(NamedTuple):
    bid_open: Decimal
    bid_high: Decimal
    bid_low: Decimal
    bid_close: Decimal
    bid_size: Decimal
    ask_open: Decimal
    ask_high: Decimal
    ask_low: Decimal
    ask_close: Decimal
    ask_size: Decimal


class Quote(_QuoteFields):
    """Bid and ask OHLC and sizes of one bar; the constructor checks ``quote_problems``
    (``Quote._make`` skips that for quotes already checked as a frame)."""

    __slots__ = ()

    def __new__(
        cls,
        bid_open: Decimal,
        bid_high: Decimal,
        bid_low: Decimal,
        bid_close: Decimal,
        bid_size: Decimal,
        ask_open: Decimal,
        ask_high: Decimal,
        ask_low: Decimal,
        ask_close: Decimal,
        ask_size: Decimal,
    ) -> Quote:
        values = (
            bid_open,
            bid_high,
            bid_low,
            bid_close,
            bid_size,
            ask_open,
            ask_high,
            ask_low,
            ask_close,
            ask_size,
        )
        problems = quote_problems(values)
        if problems:
            raise InvalidInputError("quote: " + "; ".join(problems))
        return super().__new__(cls, *values)

    @property
    def bid(self) -> SidePrices:
        return SidePrices(self.bid_open, self.bid_high, self.bid_low, self.bid_close)

    @property
    def ask(self) -> SidePrices:
        return SidePrices(self.ask_open, self.ask_high, self.ask_low, self.ask_close)

    @property
    def mid_open(self) -> Decimal:
        return (self.bid_open + self.ask_open) / _TWO

    @property
    def mid_close(self) -> Decimal:
        return (self.bid_close + self.ask_close) / _TWO


def quote_problems(values: tuple[Decimal, ...]) -> list[str]:
    """What is impossible in a quote given in ``QUOTE_FIELDS`` order (empty: a valid quote)."""
    problems: list[str] = []
    named = dict(zip(QUOTE_FIELDS, values, strict=True))
    for name, value in named.items():
        if not isinstance(value, Decimal) or not value.is_finite():
            problems.append(f"{name} {value} is missing or not finite")
        elif name.endswith("_size"):
            if value < 0:
                problems.append(f"{name} {value} is negative")
        elif value <= 0:
            problems.append(f"{name} {value} is not positive")
    if problems:
        return problems
    for side in ("bid", "ask"):
        open_, high, low, close = (
            named[f"{side}_{part}"] for part in ("open", "high", "low", "close")
        )
        if high < low:
            problems.append(f"{side}_high {high} is below {side}_low {low}")
        elif not (low <= open_ <= high and low <= close <= high):
            problems.append(
                f"{side}_open {open_} or {side}_close {close} is outside the {side} low-high "
                f"range {low}-{high}"
            )
    return problems


__all__ = ["QUOTE_FIELDS", "Quote", "SidePrices", "quote_problems"]
