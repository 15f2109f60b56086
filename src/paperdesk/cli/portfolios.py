"""``paperdesk create-portfolio`` and ``paperdesk portfolio list|show|archive``."""

from __future__ import annotations

from typing import Annotated

import typer

from paperdesk.cli import paper_options as opt
from paperdesk.cli import values
from paperdesk.cli.output import print_json
from paperdesk.cli.paper_tables import (
    console,
    performance_table,
    portfolios_table,
    print_detail,
)
from paperdesk.service.admin import open_database
from paperdesk.service.documents import json_value
from paperdesk.service.paper_documents import detail_document, summary_document
from paperdesk.service.portfolios import PortfolioService
from paperdesk.settings import Settings

portfolio_app = typer.Typer(help="List, show and archive paper portfolios.", no_args_is_help=True)

PortfolioId = Annotated[
    int,
    typer.Argument(
        metavar="PORTFOLIO_ID", help="The portfolio's id.", min=1, max=2**63 - 1
    ),  # ids are 64-bit: a larger number is a usage error, not a database overflow
]


def open_service() -> PortfolioService:
    """The portfolio service on the configured database (DATABASE_URL or PAPERDESK_HOME)."""
    return PortfolioService(open_database(Settings().database_url_value()))


def create_portfolio_command(
    name: Annotated[str, typer.Argument(help="The portfolio's name.")],
    cash: Annotated[str, typer.Argument(metavar="CASH", help="Starting cash, e.g. 10000.")],
    currency: Annotated[str, typer.Option(metavar="CCY", help="Base currency.")] = "USD",
    strategy: Annotated[
        list[str] | None,
        typer.Option(
            "--strategy", "-s", metavar="NAME", help="Strategy to run (repeatable). [macd-cross]"
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param", "-p", metavar="[STRATEGY.]KEY=VALUE", help="Strategy parameter (repeatable)."
        ),
    ] = None,
    symbol: Annotated[
        list[str] | None,
        typer.Option(metavar="SYM", help="Symbol to watch (repeatable).", rich_help_panel=opt.DATA),
    ] = None,
    timeframe: Annotated[
        str | None, typer.Option(metavar="TF", help="Candle length. [1d]", rich_help_panel=opt.DATA)
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            metavar="bundled|replay", help="Market data source.", rich_help_panel=opt.DATA
        ),
    ] = None,
    replay_from: Annotated[
        str | None,
        typer.Option(
            metavar="DATE", help="First candle a replay serves.", rich_help_panel=opt.DATA
        ),
    ] = None,
    data: Annotated[
        list[str] | None,
        typer.Option(
            metavar="SYMBOL=FILE.csv", help="CSV candles of a symbol.", rich_help_panel=opt.DATA
        ),
    ] = None,
    commission: opt.Commission = None,
    slippage_bps: opt.SlippageBps = None,
    spread_pips: opt.SpreadPips = None,
    fill: opt.Fill = None,
    volume_cap: opt.VolumeCap = None,
    sizer: opt.Sizer = None,
    size_pct: opt.SizePct = None,
    quantity: opt.Quantity = None,
    risk_pct: opt.RiskPct = None,
    lots: opt.Lots = None,
    size_at: opt.SizeAt = None,
    allow_short: opt.AllowShort = None,
    pyramiding: opt.Pyramiding = None,
    exposure_cap: opt.ExposureCap = None,
    max_position_pct: opt.MaxPositionPct = None,
    max_open_positions: opt.MaxOpenPositions = None,
    max_holding_bars: opt.MaxHoldingBars = None,
    daily_loss_limit: opt.DailyLossLimit = None,
    min_confidence: opt.MinConfidence = None,
    cooldown_bars: opt.CooldownBars = None,
    json_output: opt.JsonFlag = False,
) -> None:
    """Create a persistent paper portfolio and print its id."""
    starting_cash = values.decimal_value(cash, "CASH")
    settings = opt.portfolio_settings(
        strategies=strategy or (),
        params=param or (),
        symbols=symbol or (),
        timeframe=timeframe,
        source=source,
        replay_from=replay_from,
        data=data or (),
        rules={
            "commission": commission,
            "slippage_bps": slippage_bps,
            "spread_pips": spread_pips,
            "fill": fill,
            "volume_cap": volume_cap,
            "sizer": sizer,
            "size_pct": size_pct,
            "quantity": quantity,
            "risk_pct": risk_pct,
            "lots": lots,
            "size_at": size_at,
            "allow_short": allow_short,
            "pyramiding": pyramiding,
            "exposure_cap": exposure_cap,
            "max_position_pct": max_position_pct,
            "max_open_positions": max_open_positions,
            "max_holding_bars": max_holding_bars,
            "daily_loss_limit": daily_loss_limit,
            "min_confidence": min_confidence,
            "cooldown_bars": cooldown_bars,
        },
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
        f"created portfolio {portfolio_id} {name.strip()!r} with {starting_cash} "
        f"{currency.upper()} running {strategies}",
        err=True,
    )


@portfolio_app.command("list")
def list_command(
    include_archived: Annotated[
        bool, typer.Option("--all", help="Include archived portfolios.")
    ] = False,
    json_output: opt.JsonFlag = False,
) -> None:
    """List the portfolios with their cash, equity and P&L."""
    summaries = open_service().list_portfolios(include_archived=include_archived)
    if json_output:
        print_json({"portfolios": [summary_document(s) for s in summaries]})
    elif summaries:
        console().print(portfolios_table(summaries))
    else:
        typer.echo("No portfolios yet: create one with paperdesk create-portfolio NAME CASH.")


@portfolio_app.command("show")
def show_command(portfolio_id: PortfolioId, json_output: opt.JsonFlag = False) -> None:
    """Cash, positions with unrealized P&L, equity, realized P&L and open orders."""
    detail = open_service().show(portfolio_id)
    if json_output:
        print_json(detail_document(detail))
    else:
        print_detail(detail)


@portfolio_app.command("performance")
def performance_command(portfolio_id: PortfolioId, json_output: opt.JsonFlag = False) -> None:
    """Total return, drawdown, Sharpe, win rate and the rest over the equity history."""
    service = open_service()
    stats = service.performance(portfolio_id)
    summary = service.show(portfolio_id).summary
    if json_output:
        stats_document = {k: json_value(v) for k, v in stats.to_dict().items()}
        print_json({"portfolio": summary_document(summary), "stats": stats_document})
    else:
        console().print(performance_table(summary, stats))


@portfolio_app.command("archive")
def archive_command(portfolio_id: PortfolioId, json_output: opt.JsonFlag = False) -> None:
    """Archive a portfolio (it must hold no positions or open orders); it stops trading."""
    service = open_service()
    service.archive_portfolio(portfolio_id)
    if json_output:
        print_json({"id": portfolio_id, "status": "archived"})
    else:
        typer.echo(f"archived portfolio {portfolio_id}")
