"""``paperdesk create-portfolio`` and ``paperdesk portfolio list|show|archive``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from paperdesk.cli import paper_options as opt
from paperdesk.cli.asset_class import AssetClassOption
from paperdesk.cli.money import money
from paperdesk.cli.output import print_json
from paperdesk.cli.paper_tables import (
    console,
    performance_table,
    portfolios_table,
    print_detail,
    width_of,
)
from paperdesk.cli.plot_files import PlotFile, check_plot_path, show_equity_history
from paperdesk.cli.run_options import with_run_options
from paperdesk.cli.services import services
from paperdesk.domain import parsing
from paperdesk.service.paper_documents import detail_document, summary_document
from paperdesk.service.run_files import portfolio_config

if TYPE_CHECKING:
    from paperdesk.service.portfolios import PortfolioService

portfolio_app = typer.Typer(help="List, show and archive paper portfolios.", no_args_is_help=True)

portfolio_id_value = opt.counting_number("a portfolio id")


PortfolioId = Annotated[
    int,
    typer.Argument(metavar="PORTFOLIO_ID", help="The portfolio's id.", callback=portfolio_id_value),
]


def open_service() -> PortfolioService:
    """The portfolio service of this command's container (DATABASE_URL or PAPERDESK_HOME)."""
    return services().portfolios


@with_run_options("portfolio")
def create_portfolio_command(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The portfolio's name.")],
    cash: Annotated[str, typer.Argument(metavar="CASH", help="Starting cash, e.g. 10000.")],
    currency: Annotated[str, typer.Option(metavar="CCY", help="Base currency.")] = "USD",
    strategy: opt.StrategyNames = None,
    param: opt.StrategyParams = None,
    strategy_path: opt.StrategyPath = None,
    symbol: opt.WatchSymbols = None,
    data: opt.DataFiles = None,
    quotes: opt.QuoteFiles = None,
    asset_class: AssetClassOption = None,
    json_output: opt.JsonFlag = False,
    *,
    run_options: dict[str, object | None],
) -> None:
    """Create a persistent paper portfolio and print its id."""
    starting_cash = parsing.decimal_value(cash, "CASH")
    settings = portfolio_config(
        run_options,
        strategies=strategy or (),
        params=param or (),
        symbols=symbol or (),
        data=data or (),
        strategy_paths=strategy_path or (),
        asset_class=asset_class,
        quotes=quotes or (),
    )
    service = open_service()
    portfolio_id = service.create_portfolio(
        name, starting_cash, base_currency=currency, settings=settings
    )
    if json_output:
        detail = service.show(portfolio_id)
        print_json({"id": portfolio_id, **detail_document(detail)})
        return
    typer.echo(portfolio_id)
    strategies = ", ".join(spec.name for spec in settings.strategies)
    typer.echo(
        f"created portfolio {portfolio_id} {name.strip()!r} with "
        f"{money(starting_cash, currency)} {currency.upper()} running {strategies}",
        err=True,
    )


@portfolio_app.command("list")
def list_command(
    include_archived: Annotated[
        bool, typer.Option("--all", help="Include archived portfolios.")
    ] = False,
    json_output: opt.JsonFlag = False,
    wide: opt.WideFlag = False,
) -> None:
    """List the portfolios with their cash, equity and P&L."""
    summaries = open_service().list_portfolios(include_archived=include_archived)
    if json_output:
        print_json({"portfolios": [summary_document(s) for s in summaries]})
    elif summaries:
        out = console(wide=wide)
        out.print(portfolios_table(summaries, width_of(out, wide)))
    else:
        typer.echo("No portfolios yet: create one with paperdesk create-portfolio NAME CASH.")


@portfolio_app.command("show")
def show_command(
    portfolio_id: PortfolioId, json_output: opt.JsonFlag = False, wide: opt.WideFlag = False
) -> None:
    """Cash, positions with unrealized P&L, equity, realized P&L and open orders."""
    detail = open_service().show(portfolio_id)
    if json_output:
        print_json(detail_document(detail))
    else:
        print_detail(detail, wide=wide)


@portfolio_app.command("performance")
def performance_command(
    portfolio_id: PortfolioId,
    json_output: opt.JsonFlag = False,
    wide: opt.WideFlag = False,
    plot: PlotFile = None,
) -> None:
    """Total return, drawdown, Sharpe, win rate and the rest over the equity history."""
    service = open_service()
    plot_path = check_plot_path(plot) if plot is not None else None
    snapshot = service.performance_snapshot(portfolio_id)  # one read: the figures agree
    stats = snapshot.required_statistics()
    summary = snapshot.detail.summary
    if json_output:
        # the API's and the report's document: money statistics as decimal strings
        from paperdesk.service.performance_views import statistics_document  # imports pandas

        print_json({"portfolio": summary_document(summary), "stats": statistics_document(stats)})
    else:
        out = console(wide=wide)
        out.print(performance_table(summary, stats, width_of(out, wide)))
    show_equity_history(snapshot.equity, summary.name, plot_path, json_output)


@portfolio_app.command("archive")
def archive_command(portfolio_id: PortfolioId, json_output: opt.JsonFlag = False) -> None:
    """Archive a portfolio (it must hold no positions or open orders); it stops trading."""
    service = open_service()
    service.archive_portfolio(portfolio_id)
    if json_output:
        print_json({"id": portfolio_id, "status": "archived"})
    else:
        typer.echo(f"archived portfolio {portfolio_id}")
