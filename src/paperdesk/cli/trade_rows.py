"""The columns and cells of a round trip, shared by the backtest report and ``trades``: side,
quantity, times, prices to the tick, then gross P&L, fees and net P&L side by side."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from paperdesk.cli.fit import Column, number
from paperdesk.cli.money import price, quantity, symbol_money
from paperdesk.domain import Side, Trade

TRADE_COLUMNS = (
    Column("Side", drop=2),
    number("Qty"),
    Column("Entry", drop=1),
    Column("Exit"),
    number("Entry px", drop=3),
    number("Exit px", drop=3),
    number("Gross"),
    number("Fees"),
    number("Net P&L"),
)


def trade_cells(trade: Trade, moment: Callable[[datetime], str]) -> tuple[str, ...]:
    """The cells under ``TRADE_COLUMNS`` (``moment`` prints the entry and exit times)."""
    return (
        "long" if trade.side is Side.BUY else "short",
        quantity(trade.quantity),
        moment(trade.ts_entry),
        moment(trade.ts_exit),
        price(trade.entry_price, trade.symbol),
        price(trade.exit_price, trade.symbol),
        symbol_money(trade.gross_pnl, trade.symbol),
        symbol_money(trade.fees, trade.symbol),
        symbol_money(trade.pnl, trade.symbol),
    )
