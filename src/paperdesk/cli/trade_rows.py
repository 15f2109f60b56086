"""The columns and cells of a round trip, shared by the backtest report and ``trades``: side,
quantity, times, prices to the tick, then gross P&L, fees and net P&L side by side."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal

from paperdesk.cli.fit import Column, number
from paperdesk.cli.money import money, price, quantity, symbol_money
from paperdesk.domain import Side, Trade
from paperdesk.service.trade_income import income_held_over

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


def income_words(trades: Sequence[Trade], currency: str) -> list[str]:
    """The line saying that some of ``trades`` (of a raw-price run) hold in their gross P&L
    the dividends booked while they were open, so it is not their quantity times their price
    move: how much, on how many, and the first; none when no trade does."""
    held = income_held_over(trades)
    if not held:
        return []
    total = money(sum((income for _, income in held), Decimal(0)), currency)
    (first, income), shown = held[0], "%Y-%m-%d"
    return [
        f"Gross P&L includes the dividends booked while trades were open (raw prices): "
        f"{total} on {len(held)} of {len(trades)} trades (the first "
        f"{first.ts_entry:{shown}} to {first.ts_exit:{shown}}: {money(income, currency)}), "
        f"so their gross is not quantity x (exit - entry)"
    ]
