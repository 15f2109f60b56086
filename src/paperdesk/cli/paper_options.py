"""Option annotations shared by many commands (the run options come from ``run_options``)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated

import typer

from paperdesk.domain.parsing import LARGEST_INTEGER, optional_decimal

DATA = "Data"

JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")]
WideFlag = Annotated[
    bool,
    typer.Option("--wide", help="Show every column at full width (no fitting to the terminal)."),
]
# the plan guardrails a simulation reads (``PlanSettings.stop_loss_priority`` and
# ``eod_close_intraday``), for ``simulate`` and ``walkforward`` alike
TakeProfitFirst = Annotated[
    bool,
    typer.Option(
        "--take-profit-first",
        help="A candle touching stop and target (undecided by finer bars) exits at the target: "
        "the optimistic bound (default: the stop-loss first).",
    ),
]
NoEodClose = Annotated[
    bool,
    typer.Option(
        "--no-eod-close", help="In INTRADAY mode, keep trades open past the session's close."
    ),
]
# the backtest's forex spread, for the plan simulator of ``simulate`` and ``walkforward``
SpreadPips = Annotated[
    str | None,
    typer.Option(
        metavar="N",
        help="Forex spread in pips (forex pairs pay half of it instead of the bps "
        "slippage; limits trade the ask or the bid), as the backtest's.",
    ),
]


def spread_pips(value: str | None) -> Decimal | None:
    """``--spread-pips`` read as the backtest reads it (a number above 0; none: no spread)."""
    return None if value is None else optional_decimal(value, "--spread-pips")


def counting_number(label: str) -> Callable[[int | None], int | None]:
    """A Typer callback checking a whole number from 1 up that the ledger's 64-bit integers
    hold (an id, a ``--limit``); None: not given."""

    def check(value: int | None) -> int | None:
        if value is not None and not 1 <= value <= LARGEST_INTEGER:
            raise typer.BadParameter(f"{label} is a whole number from 1 up, got {value}")
        return value

    return check


limit_value = counting_number("--limit")


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
EditedStrategyNames = Annotated[
    list[str] | None,
    typer.Option(
        "--strategy",
        "-s",
        metavar="NAME",
        help="Strategy to run (repeatable; replaces the list). (default: unchanged)",
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
QuoteFiles = Annotated[
    list[str] | None,
    typer.Option(
        "--quotes",
        metavar="SYMBOL=FILE.csv",
        help="Quote bars (bid and ask) of a symbol, merged with its bars by timestamp.",
        rich_help_panel=DATA,
    ),
]
