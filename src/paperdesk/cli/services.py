"""The service container of one command invocation (made on first use, closed at the end)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import typer

from paperdesk.service.container import Services


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


def announce_ledger(where: str) -> None:
    """A dim first line naming the ledger a command uses (password hidden, home as ``~``),
    on stderr when it is a terminal: scripts and cron logs get only the command's output."""
    if not stderr_is_terminal():
        return
    home = str(Path.home())
    shown = where.replace(f":///{home}/", ":///~/", 1) if home != "/" else where
    typer.secho(f"ledger: {shown}", err=True, dim=True)


def services() -> Services:
    """The container of the running command; every part the command uses comes from it."""
    context = click.get_current_context(silent=True)
    if context is None:
        return Services(on_database=announce_ledger)
    root = context.find_root()
    if not isinstance(root.obj, Services):
        root.obj = Services(on_database=announce_ledger)
        root.call_on_close(root.obj.close)
    return root.obj
