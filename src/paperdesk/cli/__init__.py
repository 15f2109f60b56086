"""The ``paperdesk`` command line: ``app`` for Typer and ``main()`` for the console script."""

from __future__ import annotations

import atexit
import gc
import logging
from typing import Annotated

import typer

from paperdesk.cli.interrupt import InterruptibleGroup

# Every command is imported when it runs or shows its help (``paperdesk.cli.lazy.COMMANDS``), so
# ``paperdesk --help`` imports no pandas, SQLAlchemy or httpx.
app = typer.Typer(
    cls=InterruptibleGroup,
    help="paperdesk: backtest and paper-trade strategies.",
    add_completion=False,
    pretty_exceptions_enable=False,
)
SERVE = "serve"  # the server command whose refusals follow --log-format (cli.errors.report)


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("paperdesk")
    except PackageNotFoundError:
        return "unknown"


def show_version(requested: bool) -> None:
    if requested:
        from paperdesk import native

        state = native.status()  # the kernel's build: compiled (mypyc) or interpreted, and why
        kernel = state.reason if state.compiled else f"interpreted: {state.reason}"
        typer.echo(f"paperdesk {package_version()}\nevent kernel: {kernel}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def root(
    context: typer.Context,
    show: Annotated[
        bool,
        typer.Option(
            "--version", callback=show_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose",
            "-v",
            count=True,
            help="Log more on stderr: -v INFO, -vv DEBUG (default: PAPERDESK_LOG_LEVEL, else "
            "WARNING).",
        ),
    ] = 0,
    log_level: Annotated[
        str | None,
        typer.Option(
            metavar="LEVEL",
            help="Log level on stderr: DEBUG, INFO, WARNING, ERROR or CRITICAL (wins over -v).",
        ),
    ] = None,
    log_format: Annotated[
        str | None,
        typer.Option(
            metavar="text|json",
            help="Log records as text or one JSON object a line (default: "
            "PAPERDESK_LOG_FORMAT, else text).",
        ),
    ] = None,
) -> None:
    """paperdesk: backtest and paper-trade strategies."""
    from paperdesk.cli.errors import refusals_as_log_records
    from paperdesk.cli.lazy import HELP_ONLY
    from paperdesk.domain import PaperdeskError
    from paperdesk.service.logs import configure_logging, resolve, settings_refused

    # a server's refusals before it starts are records of its log stream, as its start line
    serving = context.invoked_subcommand == SERVE
    refusals_as_log_records(f"{__name__}.{SERVE}" if serving else None)
    try:  # a command's --help reads no settings (pydantic-settings and its model: 0.1 s)
        setup = resolve(
            level=log_level,
            verbosity=verbose,
            log_format=log_format,
            read_settings=not context.meta.get(HELP_ONLY, False),
        )
    except PaperdeskError:
        if serving:  # a bad setting: still refused in the format asked for, if it can be told
            configure_logging(settings_refused(log_format))
        raise
    configure_logging(setup)
    log = logging.getLogger(__name__)
    if log.isEnabledFor(logging.DEBUG):  # the version is read from the install's metadata
        log.debug(
            "paperdesk %s: log level %s, format %s", package_version(), setup.level, setup.format
        )
    if context.invoked_subcommand is None:
        typer.echo(context.get_help())


def main() -> None:
    """Console-script entry point: errors end as one line on stderr and an exit code.

    At exit, every object left is frozen out of the cycle collector (``gc.freeze``) before
    the interpreter's own shutdown collections, which would otherwise walk the 100,000-odd
    objects of the modules a command loaded several times over (0.1-0.2 s of CPU after a CSV
    import; the process's memory goes back to the system whole). Commands close what they
    open (ledgers, files) themselves: nothing waits for the collector to be closed."""
    atexit.register(gc.freeze)  # atexit runs before the shutdown collects
    app()
