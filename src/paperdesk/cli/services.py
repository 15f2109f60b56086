"""The service container of one command invocation (made on first use, closed at the end)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from paperdesk.service.container import Services

CONTAINER_LOG = "paperdesk.service.container"  # the logger that records the ledger opened
_running: list[Services | None] = []  # one slot per command running (innermost last)


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


def announce_ledger(where: str) -> None:
    """A dim first line naming the ledger a command uses (password hidden, home as ``~``),
    on stderr when it is a terminal: scripts and cron logs get only the command's output. With
    ``-v`` the log's own ``ledger:`` record says it, so the line is not printed twice."""
    if not stderr_is_terminal() or logging.getLogger(CONTAINER_LOG).isEnabledFor(logging.INFO):
        return
    home = str(Path.home())
    shown = where.replace(f":///{home}/", ":///~/", 1) if home != "/" else where
    typer.secho(f"ledger: {shown}", err=True, dim=True)


def services() -> Services:
    """The container of the running command; every part the command uses comes from it.
    Outside a command (``command_services``), a new container."""
    if not _running:
        return Services(on_database=announce_ledger)
    if _running[-1] is None:
        _running[-1] = Services(on_database=announce_ledger)
    container = _running[-1]
    assert container is not None
    return container


@contextmanager
def command_services() -> Iterator[None]:
    """Run a command with one container, closed when the command ends however it ends."""
    _running.append(None)
    try:
        yield
    finally:
        container = _running.pop()
        if container is not None:
            container.close()
