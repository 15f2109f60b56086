"""Options shared by the paper-trading commands, and the portfolio settings built from them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated

import typer

from paperdesk.cli import values
from paperdesk.cli.runfile import Settings, timeframe_value
from paperdesk.cli.sections import execution_config, risk_config, sizing_config
from paperdesk.cli.values import OptionError
from paperdesk.live.settings import SOURCE_KINDS, PortfolioSettings, SourceSettings, StrategySpec

DATA, SIZING, RISK, EXECUTION = "Data", "Sizing", "Risk rules", "Execution"
DEFAULT_STRATEGY = "macd-cross"


def _text(metavar: str, help_text: str, panel: str) -> object:
    return typer.Option(metavar=metavar, help=help_text, rich_help_panel=panel)


JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")]
Limit = Annotated[
    int | None, typer.Option(min=1, metavar="N", help="Show only the last N entries.")
]
Commission = Annotated[
    str | None, _text("SPEC", "Fee model, e.g. percent:0.1. (default: none)", EXECUTION)
]
SlippageBps = Annotated[str | None, _text("N", "Slippage in basis points. (default: 5)", EXECUTION)]
SpreadPips = Annotated[str | None, _text("N", "Forex spread in pips.", EXECUTION)]
Fill = Annotated[str | None, _text("next-open|close", "When market orders fill.", EXECUTION)]
VolumeCap = Annotated[str | None, _text("FRACTION", "Max fraction of a bar's volume.", EXECUTION)]
Sizer = Annotated[str | None, _text("SIZER", "percent-equity, fixed, risk or lots.", SIZING)]
SizePct = Annotated[str | None, _text("N", "Percent of equity per entry. (default: 80)", SIZING)]
Quantity = Annotated[str | None, _text("N", "Units per entry (fixed sizer).", SIZING)]
RiskPct = Annotated[str | None, _text("N", "Percent of equity risked (risk sizer).", SIZING)]
Lots = Annotated[str | None, _text("N", "Forex lots per entry (lots sizer).", SIZING)]
SizeAt = Annotated[str | None, _text("signal|fill", "Decide quantity at signal or fill.", SIZING)]
AllowShort = Annotated[
    bool | None,
    typer.Option("--allow-short/--long-only", show_default=False, rich_help_panel=RISK),
]
Pyramiding = Annotated[
    bool | None,
    typer.Option("--pyramiding/--no-pyramiding", show_default=False, rich_help_panel=RISK),
]
ExposureCap = Annotated[str | None, _text("PCT|none", "Gross exposure cap. (default: 80)", RISK)]
MaxPositionPct = Annotated[str | None, _text("PCT", "Max position in percent of equity.", RISK)]
MaxOpenPositions = Annotated[str | None, _text("N", "Max open positions.", RISK)]
MaxHoldingBars = Annotated[str | None, _text("N", "Exit after this many bars.", RISK)]
DailyLossLimit = Annotated[str | None, _text("PCT", "Stop entering after this daily loss.", RISK)]
MinConfidence = Annotated[str | None, _text("X", "Ignore signals below this confidence.", RISK)]
CooldownBars = Annotated[str | None, _text("N", "Bars to wait between accepted signals.", RISK)]


def strategy_specs(names: Sequence[str], params: Sequence[str]) -> tuple[StrategySpec, ...]:
    """Strategies with their ``--param`` values: ``name.key=value`` targets one strategy,
    ``key=value`` is allowed when there is only one."""
    chosen = list(dict.fromkeys(n.strip() for n in names)) or [DEFAULT_STRATEGY]
    assigned: dict[str, dict[str, object]] = {name: {} for name in chosen}
    for text in params:
        key, value = values.parse_param(text)
        owner, dot, name = key.rpartition(".")
        if not dot:
            if len(chosen) != 1:
                raise OptionError(
                    f"--param {text!r}: with several strategies write strategy.key=value "
                    f"(strategies: {', '.join(chosen)})"
                )
            owner, name = chosen[0], key
        if owner not in assigned:
            raise OptionError(
                f"--param {text!r}: {owner!r} is not one of the strategies ({', '.join(chosen)})"
            )
        assigned[owner][name] = value
    return tuple(StrategySpec(name, assigned[name]) for name in chosen)


def data_files(entries: Sequence[str]) -> dict[str, str]:
    """``SYMBOL=FILE.csv`` pairs (the files must exist) as symbol -> absolute path."""
    files: dict[str, str] = {}
    for entry in entries:
        symbol, separator, name = entry.partition("=")
        symbol = symbol.strip().upper()
        if not separator or not symbol or not name.strip():
            raise OptionError(f"invalid value for --data: {entry!r} (expected SYMBOL=FILE.csv)")
        path = Path(name.strip()).expanduser()
        if not path.is_file():
            raise OptionError(f"data file not found: {path} (from --data {entry})")
        files[symbol] = str(path.resolve())
    return files


def portfolio_settings(
    *,
    strategies: Sequence[str],
    params: Sequence[str],
    symbols: Sequence[str],
    timeframe: str | None,
    source: str | None,
    replay_from: str | None,
    data: Sequence[str],
    rules: Mapping[str, object | None],
) -> PortfolioSettings:
    """The settings of a new portfolio from create-portfolio's options (``rules`` holds the
    sizing, risk and execution options under their backtest names)."""
    kind = (source or "bundled").strip().lower()
    if kind not in SOURCE_KINDS:
        raise values.invalid("--source", source, " or ".join(SOURCE_KINDS))
    start = values.date_value(replay_from, "--replay-from") if replay_from is not None else None
    if start is not None and kind != "replay":
        raise OptionError("--replay-from only applies to --source replay")
    files = data_files(data)
    watched = list(dict.fromkeys(s.strip().upper() for s in symbols if s.strip()))
    watched += [symbol for symbol in files if symbol not in watched]
    settings = Settings(rules, None)
    return PortfolioSettings(
        strategies=strategy_specs(strategies, params),
        symbols=tuple(watched),
        timeframe=timeframe_value(timeframe, "--timeframe") if timeframe is not None else "1d",
        source=SourceSettings(kind, files, start),
        sizing=sizing_config(settings),
        risk=risk_config(settings),
        execution=execution_config(settings),
    )
