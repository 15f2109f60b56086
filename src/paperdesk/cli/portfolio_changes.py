"""``paperdesk portfolio rename|edit|unarchive``: change a portfolio after it was created.

Each command is one transaction of the portfolio service, recorded in the audit log.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from paperdesk.cli import paper_options as opt
from paperdesk.cli.output import print_json
from paperdesk.cli.portfolios import PortfolioId, open_service
from paperdesk.cli.run_options import with_run_options
from paperdesk.domain.errors import OptionError
from paperdesk.service import RunConfig
from paperdesk.service.portfolio_edits import edited_config


def rename_command(
    portfolio_id: PortfolioId,
    name: Annotated[str, typer.Argument(help="The new name.")],
    json_output: opt.JsonFlag = False,
) -> None:
    """Give a portfolio a new name."""
    service = open_service()
    service.rename_portfolio(portfolio_id, name)
    if json_output:
        print_json({"id": portfolio_id, "name": name.strip()})
    else:
        typer.echo(f"renamed portfolio {portfolio_id} to {name.strip()!r}")


def unarchive_command(portfolio_id: PortfolioId, json_output: opt.JsonFlag = False) -> None:
    """Make an archived portfolio active again."""
    open_service().unarchive_portfolio(portfolio_id)
    if json_output:
        print_json({"id": portfolio_id, "status": "active"})
    else:
        typer.echo(f"unarchived portfolio {portfolio_id}")


NoSymbols = Annotated[
    bool,
    typer.Option(
        "--no-symbols",
        help="Empty the watch list: the portfolio trades the symbols it is asked to, and the "
        "worker ticks those it holds or has orders in (not with --symbol or --data).",
        rich_help_panel=opt.DATA,
    ),
]


@with_run_options("portfolio", changes=True)
def edit_command(
    portfolio_id: PortfolioId,
    strategy: opt.EditedStrategyNames = None,
    param: opt.StrategyParams = None,
    strategy_path: opt.StrategyPath = None,
    symbol: opt.WatchSymbols = None,
    no_symbols: NoSymbols = False,
    data: opt.DataFiles = None,
    json_output: opt.JsonFlag = False,
    *,
    run_options: dict[str, object | None],
) -> None:
    """Change a portfolio's run settings: only the options given change (--strategy and
    --symbol replace the lists, --no-symbols empties the watch list; --param alone changes
    the current strategies' parameters)."""
    if no_symbols and (symbol or data):
        given = "--symbol names the symbols" if symbol else "--data adds its symbols"
        raise OptionError(
            f"--no-symbols cannot be given with {given.split()[0]}: --no-symbols empties the "
            f"watch list, {given} to watch (give one of them)"
        )

    def edit(current: RunConfig) -> RunConfig:
        return edited_config(
            current,
            run_options,
            strategies=strategy or (),
            params=param or (),
            symbols=symbol or (),
            data=data or (),
            strategy_paths=strategy_path or (),
            no_symbols=no_symbols,
        )

    changes = open_service().edit_portfolio(portfolio_id, edit)
    if json_output:
        print_json({"id": portfolio_id, "changes": changes})
    elif not changes:
        typer.echo(f"portfolio {portfolio_id}: nothing changed")
    else:
        for key, change in changes.items():
            before, after = (json.dumps(change[side]) for side in ("from", "to"))
            typer.echo(f"portfolio {portfolio_id}: {key} {before} -> {after}")


def register(portfolio_app: typer.Typer) -> None:
    portfolio_app.command("rename")(rename_command)
    portfolio_app.command("edit")(edit_command)
    portfolio_app.command("unarchive")(unarchive_command)
