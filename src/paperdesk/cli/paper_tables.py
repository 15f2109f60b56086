"""Rich tables for paper portfolios: listings, the portfolio view and what a tick did.

Every number is printed by ``paperdesk.cli.money`` and every table laid out by
``paperdesk.cli.fit`` (80 columns and up; ``width=None`` is ``--wide``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from paperdesk.cli import fit
from paperdesk.cli.fit import VALUE, Column, fitted, number, text
from paperdesk.cli.money import float_money, money, percent, price, quantity, ratio, symbol_money
from paperdesk.cli.safe_text import printable
from paperdesk.cli.stat_rows import (
    benchmark_rows,
    conventions_row,
    drawdown_duration,
    expectancy_row,
    risk_rows,
)
from paperdesk.cli.trade_rows import TRADE_COLUMNS, trade_cells
from paperdesk.domain import Fill, Order, Trade
from paperdesk.domain.pnl import RealizedPnl
from paperdesk.domain.ticks import DRY_RUN, BarTick, TickStatus
from paperdesk.service.views import (
    AuditView,
    FeedHealth,
    PortfolioDetail,
    PortfolioSummary,
    SignalView,
)

if TYPE_CHECKING:
    from paperdesk.service.performance import Stats

DIRECTIONS = {1: "long", 0: "flat", -1: "short"}
Width = int | None  # the terminal's width; None: --wide (no limit)


def console(*, wide: bool = False) -> Console:
    return fit.console(wide=wide)


def width_of(out: Console, wide: bool) -> Width:
    return None if wide else out.width


def amount(value: Decimal | None, currency: str | None = "USD") -> str:
    """Money in ``currency`` (kept for callers printing one line)."""
    return money(value, currency)


def when(moment: datetime | None) -> str:
    """A time to the minute; a midnight label (a daily bar) as its date."""
    if moment is None:
        return "-"
    if (moment.hour, moment.minute, moment.second) == (0, 0, 0):
        return moment.strftime("%Y-%m-%d")
    return moment.strftime("%Y-%m-%d %H:%M")


def key_values(title: str | None, rows: Sequence[tuple[str, str]], width: Width) -> Table:
    return fitted(title, (Column("Field"), VALUE), rows, width, show_header=False)


def portfolios_table(summaries: Sequence[PortfolioSummary], width: Width = 80) -> Table:
    columns = (
        number("ID"),
        text("Name"),
        Column("Status", drop=3),
        number("Cash", drop=2),
        number("Equity"),
        number("Realized gross", drop=1),
        number("Fees"),
        number("Realized net"),
        number("Unrealized"),
    )
    rows = []
    for s in summaries:
        ccy = s.base_currency
        rows.append(
            (
                str(s.id),
                printable(s.name),
                s.status,
                money(s.cash, ccy),
                money(s.equity, ccy),
                money(s.realized.gross, ccy),
                money(s.realized.fees, ccy),
                money(s.realized.net, ccy),
                money(s.unrealized_pnl, ccy),
            )
        )
    return fitted("Portfolios", columns, rows, width)


def pnl_rows(realized: RealizedPnl, currency: str) -> list[tuple[str, str]]:
    """Gross, fees and net side by side (the README's "Numbers" definitions)."""
    return [
        ("Realized P&L gross", money(realized.gross, currency)),
        ("Fees", money(realized.fees, currency)),
        ("Realized P&L net", money(realized.net, currency)),
    ]


def summary_table(
    summary: PortfolioSummary, detail: PortfolioDetail | None = None, width: Width = 80
) -> Table:
    ccy = summary.base_currency
    rows = [
        ("Status", summary.status),
        ("Currency", ccy),
        ("Starting cash", money(summary.starting_cash, ccy)),
        ("Cash", money(summary.cash, ccy)),
        ("Positions value", money(summary.positions_value, ccy)),
        ("Equity", money(summary.equity, ccy)),
        *pnl_rows(summary.realized, ccy),
        ("Unrealized P&L", money(summary.unrealized_pnl, ccy)),
        ("Total P&L", money(summary.total_pnl, ccy)),
        ("Created", when(summary.ts_created)),
    ]
    if detail is not None:
        settings = detail.settings
        rows.append(("Strategies", ", ".join(s.name for s in settings.strategies)))
        rows.append(("Watching", ", ".join(settings.symbols) or "(any symbol)"))
        rows.append(("Timeframe / source", f"{settings.bar_timeframe} / {settings.source.kind}"))
    return key_values(f"Portfolio {summary.id}: {printable(summary.name)}", rows, width)


def print_detail(detail: PortfolioDetail, *, wide: bool = False) -> None:
    out = console(wide=wide)
    width = width_of(out, wide)
    out.print(summary_table(detail.summary, detail, width))
    if detail.positions:
        ccy = detail.summary.base_currency
        columns = (
            Column("Symbol"),
            number("Qty"),
            number("Avg price"),
            number("Last"),
            number("Value"),
            number("Unrealized P&L"),
        )
        rows = [
            (
                p.symbol,
                quantity(p.quantity),
                price(p.average_price, p.symbol),
                price(p.last_price, p.symbol),
                money(p.market_value, ccy),
                money(p.unrealized_pnl, ccy),
            )
            for p in detail.positions
        ]
        out.print(fitted("Positions", columns, rows, width))
    else:
        out.print("No positions.")
    if detail.open_orders:
        out.print(orders_table(detail.open_orders, "Open orders", width))
    else:
        out.print("No open orders.")
    if detail.feeds:
        out.print(feeds_table(detail.feeds, width))


def feeds_table(feeds: Sequence[FeedHealth], width: int | None) -> Table:
    """A live portfolio's feeds: stale or failing ones say since when, how old and why."""
    columns = (
        Column("Symbol"),
        Column("Feed"),
        Column("Since"),
        Column("Last bar close"),
        number("Age (s)"),
        text("Reason"),
    )
    rows = [
        (
            feed.symbol,
            feed.state.upper() if feed.state != "ok" else "ok",
            "-" if feed.since is None else feed.since.isoformat(),
            "-" if feed.last_bar_close is None else feed.last_bar_close.isoformat(),
            "-" if feed.age_seconds is None else str(feed.age_seconds),
            printable(feed.reason) or "-",
        )
        for feed in feeds
    ]
    return fitted("Live feeds", columns, rows, width)


def _prices(order: Order) -> str:
    parts = []
    if order.limit_price is not None:
        parts.append(f"limit {price(order.limit_price, order.symbol)}")
    if order.stop_price is not None:
        parts.append(f"stop {price(order.stop_price, order.symbol)}")
    return ", ".join(parts) or "-"


def orders_table(orders: Sequence[Order], title: str = "Orders", width: Width = 80) -> Table:
    columns = (
        Column("Order"),
        Column("Symbol"),
        Column("Side"),
        Column("Type", drop=2),
        number("Qty"),
        text("Prices"),
        Column("Role", drop=1),
        Column("Status"),
        number("Filled"),
    )
    rows = [
        (
            o.order_id,
            o.symbol,
            o.side.value,
            f"{o.order_type.value} {o.time_in_force.value}",
            quantity(o.quantity),
            _prices(o),
            o.role.value,
            o.status.value,
            quantity(o.filled_quantity),
        )
        for o in orders
    ]
    return fitted(title, columns, rows, width)


def fills_table(fills: Sequence[Fill], title: str = "Fills", width: Width = 80) -> Table:
    columns = (
        Column("Time"),
        Column("Order"),
        Column("Symbol"),
        Column("Side"),
        number("Qty"),
        number("Price"),
        number("Fee"),
    )
    rows = [
        (
            when(f.ts),
            f.order_id,
            f.symbol,
            f.side.value,
            quantity(f.quantity),
            price(f.price, f.symbol),
            symbol_money(f.fee, f.symbol),
        )
        for f in fills
    ]
    return fitted(title, columns, rows, width)


def trades_table(trades: Sequence[Trade], width: Width = 80) -> Table:
    """Each round trip's gross P&L, fees and net P&L (``trades_total`` sums them)."""
    columns = (Column("Symbol"), *TRADE_COLUMNS)
    rows = [(t.symbol, *trade_cells(t, when)) for t in trades]
    return fitted("Trades", columns, rows, width)


def trades_total(trades: Sequence[Trade]) -> str:
    """One line summing the listed trades: gross - fees = net."""
    total = RealizedPnl.of_trades(trades)
    symbol = trades[0].symbol if trades else "USD"
    return (
        f"{len(trades)} trade(s): gross {symbol_money(total.gross, symbol)} - fees "
        f"{symbol_money(total.fees, symbol)} = net {symbol_money(total.net, symbol)}"
    )


def signals_table(signals: Sequence[SignalView], width: Width = 80) -> Table:
    columns = (
        Column("Bar"),
        Column("Strategy"),
        Column("Symbol"),
        Column("Direction", drop=1),
        text("Decision"),
        text("Reason"),
    )
    rows = []
    for s in signals:
        decision = s.status if s.rejection is None else f"{s.status}: {s.rejection}"
        rows.append(
            (
                when(s.ts_bar),
                s.strategy,
                s.symbol,
                DIRECTIONS.get(s.direction, "?"),
                decision,
                s.reason,
            )
        )
    return fitted("Signals", columns, rows, width)


def audit_table(entries: Sequence[AuditView], width: Width = 80) -> Table:
    columns = (number("ID"), Column("Market time"), Column("Kind"), text("Message"))
    rows = [(str(e.id), when(e.ts_event), e.kind, e.message) for e in entries]
    return fitted("Audit log", columns, rows, width)


def print_ticks(
    ticks: Sequence[BarTick], *, dry_run: bool, currency: str = "USD", wide: bool = False
) -> None:
    """What each tick did: the signal and routing decision, orders, fills, cash and equity."""
    out = console(wide=wide)
    width = width_of(out, wide)
    said_dry = False  # a processed tick's line begins with DRY_RUN: said once, not again
    for tick in ticks:
        if tick.status is TickStatus.ALREADY_PROCESSED:
            out.print(f"Already processed (idempotency guard): {tick.message}")
            continue
        if not tick.processed:
            out.print(f"Nothing to do: {tick.message}")
            continue
        out.print(tick.message)
        said_dry = said_dry or tick.message.startswith(DRY_RUN)
        if tick.signals:
            columns = (
                Column("Strategy"),
                Column("Direction"),
                number("Confidence", drop=1),
                text("Decision"),
                text("Reason"),
            )
            rows = [
                (
                    s.strategy,
                    DIRECTIONS.get(s.direction, "?"),
                    ratio(s.confidence),
                    "accepted" if s.accepted else f"rejected: {s.rejection}",
                    s.reason,
                )
                for s in tick.signals
            ]
            out.print(fitted("Signals", columns, rows, width))
        if tick.orders:
            title = "Orders it would place" if dry_run else "Orders placed or changed"
            out.print(orders_table(tick.orders, title, width))
        if tick.fills:
            title = "Fills it would book" if dry_run else "Fills"
            out.print(fills_table(tick.fills, title, width))
        out.print(f"cash {money(tick.cash, currency)}  equity {money(tick.equity, currency)}")
    if dry_run and not said_dry:  # nothing was processed: say it in the ticks' own words
        out.print(f"{DRY_RUN}.")


def performance_table(summary: PortfolioSummary, stats: Stats, width: Width = 80) -> Table:
    """A portfolio's money (to its currency's cents) and its statistics (n/a when undefined)."""
    ccy = summary.base_currency
    rows = [
        ("Period", f"{stats.start.date()} to {stats.end.date()}"),
        ("Starting cash", money(summary.starting_cash, ccy)),
        ("Cash", money(summary.cash, ccy)),
        ("Equity", money(summary.equity, ccy)),
        *pnl_rows(summary.realized, ccy),
        ("Unrealized P&L", money(summary.unrealized_pnl, ccy)),
        ("Total P&L", money(summary.total_pnl, ccy)),
        ("Total return", percent(stats.total_return_pct)),
        ("CAGR", percent(stats.cagr_pct)),
        ("Max drawdown", percent(stats.max_drawdown_pct)),
        ("Longest drawdown", drawdown_duration(stats)),
        conventions_row(stats),
        ("Sharpe", ratio(stats.sharpe)),
        ("Sortino", ratio(stats.sortino)),
        *risk_rows(stats),
        ("Win rate", percent(stats.win_rate_pct)),
        ("Profit factor", ratio(stats.profit_factor)),
        expectancy_row(stats, ccy),
        ("Exposure", percent(stats.exposure_pct)),
        ("Trades", str(stats.trades)),
        ("Best trade (net)", float_money(stats.best_trade, ccy)),
        ("Worst trade (net)", float_money(stats.worst_trade, ccy)),
        *benchmark_rows(stats),
    ]
    return fitted("Performance", (Column("Statistic"), VALUE), rows, width)
