"""Every argument and option of every command says what it is in ``--help`` (``order place``'s
side and quantity and ``order modify --quantity`` said nothing: which unit is a forex QTY?)."""

from __future__ import annotations

from typing import Any

import typer

from paperdesk.cli import app


def _commands(command: Any, path: tuple[str, ...]) -> list[tuple[str, Any]]:
    """Every leaf command under ``command`` (groups load their commands lazily; typer vendors
    its own click, so they are duck-typed)."""
    if not hasattr(command, "list_commands"):
        return [(" ".join(path), command)]
    context = typer.Context(command)
    found: list[tuple[str, Any]] = []
    for name in command.list_commands(context):
        found.extend(_commands(command.get_command(context, name), (*path, name)))
    return found


def test_every_visible_parameter_has_help() -> None:
    commands = _commands(typer.main.get_command(app), ())
    assert len(commands) > 40
    silent = [
        (name, parameter.name)
        for name, command in commands
        for parameter in command.params
        if not getattr(parameter, "hidden", False) and not getattr(parameter, "help", None)
    ]
    assert silent == []
