"""``paperdesk data ...``: market data: import, list, check, backfill and providers.

Each subcommand is a function registered on ``data_app``; their logic lives in
``paperdesk.service.market_data`` and what they print in ``paperdesk.cli.data_bars``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from paperdesk.cli import data_bars as show
from paperdesk.cli import paper_options as opt
from paperdesk.cli.asset_class import AssetClassOption
from paperdesk.cli.fit import Column, fitted, number, text
from paperdesk.cli.fit import console as fitted_console
from paperdesk.cli.output import print_json
from paperdesk.cli.services import services

if TYPE_CHECKING:  # the service (pandas, httpx) loads when a command runs, not for --help
    from paperdesk.service.market_data import MarketDataService, ProviderStatus

data_app = typer.Typer(help="Market data: providers, quotas and stored bars.")
data_app.callback(no_args_is_help=True)(lambda: None)


def market_data_service() -> MarketDataService:
    """The service the commands use (tests may replace it)."""
    return services().market_data


def import_service() -> MarketDataService:
    """The service ``data import`` uses (on a current SQLite ledger, one that does not load
    SQLAlchemy: ``Services.bar_import``; tests may replace it)."""
    return services().bar_import


@contextmanager
def opened_service(
    make: Callable[[], MarketDataService] | None = None,
) -> Iterator[MarketDataService]:
    service = (make or market_data_service)()
    try:
        yield service
    finally:
        service.close()


Symbol = Annotated[
    str, typer.Option("--symbol", metavar="SYM", help="The symbol the bars belong to.")
]
Timeframe = Annotated[
    str, typer.Option("--timeframe", "-t", metavar="TF", help="Bar length, e.g. 1d, 1h, 1m.")
]
DEFAULT_TIMEFRAME = "1d"
From = Annotated[
    str | None, typer.Option("--from", metavar="DATE", help="First day (YYYY-MM-DD) or time.")
]
To = Annotated[
    str | None, typer.Option("--to", metavar="DATE", help="Last day (YYYY-MM-DD, inclusive).")
]


# paperdesk data import


@data_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="The CSV file to import.")],
    symbol: Symbol,
    timeframe: Timeframe = DEFAULT_TIMEFRAME,
    timezone: Annotated[
        str | None,
        typer.Option(metavar="ZONE", help="Time zone of times without an offset (default: UTC)."),
    ] = None,
    sort: Annotated[bool, typer.Option("--sort", help="Sort rows by time.")] = False,
    drop_duplicates: Annotated[
        bool, typer.Option("--drop-duplicates", help="Keep the first row of a repeated time.")
    ] = False,
    adjusted: Annotated[
        bool,
        typer.Option("--adjusted", help="Scale open, high, low and close by Adj Close / Close."),
    ] = False,
    asset_class: AssetClassOption = None,
    quotes: Annotated[
        bool,
        typer.Option(
            "--quotes",
            help="FILE holds quote bars (timestamp,bid_open,...,ask_size): add their bid and "
            "ask to the stored bars of the series by timestamp (a file with that header is "
            "read as quotes anyway).",
        ),
    ] = False,
    json_output: opt.JsonFlag = False,
    wide: opt.WideFlag = False,
) -> None:
    """Validate a CSV file and import its bars into the database and the Parquet cache; a file
    with any problem is rejected with a report and nothing is written."""
    from paperdesk.cli.allocator import keep_freed_memory
    from paperdesk.collector import collector_paused

    keep_freed_memory()  # this process ends with the import: keep the memory it frees
    with collector_paused():  # the modules the import loads too
        from paperdesk.service import market_data as market

        with opened_service(import_service) as service:
            try:
                report = service.import_file(
                    file, symbol, timeframe, timezone=timezone, sort=sort,
                    drop_duplicates=drop_duplicates, adjusted=adjusted, asset_class=asset_class,
                    quotes=quotes,
                )  # fmt: skip
            except market.CsvImportError as error:
                if json_output:
                    print_json(show.rejection_document(error))
                for line in show.rejection_lines(error):
                    typer.echo(line, err=True)
                raise typer.Exit(1) from None
        if json_output:
            print_json({"imported": True, **market.import_document(report)})
            return
        out = fitted_console(wide=wide)
        out.print(show.import_table(report, None if wide else out.width))


# paperdesk data list


@data_app.command("list")
def list_command(json_output: opt.JsonFlag = False, wide: opt.WideFlag = False) -> None:
    """List the series held: symbol, timeframe, first and last bar, rows, and where (the
    database or a bundled sample file)."""
    from paperdesk.service import market_data as market

    with opened_service() as service:
        series = service.list_series()
    if json_output:
        print_json({"series": [market.series_document(info) for info in series]})
        return
    out = fitted_console(wide=wide)
    out.print(show.series_table(series, None if wide else out.width))


# paperdesk data check


@data_app.command("check")
def check_command(
    symbol: Annotated[str, typer.Argument(metavar="SYM", help="The symbol to check.")],
    timeframe: Timeframe = DEFAULT_TIMEFRAME,
    start: From = None,
    end: To = None,
    json_output: opt.JsonFlag = False,
    wide: opt.WideFlag = False,
) -> None:
    """The data quality report of a series: gaps against its calendar, duplicates, outliers,
    zero-volume runs, stale prices and feed age (warnings do not fail the command)."""
    low, high = show.when_value(start, "--from"), show.when_value(end, "--to")
    with opened_service() as service:
        report = service.check(symbol, timeframe, low, high)  # stale only for a live feed
    if json_output:
        print_json(report.to_dict())
        return
    console = fitted_console(wide=wide)
    for table in show.quality_tables(report, None if wide else console.width):
        console.print(table)
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")
    if report.ok:
        console.print("[green]no problems found[/green]")


# paperdesk data backfill


@data_app.command("backfill")
def backfill_command(
    symbol: Annotated[str, typer.Argument(metavar="SYM", help="The symbol to fetch.")],
    start: Annotated[
        str, typer.Option("--from", metavar="DATE", help="First day (YYYY-MM-DD) or time.")
    ],
    end: Annotated[
        str, typer.Option("--to", metavar="DATE", help="Last day (YYYY-MM-DD, inclusive).")
    ],
    timeframe: Timeframe = DEFAULT_TIMEFRAME,
    force: Annotated[
        bool, typer.Option("--force", help="Fetch chunks already stored again.")
    ] = False,
    asset_class: AssetClassOption = None,
    json_output: opt.JsonFlag = False,
    wide: opt.WideFlag = False,
) -> None:
    """Fetch bars from the price providers into the database, a month (intraday) or a year
    (daily) per step; chunks already stored are skipped, so a re-run resumes."""
    from paperdesk.service import market_data as market

    low, high = show.required_when(start, "--from"), show.required_when(end, "--to")
    console = Console(stderr=True)
    live = not json_output and console.is_terminal
    with opened_service() as service, show.backfill_progress(console if live else None) as step:
        report = service.backfill(
            symbol, timeframe, low, high, progress=step, force=force, asset_class=asset_class
        )
    if json_output:
        print_json(market.backfill_document(report))
    else:
        out = fitted_console(wide=wide)
        out.print(show.backfill_table(report, None if wide else out.width))
    if report.failed:
        failed = next(chunk for chunk in report.chunks if chunk.status == "failed")
        typer.echo(
            f"error: backfill stopped at the chunk from {failed.start.date()}: {failed.reason}; "
            "run it again to resume",
            err=True,
        )
        raise typer.Exit(1)


# paperdesk data providers


def _state(status: ProviderStatus) -> str:
    if not status.enabled:
        return escape(f"skipped: {status.skipped_reason or 'disabled'}")  # "[crypto]" is text
    if status.blocked_reason:
        return f"enabled (waiting: {status.blocked_reason})"
    return "enabled"


def _used_today(status: ProviderStatus) -> str:
    if not status.enabled:
        return "-"
    limit = "no limit" if status.per_day is None else f"{status.per_day:,}"
    return f"{status.used_today:,} / {limit}"


def _left_today(status: ProviderStatus) -> str:
    if not status.enabled:
        return "-"
    return "unlimited" if status.left_today is None else f"{status.left_today:,}"


def _this_minute(status: ProviderStatus) -> str:
    if not status.enabled:
        return "-"
    limit = "no limit" if status.per_minute is None else str(status.per_minute)
    return f"{status.used_this_minute} / {limit}"


def _circuit(status: ProviderStatus) -> str:
    if not status.enabled:
        return "-"
    text = status.circuit
    if status.open_until is not None:
        text += f" until {status.open_until.strftime('%Y-%m-%d %H:%M:%S %Z')}"
    if status.circuit != "closed" and status.last_error:
        text += f" ({status.last_error})"
    return text


def providers_table(statuses: list[ProviderStatus], width: int | None = 80) -> Table:
    """The status (and the variable to set) folds between words, never inside one."""
    columns = (
        Column("Provider"),
        text("Status"),
        number("Used today"),
        number("Left today", drop=2),
        number("This minute", drop=1),
        text("Circuit"),
    )
    rows = [
        (
            status.name,
            _state(status),
            _used_today(status),
            _left_today(status),
            _this_minute(status),
            _circuit(status),
        )
        for status in statuses
    ]
    title = "Price providers (enabled ones in priority order, then skipped ones)"
    return fitted(title, columns, rows, width)


@data_app.command("providers")
def providers_command(json_output: opt.JsonFlag = False, wide: opt.WideFlag = False) -> None:
    """Show each price provider: enabled or why skipped, quota used and left today (UTC),
    use this minute and circuit-breaker state."""
    from paperdesk.service import market_data as market

    statuses = market_data_service().providers()
    if json_output:
        print_json({"providers": [market.provider_status_document(status) for status in statuses]})
        return
    out = fitted_console(wide=wide)
    out.print(providers_table(statuses, None if wide else out.width))
