"""Ctrl-C: any command stops with one line saying what was committed, and exit code 130.

Every unit of work is one transaction, so an interrupt leaves the ledger consistent: what was
committed stays, the transaction in progress rolls back. A long command notes its progress
(``note_committed``) so the line can say how far it got.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, Protocol

import typer

from paperdesk.cli.lazy import LazyGroup

INTERRUPTED_EXIT_CODE = 130  # 128 + SIGINT, what shells report for Ctrl-C
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_committed: list[str] = []


def note_committed(what: str) -> None:
    """Record how far the running command got, e.g. ``"37 of 504 ticks committed"``."""
    _committed[:] = [what]


def interrupted_line() -> str:
    done = _committed[0] if _committed else "the transaction in progress was rolled back"
    return f"interrupted: {done}; the ledger is consistent"


class InterruptibleGroup(LazyGroup):
    """The root group: each command runs with one service container (closed at its end), and
    a KeyboardInterrupt in any command ends it cleanly (see above)."""

    def invoke(self, ctx: Any) -> Any:
        from paperdesk.cli.services import command_services  # not for --help: it loads settings

        _committed.clear()
        try:
            with command_services():
                return super().invoke(ctx)
        except KeyboardInterrupt:
            from paperdesk.cli.errors import report_interrupted

            report_interrupted(interrupted_line())
            raise typer.Exit(INTERRUPTED_EXIT_CODE) from None


class Stoppable(Protocol):
    def stop(self) -> None: ...


@contextmanager
def stop_on_signals(runner: Stoppable, *, after: str = "the tick in progress") -> Iterator[None]:
    """SIGINT and SIGTERM ask ``runner`` (``run --every``'s scheduler, the worker, ``report
    --every``'s writer) to stop after ``after``, which always finishes its transaction."""

    def handle(number: int, _frame: FrameType | None) -> None:
        typer.echo(f"{signal.Signals(number).name}: stopping after {after}", err=True)
        runner.stop()

    previous = {number: signal.signal(number, handle) for number in STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
