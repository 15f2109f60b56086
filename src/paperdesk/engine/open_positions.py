"""The positions a backtest still holds at its end, marked at the last close.

Rebuilt from the run's fills with the same ``Position.apply`` the ledger books them with, so
both engines (event kernel and fast path) report them identically and exactly.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from paperdesk.domain import Fill, Side
from paperdesk.domain.positions import Position


class OpenPosition(NamedTuple):
    """A holding left open when the bars ran out, valued at ``mark`` (the last close)."""

    symbol: str
    side: Side  # BUY for a long, SELL for a short
    quantity: Decimal  # unsigned
    average_price: Decimal
    ts_opened: datetime | None
    mark: Decimal
    market_value: Decimal  # signed: negative for a short
    unrealized_pnl: Decimal  # before fees (entry fees are already out of the cash)


def open_positions(
    fills: Iterable[Fill],
    marks: dict[str, Decimal],
    final: Iterable[Position] | None = None,
) -> tuple[OpenPosition, ...]:
    """Every position the ``fills`` leave open, by symbol in first-fill order, marked at
    ``marks[symbol]`` (``final``: the ledger's positions, when splits changed them)."""
    positions: dict[str, Position] = {}
    if final is not None:
        positions = {position.symbol: position for position in final}
    else:
        for fill in fills:
            held = positions.get(fill.symbol, Position(fill.symbol))
            positions[fill.symbol], _ = held.apply(fill)
    found: list[OpenPosition] = []
    for symbol, position in positions.items():
        if position.is_flat or symbol not in marks:
            continue
        mark = marks[symbol]
        found.append(
            OpenPosition(
                symbol=symbol,
                side=Side.BUY if position.quantity > 0 else Side.SELL,
                quantity=abs(position.quantity),
                average_price=position.average_price,
                ts_opened=position.ts_opened,
                mark=mark,
                market_value=position.market_value(mark),
                unrealized_pnl=position.unrealized_pnl(mark),
            )
        )
    return tuple(found)
