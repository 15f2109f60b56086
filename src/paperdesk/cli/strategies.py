"""The ``paperdesk strategies`` command."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from paperdesk.cli.output import print_json
from paperdesk.cli.services import services


def strategies_command(
    json_output: Annotated[
        bool, typer.Option("--json", help="Print one JSON object instead of a table.")
    ] = False,
) -> None:
    """List the registered strategies."""
    described = services().backtests.strategies()
    if json_output:
        print_json(
            {
                "strategies": [
                    {"name": name, "description": description} for name, description in described
                ]
            }
        )
        return
    table = Table(title="Strategies")
    table.add_column("Name")
    table.add_column("Description")
    for name, description in described:
        table.add_row(name, description)
    Console().print(table)
