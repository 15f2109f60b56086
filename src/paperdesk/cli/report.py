"""``paperdesk report ID --html FILE [--json] [--every 60s]``: the static HTML report (seed
002's trade monitor), written once or regenerated every interval until Ctrl-C; and
``paperdesk report --walkforward DIR --html FILE [--json]``: the report of a walk-forward's
evidence folder (``service/result_reports.py``; a backtest's is ``paperdesk backtest ...
--report FILE``).

Imports only Typer at load time, so ``paperdesk report --help`` stays fast; the service
modules (pandas, the database) are imported when the command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from paperdesk.cli import paper_options as opt
from paperdesk.domain import InvalidInputError
from paperdesk.domain.errors import OptionError

if TYPE_CHECKING:
    from paperdesk.service.portfolios import PortfolioService

portfolio_id_value = opt.counting_number("a portfolio id")


def report_command(
    portfolio_id: Annotated[
        int | None,
        typer.Argument(
            metavar="PORTFOLIO_ID",
            help="The portfolio's id (or give --walkforward DIR).",
            callback=portfolio_id_value,
        ),
    ] = None,
    walkforward: Annotated[
        Path | None,
        typer.Option(
            "--walkforward",
            metavar="DIR",
            help="Report a walk-forward's evidence folder (paperdesk walkforward --out DIR).",
        ),
    ] = None,
    title: Annotated[
        str | None,
        typer.Option(metavar="TEXT", help="The title of a --walkforward report."),
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html",
            metavar="FILE",
            help="Write the report as one self-contained HTML page (replaced atomically).",
        ),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the report's data as one JSON object.")
    ] = False,
    every: Annotated[
        str | None,
        typer.Option(
            metavar="DURATION",
            help="Rewrite --html FILE every DURATION (e.g. 30s, 5m) until Ctrl-C or SIGTERM.",
        ),
    ] = None,
) -> None:
    """Write a portfolio's report (KPIs, positions, fills, equity curve) or a walk-forward's
    (equity, drawdown, monthly returns, P&L distribution, outcomes, trades) as one HTML file."""
    from paperdesk.cli.output import print_json
    from paperdesk.cli.services import services
    from paperdesk.service.report_files import check_report_path

    if portfolio_id is not None and walkforward is not None:
        raise OptionError("give PORTFOLIO_ID or --walkforward DIR, not both")
    if portfolio_id is None and walkforward is None:
        raise OptionError("nothing to report: give PORTFOLIO_ID or --walkforward DIR")
    if title is not None and walkforward is None:
        raise OptionError("--title names a --walkforward report; give --walkforward DIR")
    if html is None and not json_output:
        raise OptionError("nothing to do: give --html FILE, --json or both")
    if walkforward is not None:
        if every is not None:
            raise OptionError("--every rewrites a portfolio's report; a walk-forward's is final")
        target = check_report_path(html) if html is not None else None
        reports = services().result_reports
        document = reports.walk_forward(walkforward, title)
        if target is not None:
            reports.write(document, target)
        if json_output:
            print_json(document)
        elif target is not None:
            typer.echo(f"wrote {target}", err=True)
        return
    assert portfolio_id is not None
    if every is not None and html is None:
        raise OptionError("--every rewrites a file: give --html FILE")
    if every is not None and json_output:
        raise OptionError("--json prints the report once; use it without --every")
    interval = _interval(every) if every is not None else None
    target = check_report_path(html) if html is not None else None
    service = services().portfolios
    if interval is None:
        document = _write_once(service, portfolio_id, target)
        if json_output:
            print_json(document)
        elif target is not None:
            typer.echo(f"wrote {target}", err=True)
        return
    assert target is not None
    _write_every(service, portfolio_id, target, interval, every or "")


def _interval(every: str) -> float:
    from paperdesk.service.scheduler import parse_interval

    try:
        return parse_interval(every)
    except InvalidInputError as error:
        raise OptionError(f"invalid value for --every: {error}") from None


def _write_once(
    service: PortfolioService, portfolio_id: int, target: Path | None
) -> dict[str, object]:
    from paperdesk.service.report import portfolio_report
    from paperdesk.service.report_files import write_report

    if target is None:
        return portfolio_report(service, portfolio_id)
    return write_report(service, portfolio_id, target)


def _write_every(
    service: PortfolioService, portfolio_id: int, target: Path, interval: float, every: str
) -> None:
    from paperdesk.cli.interrupt import stop_on_signals
    from paperdesk.service.report_files import ReportWriter, write_report

    writer = ReportWriter(
        lambda: _discard(write_report(service, portfolio_id, target)),
        interval,
        on_write=lambda count: typer.echo(f"[{count}] wrote {target}", err=True),
        on_error=lambda error: typer.echo(f"error: report not written: {error}", err=True),
    )
    typer.echo(
        f"writing the report of portfolio {portfolio_id} to {target} every {every} (Ctrl-C stops)",
        err=True,
    )
    with stop_on_signals(writer, after="the write in progress"):
        writes = writer.run()
    typer.echo(f"stopped after {writes} write(s)", err=True)


def _discard(_document: object) -> None:
    """The writer wants no document back: each round only writes the file."""
