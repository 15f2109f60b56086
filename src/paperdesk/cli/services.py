"""The service container of one command invocation (made on first use, closed at the end)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from paperdesk.service.container import Services

_running: list[Services | None] = []  # one slot per command running (innermost last)


def services() -> Services:
    """The container of the running command; every part the command uses comes from it.
    Outside a command (``command_services``), a new container."""
    if not _running:
        return Services()
    if _running[-1] is None:
        _running[-1] = Services()
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
