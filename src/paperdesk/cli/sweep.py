"""The ``paperdesk sweep STRATEGY`` command: a grid of parameters backtested in parallel, the runs
ranked by a metric, with the deflated Sharpe ratio and the probability of backtest overfitting
beside the best."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from paperdesk.cli.asset_class import AssetClassOption
from paperdesk.cli.fit import Column, console, fitted, number, text
from paperdesk.cli.interrupt import note_committed
from paperdesk.cli.money import money, percent, ratio
from paperdesk.cli.output import gap_lines, print_json, print_wrapped
from paperdesk.cli.paper_options import StrategyPath, WideFlag
from paperdesk.cli.run_options import with_run_options
from paperdesk.cli.services import services
from paperdesk.domain.errors import OptionError
from paperdesk.service.instruments import instrument_of
from paperdesk.service.run_files import build_config

if TYPE_CHECKING:  # pandas and the engine are imported when a sweep runs
    from paperdesk.service.sweeps import SweepResult

SHOWN_RUNS = 20  # the table's rows; --out and --json hold every run


@with_run_options("backtest")
def sweep_command(
    strategy: Annotated[str, typer.Argument(help="Registered strategy name.")],
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            "-p",
            metavar="NAME=VALUES",
            help="A swept parameter (repeatable): fast=5,10,15 (a list), slow=20:60:10 (a range, "
            "both ends included) or mode=level (one value).",
        ),
    ] = None,
    symbol: Annotated[
        str | None,
        typer.Option(metavar="SYM", help="Symbol to sweep (its bars).", rich_help_panel="Data"),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(metavar="N", help="Worker processes (default: one per core; 1: no pool)."),
    ] = None,
    metric: Annotated[
        str,
        typer.Option(
            metavar="NAME",
            help="Rank the runs by sharpe, return, drawdown, profit-factor or win-rate.",
        ),
    ] = "sharpe",
    slices: Annotated[
        int,
        typer.Option(
            metavar="S",
            help="Even number of time slices of the overfitting probability's cross-validation.",
        ),
    ] = 16,
    out: Annotated[
        Path | None,
        typer.Option(metavar="FILE.csv", help="Write every run (best first) to this CSV file."),
    ] = None,
    config: Annotated[
        str | None,
        typer.Option(metavar="RUN.toml", help="TOML run file; options given here win over it."),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print one JSON object instead of tables.")
    ] = False,
    strategy_path: StrategyPath = None,
    asset_class: AssetClassOption = None,
    wide: WideFlag = False,
    *,
    run_options: dict[str, object | None],
) -> None:
    """Sweep a grid of strategy parameters, with overfitting diagnostics."""
    from paperdesk.service.sweeps import write_sweep_csv  # pandas and the engine: not for --help

    options: dict[str, object | None] = {
        "strategy": strategy,
        "symbol": symbol,
        "strategy_path": strategy_path or None,
        **run_options,
    }
    run_file = Path(config).expanduser() if config is not None else None
    run_config = build_config(options, (), run_file)
    if workers is not None and workers < 1:
        raise OptionError(f"invalid value for --workers: {workers} (expected 1 or more)")
    note_committed("a sweep writes nothing to the ledger")  # what Ctrl-C's line says
    with _progress(enabled=not json_output and sys.stderr.isatty()) as progress:
        result = services().sweeps.run(
            run_config,
            param or (),
            workers=workers,
            metric=metric,
            slices=slices,
            progress=progress,
            asset_class=asset_class,
        )
    if out is not None:
        write_sweep_csv(result, out)
    if json_output:
        print_json(result.to_dict())
        return
    _print(result, wide)
    if out is not None:
        typer.echo(f"every run written to {out}", err=True)


@contextmanager
def _progress(enabled: bool) -> Iterator[Any]:
    """A bar over the runs on stderr, or None when disabled."""
    if not enabled:
        yield None
        return
    columns = (TextColumn("sweep"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("runs", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _print(result: SweepResult, wide: bool) -> None:
    out = console(wide=wide)
    width = None if wide else out.width
    currency = instrument_of(result.symbol).currency
    names = list(result.grid.names)
    columns: list[Column] = [
        number("#"),
        *(Column(name) for name in names),
        number("Net P&L"),
        number("Return"),
        number("Sharpe"),
        number("Max DD"),
        number("Trades"),
        number("Win rate", drop=2),
        number("Profit factor", drop=1),
    ]
    ranked = result.ranked()
    rows = [
        [
            str(rank),
            *(str(run.params[name]) for name in names),
            money(run.net_pnl, currency),
            percent(run.total_return_pct),
            ratio(run.sharpe),
            percent(run.max_drawdown_pct),
            str(run.trades),
            percent(run.win_rate_pct),
            ratio(run.profit_factor),
        ]
        for rank, run in enumerate(ranked[:SHOWN_RUNS], start=1)
    ]
    title = (
        f"{result.strategy} on {result.symbol} ({result.timeframe}), {result.start} to "
        f"{result.end}: {len(ranked)} runs by {result.metric.value}"
    )
    out.print(fitted(title, columns, rows, width))
    if len(ranked) > SHOWN_RUNS:
        out.print(f"{len(ranked) - SHOWN_RUNS} more runs: --out FILE.csv or --json holds them")
    print_wrapped(out, gap_lines(result), width)  # every run trades the same bars: never silent
    if result.grid.skipped:
        out.print(f"{len(result.grid.skipped)} combinations left out (the strategy refuses them):")
        for params, reason in result.grid.skipped[:5]:
            label = ", ".join(f"{k}={v}" for k, v in params.items())
            out.print(f"  {label}: {reason}")
    out.print(
        fitted(
            "Best run and overfitting diagnostics",
            _DIAGNOSTIC,
            _diagnostics(result),
            width,
            show_header=False,
        )
    )


_DIAGNOSTIC = (Column("Figure"), text("Value"))


def _diagnostics(result: SweepResult) -> list[list[str]]:
    best = result.best
    deflated = result.deflated
    label = ", ".join(f"{name}={value}" for name, value in best.params.items()) or "defaults"
    rows = [
        ["Best parameters", label],
        [
            "Deflated Sharpe ratio",
            f"n/a: {deflated.note}"
            if deflated.probability is None
            else _probability(deflated.probability)
            + f" (P(true Sharpe > {_number(deflated.expected_maximum)} per period, the expected "
            f"best of {deflated.trials} trials))",
        ],
        [
            "Best run's Sharpe per period",
            f"{_number(deflated.sharpe)} (skewness {_number(deflated.skewness)}, kurtosis "
            f"{_number(deflated.kurtosis)}, {deflated.periods} returns)",
        ],
    ]
    overfitting = result.overfitting
    if overfitting is not None:
        rows.append(
            [
                "Probability of backtest overfitting",
                f"{_probability(overfitting.probability)} ({overfitting.combinations} "
                f"combinations of {overfitting.slices} slices of {overfitting.periods_per_slice} "
                "periods)",
            ]
        )
    else:
        rows.append(["Probability of backtest overfitting", f"n/a: {result.overfitting_note}"])
    return rows


def _probability(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"
