"""``paperdesk worker``: the monitor that ticks every active portfolio on schedule until stopped."""

from __future__ import annotations

import math
from datetime import UTC
from typing import TYPE_CHECKING, Annotated

import typer

from paperdesk.cli.interrupt import stop_on_signals
from paperdesk.cli.services import services
from paperdesk.domain import InvalidInputError
from paperdesk.domain.errors import OptionError

if TYPE_CHECKING:
    from paperdesk.service.worker import WorkerRound


def worker_command(
    interval: Annotated[
        str,
        typer.Option(metavar="INTERVAL", help="How often to run the rounds, e.g. 30s, 1m, 1h."),
    ] = "1m",
    once: Annotated[bool, typer.Option("--once", help="Run one round, then exit.")] = False,
    portfolio: Annotated[
        list[int] | None,
        typer.Option(
            "--portfolio", metavar="ID", min=1, help="Work only these portfolios (repeatable)."
        ),
    ] = None,
    lease: Annotated[
        str,
        typer.Option(
            metavar="DURATION",
            help="How long a claimed portfolio stays this worker's without a sign of life; "
            "another worker takes it over after that (renewed after every tick).",
        ),
    ] = "1m",
    metrics_port: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=65535,
            help="Serve Prometheus metrics (ticks, orders, fills...) on 127.0.0.1:PORT/metrics.",
        ),
    ] = None,
) -> None:
    """Tick every active portfolio on schedule, trigger stops and orders, mark to market."""
    from paperdesk.service.scheduler import parse_interval
    from paperdesk.service.worker import Worker

    try:
        seconds = parse_interval(interval)
        lease_seconds = parse_interval(lease)
    except InvalidInputError as error:
        raise OptionError(str(error)) from None
    container = services()
    for portfolio_id in portfolio or ():
        container.portfolios.settings(portfolio_id)  # an unknown id is named, before any round
    worker = Worker(
        container.portfolios,
        clock=container.clock,
        interval=seconds,
        lease_seconds=lease_seconds,
        portfolio_ids=portfolio or None,
        on_round=_report_once if once else _report,
        after_round=container.webhook_dispatcher.deliver_due,
    )
    if metrics_port is not None:
        from paperdesk.service.metrics import serve_metrics

        try:
            serve_metrics(metrics_port)
        except OSError as error:  # a busy port: named before any round
            raise OptionError(
                f"--metrics-port {metrics_port}: cannot listen on 127.0.0.1:{metrics_port}: "
                f"{error.strerror or error} (another worker's metrics?); choose another port"
            ) from None
        typer.echo(f"metrics on http://127.0.0.1:{metrics_port}/metrics", err=True)
    which = ", ".join(str(p) for p in portfolio) if portfolio else "every active portfolio"
    typer.echo(
        f"worker {worker.holder}: {which}, every {interval} "
        "(Ctrl-C or SIGTERM stops after the tick in progress)",
        err=True,
    )
    with stop_on_signals(worker):
        rounds = worker.run(1 if once else None)
    typer.echo(f"{'stopped' if worker.stopped else 'done'} after {rounds} round(s)", err=True)


def _report_once(report: WorkerRound) -> None:
    """``--once``: the one round is reported even when it had nothing to do, with when the
    next one would have something (the moment a running worker waits for)."""
    if not report.portfolios:
        typer.echo(f"[{report.number}] nothing due: {_next(report)}")
    _report(report)


def _next(report: WorkerRound) -> str:
    moment, now = report.next_claimable, report.ended_at
    if moment is None or now is None:
        return "no active portfolio to work"
    seconds = max(0, math.ceil((moment - now).total_seconds()))
    return (
        f"the next portfolio can be claimed at {moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC, "
        f"in {seconds} s (when it falls due, or when another worker's hold on it expires)"
    )


def _report(report: WorkerRound) -> None:
    for done in report.portfolios:
        parts = [f"{done.bars} bar(s)", f"{done.fills} fill(s)"]
        if not done.symbols:
            parts = ["no symbol due (markets closed)"]
        if done.marked:
            parts.append("marked to market")
        if done.lease_lost:
            parts.append("taken over by another worker")
        if not done.finished:
            parts.append("interrupted")
        typer.echo(f"[{report.number}] portfolio {done.portfolio_id}: {', '.join(parts)}")
        for error in done.errors:
            typer.echo(f"[{report.number}] portfolio {done.portfolio_id}: error: {error}", err=True)
