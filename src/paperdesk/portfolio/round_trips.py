"""Builds round-trip trades from fills: opened from flat, closed back to flat or reversed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from paperdesk.domain import ZERO, Side, Trade
from paperdesk.domain.money import plus, shared
from paperdesk.domain.trusted import trusted_maker

_trade = trusted_maker(Trade)  # every field of a Trade, in order


@dataclass(slots=True, init=False)
class OpenTrade:
    """The running totals of a round trip that has not closed yet.

    Its ``__init__`` is written out (``init=False``): compiled by mypyc, the one ``dataclass``
    generates is an interpreted function (a Python frame for every round trip opened), this one
    native. The dataclass keeps the fields, ``__eq__``, ``__repr__`` and ``astuple``.
    """

    symbol: str
    side: Side
    ts_entry: datetime
    strategy: str
    entry_quantity: Decimal = ZERO
    entry_notional: Decimal = ZERO
    exit_quantity: Decimal = ZERO
    exit_notional: Decimal = ZERO
    fees: Decimal = ZERO
    realized: Decimal = ZERO
    # the last entry and exit fill prices: the trade's average prices are usually one of them
    # digit for digit, and then share its object (not part of the state a checkpoint stores)
    last_entry_price: Decimal | None = field(default=None, compare=False, repr=False)
    last_exit_price: Decimal | None = field(default=None, compare=False, repr=False)

    def __init__(
        self,
        symbol: str,
        side: Side,
        ts_entry: datetime,
        strategy: str,
        entry_quantity: Decimal = ZERO,
        entry_notional: Decimal = ZERO,
        exit_quantity: Decimal = ZERO,
        exit_notional: Decimal = ZERO,
        fees: Decimal = ZERO,
        realized: Decimal = ZERO,
        last_entry_price: Decimal | None = None,
        last_exit_price: Decimal | None = None,
    ) -> None:
        self.symbol = symbol
        self.side = side
        self.ts_entry = ts_entry
        self.strategy = strategy
        self.entry_quantity = entry_quantity
        self.entry_notional = entry_notional
        self.exit_quantity = exit_quantity
        self.exit_notional = exit_notional
        self.fees = fees
        self.realized = realized
        self.last_entry_price = last_entry_price
        self.last_exit_price = last_exit_price

    def add_entry(self, quantity: Decimal, price: Decimal, fee: Decimal) -> None:
        self.entry_quantity = plus(self.entry_quantity, quantity)
        self.entry_notional += quantity * price
        self.fees = plus(self.fees, fee)
        self.last_entry_price = price

    def add_exit(self, quantity: Decimal, price: Decimal, fee: Decimal, realized: Decimal) -> None:
        self.exit_quantity += quantity
        self.exit_notional += quantity * price
        self.fees = plus(self.fees, fee)
        self.last_exit_price = price
        self.realized += realized

    def close(self, ts_exit: datetime, exit_reason: str) -> Trade:
        return _trade(
            (
                self.symbol,
                self.side,
                self.entry_quantity,
                shared(self.entry_notional / self.entry_quantity, self.last_entry_price),
                shared(self.exit_notional / self.exit_quantity, self.last_exit_price),
                self.ts_entry,
                ts_exit,
                self.fees,
                self.realized - self.fees,
                self.strategy,
                exit_reason,
            )
        )
