"""``paperdesk demo``: the README's first command — a paper portfolio replayed tick by tick."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from paperdesk.cli.first_steps import next_steps
from paperdesk.cli.fit import Column, fitted, number
from paperdesk.cli.interrupt import note_committed
from paperdesk.cli.money import money, price, quantity
from paperdesk.cli.output import trades_table
from paperdesk.cli.paper_tables import performance_table
from paperdesk.cli.services import services
from paperdesk.service.demo import DEMO_BARS, DEMO_STRATEGIES, DEMO_SYMBOLS, run_demo


def demo_command(
    bars: Annotated[
        int, typer.Option(min=1, max=2000, metavar="N", help="Daily bars to replay per symbol.")
    ] = DEMO_BARS,
    strategy: Annotated[
        list[str] | None,
        typer.Option("--strategy", "-s", metavar="NAME", help="Strategies to run (repeatable)."),
    ] = None,
    symbol: Annotated[
        list[str] | None,
        typer.Option("--symbol", metavar="SYM", help="Bundled symbols to trade (repeatable)."),
    ] = None,
) -> None:
    """Create a demo portfolio in the embedded database and replay bundled real data through
    the live runner, one bar per tick; then show the portfolio, its trades and performance."""
    service = services().portfolios
    console = Console()
    columns = (TextColumn("replaying"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("ticks", total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)
            note_committed(f"{done} of {total} ticks committed, each in its own transaction")

        run = run_demo(
            service,
            strategies=tuple(strategy or DEMO_STRATEGIES),
            symbols=tuple(s.upper() for s in symbol or DEMO_SYMBOLS),
            bars=bars,
            progress=update,
        )
    detail = service.show(run.portfolio_id)
    summary = detail.summary
    console.print(
        f"[bold]Portfolio {summary.id}[/bold] {summary.name!r}: {run.ticks} ticks committed, "
        "each bar analysed and traded exactly once"
    )
    headings = ("Quantity", "Avg price", "Last", "Unrealized P&L")
    position_columns = (Column("Symbol"), *(number(h) for h in headings))
    rows = [
        (
            p.symbol,
            quantity(p.quantity),
            price(p.average_price, p.symbol),
            price(p.last_price, p.symbol),
            money(p.unrealized_pnl, summary.base_currency),
        )
        for p in detail.positions
    ]
    console.print(fitted("Positions", position_columns, rows, console.width))
    trades = service.trades(run.portfolio_id)
    if trades:
        console.print(trades_table(tuple(trades), "1d", console.width))
    else:
        console.print("No closed trades yet.")
    performance = service.performance(run.portfolio_id)
    console.print(performance_table(summary, performance, console.width))
    for line in next_steps(summary.id):
        console.print(line, markup=False, highlight=False, soft_wrap=True)
