"""The ``paperdesk backtest`` command."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from paperdesk.cli.output import print_json, print_report, progress_bar
from paperdesk.cli.runfile import build_config
from paperdesk.service import BacktestService, result_to_dict

DATA = "Data"
SIZING = "Sizing"
RISK = "Risk rules"
EXECUTION = "Execution"


def backtest_command(
    strategy: Annotated[
        str | None,
        typer.Option("--strategy", "-s", metavar="NAME", help="Registered strategy name."),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            "-p",
            metavar="KEY=VALUE",
            help="Strategy parameter (repeatable); the value is read as TOML, else as text.",
        ),
    ] = None,
    data: Annotated[
        str | None, typer.Option(metavar="FILE.csv", help="OHLCV CSV file.", rich_help_panel=DATA)
    ] = None,
    symbol: Annotated[
        str | None,
        typer.Option(metavar="SYM", help="Symbol to load instead of a CSV.", rich_help_panel=DATA),
    ] = None,
    timeframe: Annotated[
        str | None,
        typer.Option(
            metavar="TF", help="Bar length, e.g. 1d, 1h. (default: 1d)", rich_help_panel=DATA
        ),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--from", metavar="DATE", help="First day (YYYY-MM-DD).", rich_help_panel=DATA
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--to", metavar="DATE", help="Last day (YYYY-MM-DD).", rich_help_panel=DATA),
    ] = None,
    cash: Annotated[
        str | None, typer.Option(metavar="N", help="Starting cash. (default: 10000)")
    ] = None,
    commission: Annotated[
        str | None,
        typer.Option(metavar="SPEC", help="Fee model. (default: none)", rich_help_panel=EXECUTION),
    ] = None,
    slippage_bps: Annotated[
        str | None,
        typer.Option(
            metavar="N", help="Slippage in basis points. (default: 5)", rich_help_panel=EXECUTION
        ),
    ] = None,
    spread_pips: Annotated[
        str | None,
        typer.Option(
            metavar="N",
            help="Forex spread in pips (replaces bps slippage).",
            rich_help_panel=EXECUTION,
        ),
    ] = None,
    fill: Annotated[
        str | None,
        typer.Option(
            metavar="next-open|close",
            help="When market orders fill. (default: next-open)",
            rich_help_panel=EXECUTION,
        ),
    ] = None,
    volume_cap: Annotated[
        str | None,
        typer.Option(
            metavar="FRACTION",
            help="Max fraction of a bar's volume filled per bar.",
            rich_help_panel=EXECUTION,
        ),
    ] = None,
    sizer: Annotated[
        str | None,
        typer.Option(
            metavar="SIZER",
            help="percent-equity, fixed, risk or lots. (default: percent-equity)",
            rich_help_panel=SIZING,
        ),
    ] = None,
    size_pct: Annotated[
        str | None,
        typer.Option(
            metavar="N", help="Percent of equity per entry. (default: 80)", rich_help_panel=SIZING
        ),
    ] = None,
    quantity: Annotated[
        str | None,
        typer.Option(metavar="N", help="Units per entry (fixed sizer).", rich_help_panel=SIZING),
    ] = None,
    risk_pct: Annotated[
        str | None,
        typer.Option(
            metavar="N",
            help="Percent of equity risked to the stop (risk sizer).",
            rich_help_panel=SIZING,
        ),
    ] = None,
    lots: Annotated[
        str | None,
        typer.Option(
            metavar="N", help="Forex lots per entry (lots sizer).", rich_help_panel=SIZING
        ),
    ] = None,
    size_at: Annotated[
        str | None,
        typer.Option(
            metavar="signal|fill",
            help="Decide quantity at signal or fill. (default: signal)",
            rich_help_panel=SIZING,
        ),
    ] = None,
    allow_short: Annotated[
        bool | None,
        typer.Option(
            "--allow-short/--long-only",
            help="Allow short entries. (default: long-only)",
            show_default=False,
            rich_help_panel=RISK,
        ),
    ] = None,
    pyramiding: Annotated[
        bool | None,
        typer.Option(
            "--pyramiding/--no-pyramiding",
            help="Allow adding to a position.",
            show_default=False,
            rich_help_panel=RISK,
        ),
    ] = None,
    exposure_cap: Annotated[
        str | None,
        typer.Option(
            metavar="PCT|none",
            help="Gross exposure cap in percent. (default: 80)",
            rich_help_panel=RISK,
        ),
    ] = None,
    max_position_pct: Annotated[
        str | None,
        typer.Option(
            metavar="PCT", help="Max position size in percent of equity.", rich_help_panel=RISK
        ),
    ] = None,
    max_open_positions: Annotated[
        str | None, typer.Option(metavar="N", help="Max open positions.", rich_help_panel=RISK)
    ] = None,
    max_holding_bars: Annotated[
        str | None,
        typer.Option(metavar="N", help="Exit after this many bars.", rich_help_panel=RISK),
    ] = None,
    daily_loss_limit: Annotated[
        str | None,
        typer.Option(
            metavar="PCT",
            help="Stop entering after losing this percent in a day.",
            rich_help_panel=RISK,
        ),
    ] = None,
    min_confidence: Annotated[
        str | None,
        typer.Option(
            metavar="X", help="Ignore signals below this confidence (0-1).", rich_help_panel=RISK
        ),
    ] = None,
    cooldown_bars: Annotated[
        str | None,
        typer.Option(
            metavar="N",
            help="Bars to wait after an accepted signal before the next one for the symbol.",
            rich_help_panel=RISK,
        ),
    ] = None,
    config: Annotated[
        str | None,
        typer.Option(metavar="RUN.toml", help="TOML run file; options given here win over it."),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print one JSON object instead of tables.")
    ] = False,
) -> None:
    """Backtest a strategy on one instrument."""
    options: dict[str, object | None] = {
        "strategy": strategy,
        "data": data,
        "symbol": symbol,
        "timeframe": timeframe,
        "from": start,
        "to": end,
        "cash": cash,
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
    }
    run_file = Path(config).expanduser() if config is not None else None
    run_config = build_config(options, param or (), run_file)
    with progress_bar(enabled=not json_output and sys.stderr.isatty()) as progress:
        result = BacktestService().run(run_config, progress)
    if json_output:
        print_json(result_to_dict(result))
    else:
        print_report(result)
