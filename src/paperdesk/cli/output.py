"""Show results: Rich tables for people, one JSON object for programs, progress on stderr."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from paperdesk.cli.open_positions import open_positions_table
from paperdesk.domain import InvalidInputError, Side, Timeframe, Trade

if TYPE_CHECKING:  # the engine's result (pandas) is imported when a backtest runs, not at start
    from paperdesk.service import BacktestResult, ProgressCallback

LAST_TRADES = 10
TRADE_HEADINGS = ("Entry", "Exit", "Side", "Qty", "Entry px", "Exit px", "Fees", "P&L")


def print_json(document: object) -> None:
    """Write exactly one JSON object (and a newline) to stdout."""
    sys.stdout.write(json.dumps(document, allow_nan=False) + "\n")
    sys.stdout.flush()


@contextmanager
def progress_bar(enabled: bool) -> Iterator[ProgressCallback | None]:
    """A progress callback drawing a bar on stderr, or None when disabled."""
    if not enabled:
        yield None
        return
    columns = (TextColumn("backtest"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("bars", total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


def number(value: float, digits: int = 2, suffix: str = "") -> str:
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:,.{digits}f}{suffix}"


def money(value: Decimal) -> str:
    return f"{value:,.2f}"


def day(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment is not None else "-"


def stats_table(result: BacktestResult) -> Table:
    """The key statistics of a run, one per row."""
    stats = result.stats
    table = Table(title=f"{result.config.strategy} on {result.symbol} ({result.timeframe})")
    table.add_column("Statistic")
    table.add_column("Value", justify="right")
    drawdown = (
        f"{number(stats.max_drawdown_pct, suffix='%')} "
        f"(peak {day(stats.max_drawdown_peak)}, trough {day(stats.max_drawdown_trough)})"
    )
    rows = [
        ("Period", f"{day(stats.start)} to {day(stats.end)}"),
        ("Start cash", money(result.config.cash)),
        ("Final equity", money(result.final_equity)),
        ("Total return", number(stats.total_return_pct, suffix="%")),
        ("CAGR", number(stats.cagr_pct, suffix="%")),
        ("Max drawdown", drawdown),
        ("Sharpe", number(stats.sharpe)),
        ("Sortino", number(stats.sortino)),
        ("Win rate", number(stats.win_rate_pct, suffix="%")),
        ("Average win", number(stats.average_win)),
        ("Average loss", number(stats.average_loss)),
        ("Profit factor", number(stats.profit_factor)),
        ("Exposure", number(stats.exposure_pct, suffix="%")),
        ("Trades", str(stats.trades)),
        ("Best trade", number(stats.best_trade)),
        ("Worst trade", number(stats.worst_trade)),
        ("Fees", number(stats.fees)),
        ("Ambiguous stop/target bars", str(stats.ambiguous_bars)),
        ("Buy & hold return", number(stats.buy_and_hold_return_pct, suffix="%")),
    ]
    for label, value in rows:
        table.add_row(label, value)
    return table


def is_intraday(timeframe: str) -> bool:
    try:
        return Timeframe.parse(timeframe).is_intraday
    except InvalidInputError:
        return True


def shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def trades_table(trades: tuple[Trade, ...], timeframe: str, width: int = 80) -> Table:
    """The last few round trips (times only for intraday bars); long reasons are cut short.
    With several symbols, each row starts with its symbol."""
    shown = trades[-LAST_TRADES:]
    moment_format = "%Y-%m-%d %H:%M" if is_intraday(timeframe) else "%Y-%m-%d"
    symbols = len({trade.symbol for trade in trades}) > 1
    headings = ("Symbol", *TRADE_HEADINGS) if symbols else TRADE_HEADINGS
    rows = [
        (
            *((trade.symbol,) if symbols else ()),
            trade.ts_entry.strftime(moment_format),
            trade.ts_exit.strftime(moment_format),
            "long" if trade.side is Side.BUY else "short",
            f"{trade.quantity:f}",
            f"{trade.entry_price:f}",
            f"{trade.exit_price:f}",
            money(trade.fees),
            money(trade.pnl),
        )
        for trade in shown
    ]
    widths = [
        max([len(heading), *(len(row[index]) for row in rows)])
        for index, heading in enumerate(headings)
    ]
    reason_width = width - sum(widths) - 2 * len(widths) - 1
    with_reason = reason_width >= len("Reason")  # a narrow terminal drops the reasons
    table = Table(
        title=f"Last {len(shown)} of {len(trades)} trades",
        box=box.SIMPLE_HEAD,
        collapse_padding=True,
        pad_edge=False,
    )
    first_number = 3 + int(symbols)
    for index, heading in enumerate(headings):
        if index >= first_number:
            table.add_column(heading, justify="right", no_wrap=True)
        else:
            table.add_column(heading, justify="left", no_wrap=True)
    if with_reason:
        table.add_column("Reason", no_wrap=True)
    for row, trade in zip(rows, shown, strict=True):
        reason = (shorten(trade.exit_reason, reason_width),) if with_reason else ()
        table.add_row(*row, *reason)
    return table


def print_report(result: BacktestResult) -> None:
    """The human-readable report on stdout."""
    console = Console()
    console.print(stats_table(result))
    if result.trades:
        console.print(trades_table(result.trades, result.timeframe, console.width))
    else:
        console.print("No trades.")
    held = open_positions_table(result)
    if held is not None:
        console.print(held)
