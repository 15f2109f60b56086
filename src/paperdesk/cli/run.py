"""``paperdesk run ID --every 1m``: tick a portfolio on a schedule until stopped."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from paperdesk.cli.interrupt import stop_on_signals
from paperdesk.cli.money import money
from paperdesk.cli.portfolios import open_service, portfolio_id_value
from paperdesk.domain import InvalidInputError, PaperdeskError
from paperdesk.domain.errors import OptionError
from paperdesk.domain.ticks import BarTick, TickStatus
from paperdesk.service.scheduler import RoundReport, Scheduler, parse_interval

if TYPE_CHECKING:
    from paperdesk.service.portfolios import PortfolioService


def run_command(
    portfolio_id: Annotated[
        int | None,
        typer.Argument(
            metavar="PORTFOLIO_ID", help="The portfolio's id.", callback=portfolio_id_value
        ),
    ] = None,
    every: Annotated[
        str, typer.Option(metavar="INTERVAL", help="How often to tick, e.g. 30s, 1m, 1h, 1d.")
    ] = "1m",
    symbol: Annotated[
        list[str] | None,
        typer.Option(metavar="SYM", help="Symbols to tick (default: the watch list)."),
    ] = None,
    strategy: Annotated[
        list[str] | None,
        typer.Option("--strategy", "-s", metavar="NAME", help="Run only these strategies."),
    ] = None,
    max_ticks: Annotated[
        int | None,
        typer.Option(min=1, metavar="N", help="Stop after N rounds (each ticks every symbol)."),
    ] = None,
    old_portfolio: Annotated[
        int | None, typer.Option("--portfolio", hidden=True, callback=portfolio_id_value)
    ] = None,  # before PORTFOLIO_ID was positional, as in every other command
) -> None:
    """Tick every watched symbol each interval until Ctrl-C or SIGTERM (stops between ticks)."""
    portfolio = portfolio_id if portfolio_id is not None else old_portfolio
    if portfolio is None:
        raise OptionError("missing PORTFOLIO_ID: paperdesk run PORTFOLIO_ID [--every 1m]")
    try:
        interval = parse_interval(every)
    except InvalidInputError as error:
        raise OptionError(str(error)) from None
    service = open_service()
    symbols = _symbols(service, portfolio, symbol or ())
    currency = service.show(portfolio).summary.base_currency
    scheduler = Scheduler(
        lambda s: service.tick(portfolio, s, strategies=strategy or None),
        symbols,
        interval,
        on_round=lambda report: _report(report, currency),
    )
    typer.echo(
        f"running portfolio {portfolio} on {', '.join(symbols)} every {every} "
        "(Ctrl-C stops after the tick in progress)",
        err=True,
    )
    with stop_on_signals(scheduler):
        rounds = scheduler.run(max_ticks)
    why = "stopped" if scheduler.stopped else "done"
    typer.echo(f"{why} after {rounds} round(s)", err=True)
    if scheduler.failed_ticks:
        raise PaperdeskError(
            f"{scheduler.failed_ticks} tick(s) failed with {scheduler.distinct_errors} "
            "distinct error(s), each shown above once"
        )


def _symbols(
    service: PortfolioService, portfolio_id: int, given: tuple[str, ...] | list[str]
) -> list[str]:
    detail = service.show(portfolio_id)  # an unknown portfolio fails here, before any waiting
    if detail.summary.status != "active":
        raise InvalidInputError(
            f"portfolio {portfolio_id} is {detail.summary.status}; it cannot trade"
        )
    symbols = [s.strip().upper() for s in given if s.strip()] or list(detail.settings.symbols)
    if not symbols:
        raise OptionError(f"portfolio {portfolio_id} has no watch list: pass --symbol SYM")
    return list(dict.fromkeys(symbols))


def _report(report: RoundReport, currency: str = "USD") -> None:
    for ticks in report.ticks.values():
        for tick in ticks:
            typer.echo(f"[{report.number}] {_line(tick, currency)}")
    for symbol, error in report.new_errors.items():
        typer.echo(f"[{report.number}] {symbol}: error: {error}", err=True)


def _line(tick: BarTick, currency: str = "USD") -> str:
    if tick.status is TickStatus.PROCESSED:
        cash, equity = money(tick.cash, currency), money(tick.equity, currency)
        extra = f" | fills {len(tick.fills)}, cash {cash}, equity {equity}"
        return tick.message + (extra if tick.fills else "")
    return f"{tick.symbol}: {tick.message}"
