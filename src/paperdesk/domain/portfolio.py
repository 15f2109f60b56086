"""Portfolio value objects: round-trip trades, snapshots and the view the router reads."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import NamedTuple

from paperdesk.domain.enums import Side
from paperdesk.domain.instruments import Instrument
from paperdesk.domain.money import ZERO
from paperdesk.domain.positions import Position

_NOTHING_HELD: Mapping[str, Position] = MappingProxyType({})

_NO_PRICES: Mapping[str, Decimal] = MappingProxyType({})


def trade_direction(side: str) -> str:
    """A round trip's direction in the REST API's words from its opening order's side: ``long``
    for a buy, ``short`` for a sell."""
    return "long" if side == Side.BUY else "short"


class Trade(NamedTuple):
    """A round trip: a position opened from flat and closed back to flat (or reversed)."""

    symbol: str
    side: Side  # BUY for a long trade, SELL for a short one
    quantity: Decimal
    entry_price: Decimal
    exit_price: Decimal
    ts_entry: datetime
    ts_exit: datetime
    fees: Decimal
    pnl: Decimal  # net of fees
    strategy: str = ""
    exit_reason: str = ""

    @property
    def gross_pnl(self) -> Decimal:
        return self.pnl + self.fees

    @property
    def direction(self) -> str:
        """``long`` or ``short``, as the trades API says it (``side`` is the opening order's)."""
        return trade_direction(self.side)

    @property
    def return_pct(self) -> float:
        cost = self.quantity * self.entry_price
        return float(self.pnl / cost * 100) if cost else 0.0


class PortfolioSnapshot(NamedTuple):
    ts: datetime
    cash: Decimal
    equity: Decimal
    positions: tuple[Position, ...] = ()


class WorkingEntry(NamedTuple):
    """An entry order still working, as the risk rules count it: its symbol, side, the
    quantity still to fill and the price they value it at (its limit, its stop, or the last
    price for a market order; ``None`` when no price is known, then it adds no notional) and
    its instrument (the cash check estimates its fee and, for a contract, its initial margin
    by it; ``None``: no fee is estimated and no margin counted)."""

    symbol: str
    side: Side
    quantity: Decimal
    price: Decimal | None
    instrument: Instrument | None = None

    @property
    def notional(self) -> Decimal:
        price = self.price
        return self.quantity * price if price is not None else ZERO


_NO_WORKING_ENTRIES: tuple[WorkingEntry, ...] = ()


class PortfolioView(NamedTuple):
    """What the router may read of a portfolio when it decides: nothing it could change."""

    ts: datetime
    cash: Decimal
    equity: Decimal
    positions: Mapping[str, Position] = _NOTHING_HELD
    prices: Mapping[str, Decimal] = _NO_PRICES
    day_start_equity: Decimal | None = None
    working_entry_symbols: frozenset[str] = frozenset()  # an entry order is still working
    working_entries: tuple[WorkingEntry, ...] = _NO_WORKING_ENTRIES  # what the rules count

    def position(self, symbol: str) -> Position:
        return self.positions.get(symbol) or Position(symbol)

    @property
    def open_positions(self) -> int:
        return sum(1 for p in self.positions.values() if p.quantity != 0)

    def working_notional(self) -> Decimal:
        """The working entries' notional at the prices the rules value them at."""
        return sum((entry.notional for entry in self.working_entries), ZERO)

    def working_quantity(self, symbol: str, side: Side) -> Decimal:
        """The quantity still to fill of ``symbol``'s working entries on ``side``."""
        total = ZERO
        for entry in self.working_entries:
            if entry.symbol == symbol and entry.side is side:
                total += entry.quantity
        return total

    def gross_exposure(self) -> Decimal:
        total = ZERO
        for symbol, position in self.positions.items():
            price = self.prices.get(symbol, position.average_price)
            total += abs(position.quantity * price)
        return total
