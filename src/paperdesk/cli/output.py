"""Show results: Rich tables for people, one JSON object for programs, progress on stderr."""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from textwrap import fill as wrap
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from paperdesk.cli.fit import VALUE, Column, console, fitted, text
from paperdesk.cli.money import float_money, money, percent, price, quantity, ratio, symbol_money
from paperdesk.cli.open_positions import open_positions_table
from paperdesk.cli.stat_rows import (
    benchmark_rows,
    conventions_row,
    drawdown_duration,
    expectancy_row,
    risk_rows,
)
from paperdesk.cli.trade_rows import TRADE_COLUMNS, income_words, trade_cells
from paperdesk.domain import AccountEvent, InvalidInputError, MarginCalled, Timeframe, Trade
from paperdesk.domain.account_words import fill_words, margin_call_words, overdraft_words
from paperdesk.domain.pnl import RealizedPnl
from paperdesk.service.instruments import instrument_of

if TYPE_CHECKING:  # the engine's result (pandas) is imported when a backtest runs, not at start
    from paperdesk.service import BacktestResult, ProgressCallback
    from paperdesk.service.result_backtest import GappedRun

LAST_TRADES = 10
OUTSIDE_SESSION = "outside the regular session"  # how the kernel's session rejections begin


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


def day(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment is not None else "-"


def stats_table(result: BacktestResult, width: int | None = 80) -> Table:
    """The key statistics of a run, one per row: money by the money rule (exact), gross,
    fees and net P&L side by side, and n/a for a statistic the run leaves undefined."""
    stats = result.stats
    ccy = instrument_of(result.symbol).currency
    drawdown = (
        f"{percent(stats.max_drawdown_pct)} "
        f"(peak {day(stats.max_drawdown_peak)}, trough {day(stats.max_drawdown_trough)})"
    )
    realized = RealizedPnl.of_trades(result.trades)
    rows = [
        ("Period", f"{day(stats.start)} to {day(stats.end)}"),
        ("Start cash", money(result.config.cash, ccy)),
        ("Final equity", money(result.final_equity, ccy)),
        ("Final cash", money(result.final_cash, ccy)),
        ("Total return", percent(stats.total_return_pct)),
        ("CAGR", percent(stats.cagr_pct)),
        ("Max drawdown", drawdown),
        ("Longest drawdown", drawdown_duration(stats)),
        conventions_row(stats),
        ("Sharpe", ratio(stats.sharpe)),
        ("Sortino", ratio(stats.sortino)),
        *risk_rows(stats),
        ("Win rate", percent(stats.win_rate_pct)),
        ("Average win (net)", float_money(stats.average_win, ccy)),
        ("Average loss (net)", float_money(stats.average_loss, ccy)),
        expectancy_row(stats, ccy),
        ("Profit factor", ratio(stats.profit_factor)),
        ("Exposure", percent(stats.exposure_pct)),
        ("Trades", str(stats.trades)),
        ("Realized P&L gross", money(realized.gross, ccy)),
        ("Fees of the trades", money(realized.fees, ccy)),
        ("Realized P&L net", money(realized.net, ccy)),
        ("Fees paid (all fills)", money(sum((f.fee for f in result.fills), Decimal(0)), ccy)),
        ("Best trade (net)", float_money(stats.best_trade, ccy)),
        ("Worst trade (net)", float_money(stats.worst_trade, ccy)),
        ("Ambiguous stop/target bars", str(stats.ambiguous_bars)),
        ("Buy & hold return", percent(stats.buy_and_hold_return_pct)),
        *benchmark_rows(stats),
    ]
    outside = sum(1 for r in result.rejections if r.reason.startswith(OUTSIDE_SESSION))
    if outside:  # only intraday US equity runs in the regular session have this row
        rows.append(("Signals outside the session", f"{outside} rejected (--session)"))
    title = f"{result.config.strategy} on {result.symbol} ({result.timeframe})"
    return fitted(title, (Column("Statistic"), VALUE), rows, width)


def is_intraday(timeframe: str) -> bool:
    try:
        return Timeframe.parse(timeframe).is_intraday
    except InvalidInputError:
        return True


def trades_table(trades: tuple[Trade, ...], timeframe: str, width: int | None = 80) -> Table:
    """The last few round trips (times only for intraday bars) with gross, fees and net P&L;
    the exit reason folds, and less important columns go first on a narrow terminal.
    With several symbols, each row starts with its symbol."""
    shown = trades[-LAST_TRADES:]
    moment_format = "%Y-%m-%d %H:%M" if is_intraday(timeframe) else "%Y-%m-%d"
    symbols = len({trade.symbol for trade in trades}) > 1
    columns = (
        *((Column("Symbol"),) if symbols else ()),
        *TRADE_COLUMNS,
        text("Reason", drop=4),
    )
    rows = [
        (
            *((trade.symbol,) if symbols else ()),
            *trade_cells(trade, lambda moment: moment.strftime(moment_format)),
            trade.exit_reason,
        )
        for trade in shown
    ]
    return fitted(f"Last {len(shown)} of {len(trades)} trades", columns, rows, width)


def account_lines(result: BacktestResult) -> list[str]:
    """The report's lines for what the account did: entries trimmed, margin calls, overdrafts."""
    lines = []
    if result.adjustments:
        first = result.adjustments[0][1]
        lines.append(
            f"Entries trimmed by the cash check or risk rules: {len(result.adjustments)} "
            f"(every reason in --json 'adjustments'; the first: {first})"
        )
    for event in result.account_events:
        label = "Margin call" if isinstance(event, MarginCalled) else "Cash overdrawn"
        lines.append(f"{label} {event.ts_event:%Y-%m-%d %H:%M}: {event_words(result, event)}")
    return lines


def income_lines(result: BacktestResult) -> list[str]:
    """The line saying that some trades' gross P&L holds the dividends booked while they were
    open (a raw-price run of a US equity), so it is not their quantity times their price move;
    none for other runs."""
    if result.adjust != "raw" or result.config.account.multiplier is not None:
        return []
    return income_words(result.trades, instrument_of(result.symbol).currency)


def refusal_words(result: BacktestResult) -> str:
    """Why a run without trades has none: how many signals the router refused and the most
    frequent kinds of reason (reasons alike but for their numbers are one kind), each with
    its count and its first instance; empty without refusals."""
    from paperdesk.service.documents import refusal_kinds, silence_words

    if not result.rejections:
        return silence_words(result)
    ranked = refusal_kinds(result.rejections)
    shown = "; ".join(f"{len(refusals)} x {refusals[0].reason}" for refusals in ranked[:3])
    more = f"; and {len(ranked) - 3} other kinds" if len(ranked) > 3 else ""
    return (
        f" The router refused {len(result.rejections)} of the {result.signals} signals: "
        f"{shown}{more}."
    )


def gap_lines(result: GappedRun) -> list[str]:
    """The report's warning about the bars' gaps against the calendar: none for a clean series
    or one whose gaps each miss less than two sessions of trading time (a holiday the calendar
    does not know, a late open); else how many and the longest few, their dates and lengths."""
    from paperdesk.service.result_backtest import gap_warning

    words = gap_warning(result)
    if words is None:
        return []
    risk, totals, check = words
    return [f"Warning: {risk} ({totals}; every long one in --json 'data_gaps', all in `{check}`)"]


def print_wrapped(out: Console, lines: Iterable[str], width: int | None) -> None:
    """Print each line as it is (no markup), folded to ``width`` with the rest indented."""
    for line in lines:
        out.print(
            line if width is None else wrap(line, width, subsequent_indent="  "), markup=False
        )


def event_words(result: BacktestResult, event: AccountEvent) -> str:
    """An account event's reason with its prices to the tick and its money by the money rule
    (exact, as --json keeps it); the stored reason when its fill is not in the result."""
    currency = instrument_of(result.symbol).currency
    if isinstance(event, MarginCalled):
        return margin_call_words(
            money(event.equity, currency), money(event.requirement, currency), event.symbols
        )
    fill = next(
        (f for f in result.fills if f.order_id == event.order_id and f.ts == event.ts_event), None
    )
    order = next((o for o in result.orders if o.order_id == event.order_id), None)
    if fill is None or order is None:
        return event.reason
    what = fill_words(
        fill.side.value,
        quantity(fill.quantity),
        fill.symbol,
        price(fill.price, fill.symbol),
        symbol_money(fill.fee, fill.symbol),
    )
    cash_check = result.config.account.cash_check
    return overdraft_words(what, money(event.cash, currency), cash_check, order.role)


def print_report(result: BacktestResult, *, wide: bool = False) -> None:
    """The human-readable report on stdout."""
    out = console(wide=wide)
    width = None if wide else out.width
    out.print(stats_table(result, width))
    if result.prices:
        line = f"Prices: {result.prices}"
        wrapped = textwrap.fill(line, width, subsequent_indent="  ") if width else line
        out.print(wrapped, highlight=False, markup=False)
    print_wrapped(out, (*gap_lines(result), *account_lines(result)), width)  # never silent
    if result.trades:
        out.print(trades_table(result.trades, result.timeframe, width))
        print_wrapped(out, income_lines(result), width)
    else:
        line = "No trades." + refusal_words(result)
        out.print(
            line if width is None else wrap(line, width, subsequent_indent="  "), markup=False
        )
    held = open_positions_table(result, width)
    if held is not None:
        out.print(held)
