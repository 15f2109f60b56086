"""The positions a backtest still holds at its end, as a table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich import box
from rich.table import Table

from paperdesk.domain import Side

if TYPE_CHECKING:  # the engine's result (pandas) is imported when a backtest runs
    from paperdesk.service import BacktestResult


def open_positions_table(result: BacktestResult) -> Table | None:
    """Each position left open, marked at the last close with its unrealized P&L; None when
    the run ends flat."""
    held = result.open_positions
    if not held:
        return None
    table = Table(title="Open at the end (marked at the last close)", box=box.SIMPLE_HEAD)
    table.add_column("Symbol")
    table.add_column("Side")
    table.add_column("Opened")
    for heading in ("Qty", "Avg px", "Mark", "Value", "Unrealized P&L"):
        table.add_column(heading, justify="right", no_wrap=True)
    for position in held:
        opened = position.ts_opened.strftime("%Y-%m-%d %H:%M") if position.ts_opened else "-"
        table.add_row(
            position.symbol,
            "long" if position.side is Side.BUY else "short",
            opened,
            f"{position.quantity:f}",
            f"{position.average_price:,.4f}",
            f"{position.mark:f}",
            f"{position.market_value:,.2f}",
            f"{position.unrealized_pnl:,.2f}",
        )
    return table
