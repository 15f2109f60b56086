"""The service container of one command invocation (made on first use, closed at the end)."""

from __future__ import annotations

import click

from paperdesk.service.container import Services


def services() -> Services:
    """The container of the running command; every part the command uses comes from it."""
    context = click.get_current_context(silent=True)
    if context is None:
        return Services()
    root = context.find_root()
    if not isinstance(root.obj, Services):
        root.obj = Services()
        root.call_on_close(root.obj.close)
    return root.obj
