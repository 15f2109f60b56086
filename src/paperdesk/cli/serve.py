"""``paperdesk serve``: the REST API on uvicorn (loaded only when the command runs)."""

from __future__ import annotations

from typing import Annotated

import typer

from paperdesk.cli.services import services


def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
) -> None:
    """Run the service's REST API (/api/v1, OpenAPI at /api/v1/openapi.json).

    Ctrl-C or SIGTERM stops it gracefully: it stops accepting connections, lets requests in
    flight finish (up to PAPERDESK_SHUTDOWN_GRACE_SECONDS, default 30), then exits."""
    import uvicorn

    from paperdesk.api.app import create_app
    from paperdesk.api.streams.transport import WEBSOCKET_SERVER_OPTIONS, tune_garbage_collector

    container = services()
    container.database  # noqa: B018 (open and migrate the ledger before the first request)
    grace = container.settings.shutdown_grace_seconds
    typer.echo(f"paperdesk API on http://{host}:{port}/api/v1 (Ctrl-C stops it)", err=True)
    application = create_app(container)
    tune_garbage_collector()  # after start-up's allocations (docs/api-streams.md)
    try:
        uvicorn.run(
            application,
            host=host,
            port=port,
            log_config=None,  # paperdesk's own logging (--log-format json, request ids)
            access_log=False,  # the API logs each request itself, with its request id
            timeout_graceful_shutdown=grace,
            **WEBSOCKET_SERVER_OPTIONS,
        )
    finally:
        container.close()  # on Ctrl-C; after SIGTERM uvicorn re-raises the signal and exits
