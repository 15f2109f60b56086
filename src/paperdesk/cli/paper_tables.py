"""Rich tables for paper portfolios: listings, the portfolio view and what a tick did."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from rich import box
from rich.console import Console
from rich.table import Table

from paperdesk.cli.output import number
from paperdesk.cli.safe_text import printable
from paperdesk.domain import Fill, Order, Trade
from paperdesk.domain.ticks import BarTick, TickStatus
from paperdesk.service.performance import Stats
from paperdesk.service.views import (
    AuditView,
    PortfolioDetail,
    PortfolioSummary,
    SignalView,
)

DIRECTIONS = {1: "long", 0: "flat", -1: "short"}


def console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def amount(value: Decimal | None) -> str:
    return "-" if value is None else f"{value:,f}"


def cents(value: Decimal) -> str:
    """Rounded to cents for an overview (``portfolio show`` and ``--json`` are exact)."""
    return f"{value:,.2f}"


def when(moment: datetime | None) -> str:
    """A time to the minute; a midnight label (a daily bar) as its date."""
    if moment is None:
        return "-"
    if (moment.hour, moment.minute, moment.second) == (0, 0, 0):
        return moment.strftime("%Y-%m-%d")
    return moment.strftime("%Y-%m-%d %H:%M")


KEEP_WHOLE = frozenset(
    {"Time", "Market time", "Bar", "Entry", "Exit", "Kind", "Side", "Symbol", "Status", "Name"}
)


def table(title: str, *headings: str, right: Sequence[str] = ()) -> Table:
    """Numbers are right-aligned and folded rather than cut; times and kinds never wrap."""
    grid = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left")
    for heading in headings:
        if heading in right:
            grid.add_column(heading, justify="right", no_wrap=True)
        else:
            grid.add_column(heading, no_wrap=heading in KEEP_WHOLE, overflow="fold")
    return grid


def portfolios_table(summaries: Sequence[PortfolioSummary]) -> Table:
    grid = table(
        "Portfolios",
        "ID",
        "Name",
        "Status",
        "Cash",
        "Equity",
        "Realized",
        "Unrealized",
        right=("ID", "Cash", "Equity", "Realized", "Unrealized"),
    )
    for s in summaries:
        grid.add_row(
            str(s.id),
            printable(s.name),
            s.status,
            cents(s.cash),
            cents(s.equity),
            cents(s.realized_pnl),
            cents(s.unrealized_pnl),
        )
    return grid


def summary_table(summary: PortfolioSummary, detail: PortfolioDetail | None = None) -> Table:
    title = f"Portfolio {summary.id}: {printable(summary.name)}"
    grid = Table(title=title, box=box.SIMPLE, show_header=False)
    grid.add_column("Field")
    grid.add_column("Value", justify="right")
    rows = [
        ("Status", summary.status),
        ("Currency", summary.base_currency),
        ("Starting cash", amount(summary.starting_cash)),
        ("Cash", amount(summary.cash)),
        ("Positions value", amount(summary.positions_value)),
        ("Equity", amount(summary.equity)),
        ("Realized P&L", amount(summary.realized_pnl)),
        ("Unrealized P&L", amount(summary.unrealized_pnl)),
        ("Fees paid", amount(summary.fees_paid)),
        ("Created", when(summary.ts_created)),
    ]
    if detail is not None:
        settings = detail.settings
        rows.append(("Strategies", ", ".join(s.name for s in settings.strategies)))
        rows.append(("Watching", ", ".join(settings.symbols) or "(any symbol)"))
        rows.append(("Timeframe / source", f"{settings.bar_timeframe} / {settings.source.kind}"))
    for label, value in rows:
        grid.add_row(label, value)
    return grid


def print_detail(detail: PortfolioDetail) -> None:
    out = console()
    out.print(summary_table(detail.summary, detail))
    if detail.positions:
        grid = table(
            "Positions",
            "Symbol",
            "Qty",
            "Avg price",
            "Last",
            "Value",
            "Unrealized P&L",
            right=("Qty", "Avg price", "Last", "Value", "Unrealized P&L"),
        )
        for p in detail.positions:
            grid.add_row(
                p.symbol,
                amount(p.quantity),
                amount(p.average_price),
                amount(p.last_price),
                amount(p.market_value),
                amount(p.unrealized_pnl),
            )
        out.print(grid)
    else:
        out.print("No positions.")
    if detail.open_orders:
        out.print(orders_table(detail.open_orders, "Open orders"))
    else:
        out.print("No open orders.")


def _prices(order: Order) -> str:
    parts = []
    if order.limit_price is not None:
        parts.append(f"limit {amount(order.limit_price)}")
    if order.stop_price is not None:
        parts.append(f"stop {amount(order.stop_price)}")
    return ", ".join(parts) or "-"


def orders_table(orders: Sequence[Order], title: str = "Orders") -> Table:
    grid = table(
        title,
        "Order",
        "Symbol",
        "Side",
        "Type",
        "Qty",
        "Prices",
        "Role",
        "Status",
        "Filled",
        right=("Qty", "Filled"),
    )
    for o in orders:
        grid.add_row(
            o.order_id,
            o.symbol,
            o.side.value,
            f"{o.order_type.value} {o.time_in_force.value}",
            amount(o.quantity),
            _prices(o),
            o.role.value,
            o.status.value,
            amount(o.filled_quantity),
        )
    return grid


def fills_table(fills: Sequence[Fill], title: str = "Fills") -> Table:
    grid = table(
        title,
        "Time",
        "Order",
        "Symbol",
        "Side",
        "Qty",
        "Price",
        "Fee",
        right=("Qty", "Price", "Fee"),
    )
    for f in fills:
        grid.add_row(
            when(f.ts),
            f.order_id,
            f.symbol,
            f.side.value,
            amount(f.quantity),
            amount(f.price),
            amount(f.fee),
        )
    return grid


def trades_table(trades: Sequence[Trade]) -> Table:
    grid = table(
        "Trades",
        "Symbol",
        "Side",
        "Qty",
        "Entry",
        "Exit",
        "Entry px",
        "Exit px",
        "P&L",
        right=("Qty", "Entry px", "Exit px", "P&L"),
    )
    for t in trades:
        grid.add_row(
            t.symbol,
            "long" if t.side.value == "buy" else "short",
            amount(t.quantity),
            when(t.ts_entry),
            when(t.ts_exit),
            amount(t.entry_price),
            amount(t.exit_price),
            f"{t.pnl:,.2f}",
        )
    return grid


def signals_table(signals: Sequence[SignalView]) -> Table:
    grid = table("Signals", "Bar", "Strategy", "Symbol", "Direction", "Decision", "Reason")
    for s in signals:
        decision = s.status if s.rejection is None else f"{s.status}: {s.rejection}"
        grid.add_row(
            when(s.ts_bar),
            s.strategy,
            s.symbol,
            DIRECTIONS.get(s.direction, "?"),
            decision,
            s.reason,
        )
    return grid


def audit_table(entries: Sequence[AuditView]) -> Table:
    grid = table("Audit log", "ID", "Market time", "Kind", "Message", right=("ID",))
    for e in entries:
        grid.add_row(str(e.id), when(e.ts_event), e.kind, e.message)
    return grid


def print_ticks(ticks: Sequence[BarTick], *, dry_run: bool) -> None:
    """What each tick did: the signal and routing decision, orders, fills, cash and equity."""
    out = console()
    for tick in ticks:
        if tick.status is TickStatus.ALREADY_PROCESSED:
            out.print(f"Already processed (idempotency guard): {tick.message}")
            continue
        if not tick.processed:
            out.print(f"Nothing to do: {tick.message}")
            continue
        out.print(tick.message)
        if tick.signals:
            grid = table("Signals", "Strategy", "Direction", "Confidence", "Decision", "Reason")
            for s in tick.signals:
                decision = "accepted" if s.accepted else f"rejected: {s.rejection}"
                grid.add_row(
                    s.strategy,
                    DIRECTIONS.get(s.direction, "?"),
                    f"{s.confidence:.2f}",
                    decision,
                    s.reason,
                )
            out.print(grid)
        if tick.orders:
            title = "Orders it would place" if dry_run else "Orders placed or changed"
            out.print(orders_table(tick.orders, title))
        if tick.fills:
            out.print(fills_table(tick.fills, "Fills it would book" if dry_run else "Fills"))
        out.print(f"cash {amount(tick.cash)}  equity {amount(tick.equity)}")
    if dry_run:
        out.print("DRY run: nothing was written.")


def performance_table(summary: PortfolioSummary, stats: Stats) -> Table:
    """A portfolio's money (exact) and its statistics (analytics floats)."""
    result = table("Performance", "Statistic", "Value", right=("Value",))
    rows = [
        ("Period", f"{stats.start.date()} to {stats.end.date()}"),
        ("Starting cash", cents(summary.starting_cash)),
        ("Cash", cents(summary.cash)),
        ("Equity", cents(summary.equity)),
        ("Realized P&L", cents(summary.realized_pnl)),
        ("Unrealized P&L", cents(summary.unrealized_pnl)),
        ("Fees", cents(summary.fees_paid)),
        ("Total return", number(stats.total_return_pct, suffix="%")),
        ("CAGR", number(stats.cagr_pct, suffix="%")),
        ("Max drawdown", number(stats.max_drawdown_pct, suffix="%")),
        ("Sharpe", number(stats.sharpe)),
        ("Sortino", number(stats.sortino)),
        ("Win rate", number(stats.win_rate_pct, suffix="%")),
        ("Profit factor", number(stats.profit_factor)),
        ("Exposure", number(stats.exposure_pct, suffix="%")),
        ("Trades", str(stats.trades)),
        ("Best / worst trade", f"{number(stats.best_trade)} / {number(stats.worst_trade)}"),
    ]
    for label, value in rows:
        result.add_row(label, value)
    return result
