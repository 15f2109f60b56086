"""The positions a backtest still holds at its end, as a table that fits the terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

from paperdesk.cli.fit import Column, fitted, number
from paperdesk.cli.money import money, price, quantity
from paperdesk.domain import Side

if TYPE_CHECKING:  # the engine's result (pandas) is imported when a backtest runs
    from paperdesk.service import BacktestResult

COLUMNS = (
    Column("Symbol"),
    Column("Side"),
    Column("Opened", drop=1),
    number("Qty"),
    number("Avg px"),
    number("Mark"),
    number("Value"),
    number("Unrealized P&L"),
)


def open_positions_table(result: BacktestResult, width: int | None = None) -> Table | None:
    """Each position left open, marked at the last close with its unrealized P&L; None when
    the run ends flat."""
    held = result.open_positions
    if not held:
        return None
    rows = [
        (
            position.symbol,
            "long" if position.side is Side.BUY else "short",
            position.ts_opened.strftime("%Y-%m-%d %H:%M") if position.ts_opened else "-",
            quantity(position.quantity),
            price(position.average_price, position.symbol),
            price(position.mark, position.symbol),
            money(position.market_value),
            money(position.unrealized_pnl),
        )
        for position in held
    ]
    return fitted("Open at the end (marked at the last close)", COLUMNS, rows, width)
