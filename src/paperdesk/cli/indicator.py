"""The ``paperdesk indicator [NAME]`` command: an indicator's values over a CSV file (or a run
file), as a table or JSON; without a name, the list of indicators."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from paperdesk.cli.fit import Column, console, fitted, number, text
from paperdesk.cli.output import print_json
from paperdesk.domain.errors import OptionError
from paperdesk.domain.parsing import parse_param


def indicator_command(
    name: Annotated[
        str | None,
        typer.Argument(metavar="[NAME]", help="sma, ema, rsi, macd, tsi or atr; none: list them."),
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE.csv",
            help="CSV file: the first column labels the rows, a 'close' column (any case) "
            "holds the prices (atr also reads 'high' and 'low').",
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            "-p",
            metavar="KEY=VALUE",
            help="Indicator parameter, repeatable (e.g. fast=12, seed=first).",
        ),
    ] = None,
    column: Annotated[
        str | None, typer.Option(metavar="NAME", help="The column holding the close.")
    ] = None,
    at: Annotated[
        list[str] | None,
        typer.Option(
            metavar="LABEL", help="Show the row with this label (or its unique start); repeatable."
        ),
    ] = None,
    last: Annotated[
        int | None, typer.Option(metavar="N", help="Show the last N rows. (default: 10)")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            metavar="RUN.toml", help="Indicator run file; options given here win over it."
        ),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print one JSON object instead of a table.")
    ] = False,
) -> None:
    """Compute an indicator (SMA, EMA, RSI, MACD, TSI, ATR) over a CSV file and show its values."""
    from paperdesk.service.indicator_runs import (  # pandas and TA-Lib: not for --help
        IndicatorRun,
        describe_indicators,
        read_indicator_file,
    )

    if name is None and config is None:
        listed = describe_indicators()
        if json_output:
            print_json({"indicators": listed})
        else:
            out = console()
            out.print(_catalogue(listed, out.width))
        return
    run = read_indicator_file(config) if config is not None else None
    given = dict(parse_param(text) for text in param or ())
    if run is None:
        if data is None:
            raise OptionError("no data given: pass --data FILE.csv (or --config RUN.toml)")
        run = IndicatorRun(indicator=name or "", data=data)
    run = dataclasses.replace(
        run,
        indicator=name or run.indicator,
        data=data or run.data,
        params={**run.params, **given},
        column=column or run.column,
        at=tuple(at) if at else run.at,
        last=last if last is not None else run.last,
    )
    document = run.run()
    if json_output:
        print_json(document)
    else:
        out = console()
        out.print(_values(document, out.width))


def _catalogue(listed: list[dict[str, Any]], width: int | None) -> Table:
    """The indicators, laid out as every other table (``cli.fit``)."""
    columns = [
        Column("Name"),
        text("Parameters (defaults)"),
        Column("Reads"),
        text("Lines"),
        text("What"),
    ]
    rows = [
        [
            escape(entry["name"]),
            escape(" ".join(f"{key}={value}" for key, value in entry["params"].items())),
            escape(", ".join(entry["columns"])),
            escape(", ".join(entry["lines"])),
            escape(entry["description"]),
        ]
        for entry in listed
    ]
    return fitted("Indicators", columns, rows, width)


def _values(document: dict[str, Any], width: int | None) -> Table:
    """The rows asked for, laid out as every other table (``cli.fit``)."""
    parameters = ", ".join(f"{key}={value}" for key, value in document["params"].items())
    title = (
        f"{document['indicator']}({parameters}) over {Path(document['data']).name}, "
        f"{document['bars']} rows"
    )
    columns = [number("Row"), text("Label"), *(number(line) for line in document["lines"])]
    rows = [
        [
            str(entry["row"]),
            escape(str(entry["label"])),
            *("-" if entry[line] is None else f"{entry[line]:.8f}" for line in document["lines"]),
        ]
        for entry in document["values"]
    ]
    return fitted(escape(title), columns, rows, width)
