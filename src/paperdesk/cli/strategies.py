"""The ``paperdesk strategies [NAME]`` command: every strategy with its parameters, or one."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich import box
from rich.console import Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from paperdesk.cli.fit import Column, console, fitted, text
from paperdesk.cli.output import print_json
from paperdesk.cli.paper_options import StrategyPath, WideFlag
from paperdesk.cli.services import services


def strategies_command(
    name: Annotated[
        str | None, typer.Argument(metavar="[NAME]", help="Show this strategy in detail.")
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print one JSON object instead of a table.")
    ] = False,
    wide: WideFlag = False,
    strategy_path: StrategyPath = None,
) -> None:
    """List the strategies with their parameters (type, default, meaning), or show one."""
    backtests = services().backtests
    paths = strategy_path or ()
    if name is not None:
        document = backtests.describe_strategy(name, paths)
        if json_output:
            print_json(document)
        else:
            console(wide=wide).print(strategy_detail(document))
        return
    described = backtests.describe_strategies(paths)
    if json_output:
        print_json({"strategies": described})
    else:
        out = console(wide=wide)
        out.print(strategies_table(described, None if wide else out.width))


def default_text(value: object) -> str:
    """A default as ``--param`` takes it (TOML): true/false, quoted text, plain numbers."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return "-" if value is None else str(value)


def _parameters(document: dict[str, Any]) -> list[dict[str, Any]]:
    return list(document.get("parameters") or [])


# Kind is left out first when narrow, then the description (``strategies NAME`` shows it);
# a parameter is one line of its cell, never folded, so the column is kept whole.
STRATEGY_COLUMNS = (
    Column("Name"),
    Column("Kind", drop=2),
    Column("Parameters (defaults)"),
    text("Description", drop=1),
)


def strategies_table(described: list[dict[str, Any]], width: int | None = 80) -> Table:
    """One row per strategy: name, kind, its parameters with defaults, and the description,
    laid out for ``width`` columns (None: no limit)."""
    rows = [
        (
            escape(str(document["name"])),
            escape(str(document.get("kind", ""))),
            escape(
                "\n".join(
                    f"{parameter['name']}={default_text(parameter['default'])}"
                    for parameter in _parameters(document)
                )
                or "-"
            ),
            escape(str(document.get("description", ""))),
        )
        for document in described
    ]
    return fitted("Strategies", STRATEGY_COLUMNS, rows, width, row_lines=True)


def strategy_detail(document: dict[str, Any]) -> Group:
    """One strategy: what it does, where it comes from and each parameter in full."""
    heading = Text.assemble(
        (str(document["name"]), "bold"), f" ({document.get('kind', '')}, {document['source']})"
    )
    parameters = Table(title="Parameters", box=box.SIMPLE_HEAD)
    for column in ("Name", "Type", "Default", "Meaning"):
        parameters.add_column(column, no_wrap=column != "Meaning")
    for parameter in _parameters(document):
        parameters.add_row(
            Text(str(parameter["name"])),
            Text(str(parameter["type"])),
            Text(default_text(parameter["default"])),
            Text(str(parameter["meaning"]) or "-"),
        )
    body = parameters if _parameters(document) else Text("No parameters.")
    return Group(heading, Text(str(document.get("description", ""))), body)
