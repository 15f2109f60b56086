"""``paperdesk up``: the whole platform in one process — the demo portfolio on a paced replay,
the worker ticking it, the API and the dashboard — until Ctrl-C (see docs/platform.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from paperdesk.cli.interrupt import (
    INTERRUPTED_EXIT_CODE,
    interrupted_line,
    note_committed,
    stop_on_signals,
)
from paperdesk.cli.services import services
from paperdesk.domain import PaperdeskError

if TYPE_CHECKING:
    from paperdesk.service.container import Services
    from paperdesk.service.platform import PlatformDemo
    from paperdesk.service.worker import Worker, WorkerRound

WORKER_INTERVAL = 60.0  # seconds: other portfolios' rounds; the paced replay sets its own pace
WORKER_LEASE = 60.0


def up_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="Port to listen on (0: any free port).")
    ] = 8000,
    no_worker: Annotated[
        bool,
        typer.Option("--no-worker", help="Serve the API and dashboard only; nothing is ticked."),
    ] = False,
    replay_interval: Annotated[
        str,
        typer.Option(
            metavar="DURATION",
            help="Wall time per replayed bar of the demo portfolio, e.g. 2s, 0.5s, 1m.",
        ),
    ] = "2s",
) -> None:
    """Start the platform: the demo portfolio replaying real data through the worker, the API
    and the dashboard in one process; prints the URL to open and a demo key."""
    from paperdesk.service.platform import prepare_demo, replay_interval_option

    seconds = replay_interval_option(replay_interval)
    import uvicorn

    from paperdesk.api.app import create_app
    from paperdesk.api.streams.transport import SERVER_OPTIONS, tune_garbage_collector
    from paperdesk.cli.platform_server import (
        Platform,
        PlatformServer,
        browser_address,
        listening_socket,
    )

    listener = listening_socket(host, port)  # a busy port is named before the ledger is touched
    try:
        container = services()
        demo = prepare_demo(container, seconds)
        worker = None if no_worker else _worker(container)
        address = browser_address(host, int(listener.getsockname()[1]))
        config = uvicorn.Config(
            create_app(container),
            log_config=None,  # paperdesk's own logging (--log-format json, request ids)
            access_log=False,  # the API logs each request itself, with its request id
            timeout_graceful_shutdown=container.settings.shutdown_grace_seconds,
            **SERVER_OPTIONS,
        )
        platform = Platform(None, worker)
        tune_garbage_collector()  # after start-up's allocations (docs/api-streams.md)

        def ready() -> None:
            _announce(address, demo, worker is not None)
            platform.start_worker()

        server = PlatformServer(config, on_ready=ready)
        platform.server = server
        note_committed(ticks_committed(0))
        try:
            with stop_on_signals(platform):
                server.run(sockets=[listener])
        finally:
            platform.join()  # the tick in progress commits; no thread is left running
    finally:
        listener.close()
    if platform.stopping:
        typer.echo(interrupted_line(), err=True)
        raise typer.Exit(INTERRUPTED_EXIT_CODE)
    raise PaperdeskError("the API server stopped on its own; run with -v to see why")


def _worker(container: Services) -> Worker:
    """The worker of ``paperdesk worker`` on the same container: every active portfolio."""
    from paperdesk.service.worker import Worker

    container.portfolios.runner  # noqa: B018 (built here, not raced for by two threads)
    committed = [0]

    def count(report: WorkerRound) -> None:
        committed[0] += sum(done.bars for done in report.portfolios)
        note_committed(ticks_committed(committed[0]))

    return Worker(
        container.portfolios,
        clock=container.clock,
        interval=WORKER_INTERVAL,
        lease_seconds=WORKER_LEASE,
        on_round=count,
        after_round=container.webhook_dispatcher.deliver_due,
    )


def ticks_committed(count: int) -> str:
    """How far the worker got, for the line Ctrl-C prints (``cli/interrupt.py``)."""
    return f"{count} worker ticks committed, each in its own transaction"


def _announce(address: str, demo: PlatformDemo, working: bool) -> None:
    """What to open and with which key (stdout), once the server accepts connections."""
    from paperdesk.service.platform import describe_pace

    portfolio, key = demo.portfolio, demo.key
    state = "created" if portfolio.created else f"resumed after {portfolio.served} bar(s)"
    if not working:
        pace = "the worker is off (--no-worker): the replay does not move"
    elif portfolio.remaining == 0:
        pace = "its replay has served every bar: it no longer moves"
    else:
        pace = f"{describe_pace(demo.replay_interval)}, {portfolio.remaining} bar(s) to go"
    stored = "created and stored" if key.created else "kept"
    lines = (
        f"paperdesk is up: the API, the dashboard{' and the worker' if working else ''} "
        "in one process (Ctrl-C stops it)",
        f"portfolio {portfolio.portfolio_id} ({state}): {pace}",
        f"dashboard: {address}/#key={key.token}",
        f"api: {address}/api/v1 (docs: {address}/api/v1/docs)",
        f"demo key: {key.token}",
        f"(key {key.key_id}, scope trade, {stored} in {key.path}, readable only by you)",
    )
    for line in lines:
        typer.echo(line)
