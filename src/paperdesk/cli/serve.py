"""``paperdesk serve``: the REST API on uvicorn (loaded only when the command runs)."""

from __future__ import annotations

from typing import Annotated

import typer

from paperdesk.cli.services import services
from paperdesk.domain import OptionError

SERVED_APPLICATION = "paperdesk.api.served:application"  # what each of --workers N serves


def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="Port to listen on (0: a free one).")
    ] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Server processes sharing the port; more than one needs REDIS_URL: "
            "rate limits and the wake-ups of every process's event streams go through Redis.",
        ),
    ] = 1,
) -> None:
    """Run the service's REST API (/api/v1, OpenAPI at /api/v1/openapi.json).

    Ctrl-C or SIGTERM stops it gracefully: it stops accepting connections, lets requests in
    flight finish (up to PAPERDESK_SHUTDOWN_GRACE_SECONDS, default 30), then exits."""
    import uvicorn

    from paperdesk.api.app import create_app
    from paperdesk.api.streams.transport import SERVER_OPTIONS, tune_garbage_collector
    from paperdesk.cli.platform_server import listening_socket
    from paperdesk.service.logs import announce

    container = services()
    settings = container.settings
    if workers > 1 and settings.redis_url_value() is None:
        raise OptionError(
            f"--workers {workers} needs REDIS_URL: each process would keep its own rate limits "
            "(a key could ask the limit once per process) and wake only its own event streams; "
            "set REDIS_URL, or serve with one process (the default)"
        )
    listener = listening_socket(host, port)  # a busy port is named, the ledger untouched
    port = listener.getsockname()[1]  # --port 0: the free one it got
    container.database  # noqa: B018 (open and migrate the ledger before the first request)
    grace = settings.shutdown_grace_seconds
    shown = f"{workers} processes" if workers > 1 else "Ctrl-C stops it"
    announce(f"paperdesk API on http://{host}:{port}/api/v1 ({shown})", __name__)
    options = {
        "log_config": None,  # paperdesk's own logging (--log-format json, request ids)
        "access_log": False,  # the API logs each request itself, with its request id
        "timeout_graceful_shutdown": grace,
        **SERVER_OPTIONS,
    }
    if workers > 1:
        container.close()  # each worker opens the migrated ledger with a container of its own
        from paperdesk.service.logs import share_logging_with_spawned_processes

        share_logging_with_spawned_processes()
        config = uvicorn.Config(
            SERVED_APPLICATION, factory=True, workers=workers, host=host, port=port, **options
        )
        from uvicorn.supervisors import Multiprocess

        try:
            Multiprocess(config, sockets=[listener]).run()
        finally:
            listener.close()
        return
    application = create_app(container)
    tune_garbage_collector()  # after start-up's allocations (docs/api-streams.md)
    server = uvicorn.Server(uvicorn.Config(application, host=host, port=port, **options))
    try:
        server.run(sockets=[listener])  # what uvicorn.run does, on the socket bound above
    except KeyboardInterrupt:  # Ctrl-C after the graceful stop, as uvicorn.run ends it
        pass
    finally:
        listener.close()
        container.close()  # on Ctrl-C; after SIGTERM uvicorn re-raises the signal and exits
