"""The ``paperdesk strategies`` command."""

from __future__ import annotations

from typing import Annotated

import typer

from paperdesk.cli.fit import Column, console, fitted, text
from paperdesk.cli.output import print_json
from paperdesk.cli.paper_options import WideFlag
from paperdesk.cli.services import services


def strategies_command(
    json_output: Annotated[
        bool, typer.Option("--json", help="Print one JSON object instead of a table.")
    ] = False,
    wide: WideFlag = False,
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
    out = console(wide=wide)
    columns = (Column("Name"), text("Description"))
    out.print(fitted("Strategies", columns, described, None if wide else out.width))
