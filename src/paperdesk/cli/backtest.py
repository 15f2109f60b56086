"""The ``paperdesk backtest`` command."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.text import Text

from paperdesk.cli.asset_class import AssetClassOption
from paperdesk.cli.charts import chart_text
from paperdesk.cli.output import print_json, print_report, progress_bar
from paperdesk.cli.paper_options import StrategyPath, WideFlag
from paperdesk.cli.plot_files import PlotFile, check_plot_path, write_plot
from paperdesk.cli.run_options import with_run_options
from paperdesk.cli.services import services
from paperdesk.domain.errors import OptionError
from paperdesk.service import result_to_dict
from paperdesk.service.run_files import build_config

if TYPE_CHECKING:  # the engine's result (pandas) is imported when a backtest runs
    from paperdesk.service import BacktestResult


@with_run_options("backtest")
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
    strategy_path: StrategyPath = None,
    symbol: Annotated[
        list[str] | None,
        typer.Option(
            metavar="SYM",
            help="Symbol to backtest (its bars, or the instrument a --data file holds).",
            rich_help_panel="Data",
        ),
    ] = None,
    config: Annotated[
        str | None,
        typer.Option(metavar="RUN.toml", help="TOML run file; options given here win over it."),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print one JSON object instead of tables.")
    ] = False,
    asset_class: AssetClassOption = None,
    plot: PlotFile = None,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            metavar="FILE.html",
            help="Write the result's report: one self-contained HTML page with interactive "
            "charts (equity, drawdown, monthly returns, P&L distribution, outcomes) and its data.",
        ),
    ] = None,
    wide: WideFlag = False,
    *,
    run_options: dict[str, object | None],
) -> None:
    """Backtest a strategy on one instrument."""
    if symbol is not None and len(symbol) > 1:  # the option is a list only to say this
        raise OptionError(
            f"--symbol is given {len(symbol)} times ({', '.join(symbol)}): a backtest runs one "
            "symbol (run one backtest per symbol, or a paper portfolio to trade several)"
        )
    options: dict[str, object | None] = {
        "strategy": strategy,
        "symbol": symbol[0] if symbol else None,
        "strategy_path": strategy_path or None,
        **run_options,
    }
    run_file = Path(config).expanduser() if config is not None else None
    run_config = build_config(options, param or (), run_file)
    plot_path = check_plot_path(plot) if plot is not None else None
    report_path = _report_path(report) if report is not None else None
    with progress_bar(enabled=not json_output and sys.stderr.isatty()) as progress:
        result = services().backtests.run(run_config, progress, asset_class=asset_class)
    for warning in coverage_warnings(run_config.start, run_config.end, result):
        typer.echo(f"warning: {warning}", err=True)
    if json_output:
        print_json(result_to_dict(result))
    else:
        print_report(result, wide=wide)
        print_equity(result, wide=wide)
    if report_path is not None:
        reports = services().result_reports
        reports.write(reports.backtest(result), report_path)
        if not json_output:
            typer.echo(f"wrote {report_path}", err=True)
    if plot_path is not None:
        curve = result.equity_curve
        title = f"{result.config.strategy} on {result.symbol} ({result.timeframe})"
        write_plot(plot_path, list(curve.index), curve.tolist(), title)


SHORTFALL = timedelta(days=7)  # weekends and holidays are no gap worth a warning


def coverage_warnings(start: date | None, end: date | None, result: BacktestResult) -> list[str]:
    """What the run's bars leave out of the asked --from..--to: an imported or backfilled
    series is used instead of the bundled one, so a short one silently narrows the run."""
    first, last = result.stats.start.date(), result.stats.end.date()
    series = f"the {result.symbol} {result.timeframe} bars"
    found: list[str] = []
    if start is not None and first - start > SHORTFALL:
        found.append(f"{series} begin on {first}, {(first - start).days} days after --from {start}")
    if end is not None and end - last > SHORTFALL:
        found.append(f"{series} end on {last}, {(end - last).days} days before --to {end}")
    if found and result.config.data is None:
        found.append(
            "stored bars (imported or backfilled) take the place of a bundled series: "
            "`paperdesk data list` shows what is stored"
        )
    return found


def _report_path(report: Path) -> Path:
    from paperdesk.service.report_files import check_report_path  # the service loads pandas

    return check_report_path(report, "--report")


def print_equity(result: BacktestResult, *, wide: bool = False) -> None:
    """The equity curve and its drawdown as a small block chart, fitted to the terminal."""
    out = Console()
    text = chart_text(result.equity_curve.tolist(), "Equity curve", None if wide else out.width)
    if text:
        out.print(Text(text))
