"""The ``paperdesk`` command line: ``app`` for Typer and ``main()`` for the console script."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

import typer

from paperdesk.cli import ledger, portfolio_changes
from paperdesk.cli.backtest import backtest_command
from paperdesk.cli.conventions import PaperdeskGroup
from paperdesk.cli.data import data_app
from paperdesk.cli.database import db_app
from paperdesk.cli.demo import demo_command
from paperdesk.cli.portfolios import create_portfolio_command, portfolio_app
from paperdesk.cli.run import run_command
from paperdesk.cli.strategies import strategies_command
from paperdesk.cli.trading import mark_command, order_app, position_app, trade_command
from paperdesk.cli.transfer import export_command, import_command

app = typer.Typer(
    cls=PaperdeskGroup,
    help="paperdesk: backtest and paper-trade strategies.",
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("backtest")(backtest_command)
app.command("strategies")(strategies_command)

# paper trading
app.command("create-portfolio")(create_portfolio_command)
app.command("trade")(trade_command)
portfolio_changes.register(portfolio_app)
app.add_typer(portfolio_app, name="portfolio")
ledger.register(app)
app.add_typer(order_app, name="order")
app.add_typer(position_app, name="position")
app.command("mark")(mark_command)
app.command("run")(run_command)
app.command("export")(export_command)
app.command("import")(import_command)
app.add_typer(db_app, name="db")
app.add_typer(data_app, name="data")
app.command("demo")(demo_command)


def package_version() -> str:
    try:
        return version("paperdesk")
    except PackageNotFoundError:
        return "unknown"


def show_version(requested: bool) -> None:
    if requested:
        typer.echo(f"paperdesk {package_version()}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def root(
    context: typer.Context,
    show: Annotated[
        bool,
        typer.Option(
            "--version", callback=show_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """paperdesk: backtest and paper-trade strategies."""
    if context.invoked_subcommand is None:
        typer.echo(context.get_help())


def main() -> None:
    """Console-script entry point: errors end as one line on stderr and an exit code."""
    app()
