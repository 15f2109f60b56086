"""Option annotations shared by many commands (the run options come from ``run_options``)."""

from __future__ import annotations

from typing import Annotated

import typer

DATA = "Data"

JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")]
WideFlag = Annotated[
    bool,
    typer.Option("--wide", help="Show every column at full width (no fitting to the terminal)."),
]
LARGEST_LIMIT = 2**63 - 1  # what the database's 64-bit LIMIT takes


def limit_value(value: int | None) -> int | None:
    """Check ``--limit`` (None: not given): a whole number the database can take."""
    if value is not None and not 1 <= value <= LARGEST_LIMIT:
        raise typer.BadParameter(f"--limit is a whole number from 1 up, got {value}")
    return value


Limit = Annotated[
    int | None,
    typer.Option(metavar="N", help="Show only the last N entries.", callback=limit_value),
]
StrategyPath = Annotated[
    list[str] | None,
    typer.Option(
        "--strategy-path",
        metavar="MODULE:CLASS|FILE.py",
        help="Load a strategy plug-in by import path or file (repeatable).",
    ),
]
StrategyNames = Annotated[
    list[str] | None,
    typer.Option(
        "--strategy",
        "-s",
        metavar="NAME",
        help="Strategy to run (repeatable). (default: macd-cross)",
    ),
]
StrategyParams = Annotated[
    list[str] | None,
    typer.Option(
        "--param", "-p", metavar="[STRATEGY.]KEY=VALUE", help="Strategy parameter (repeatable)."
    ),
]
WatchSymbols = Annotated[
    list[str] | None,
    typer.Option(metavar="SYM", help="Symbol to watch (repeatable).", rich_help_panel=DATA),
]
DataFiles = Annotated[
    list[str] | None,
    typer.Option(metavar="SYMBOL=FILE.csv", help="CSV bars of a symbol.", rich_help_panel=DATA),
]
