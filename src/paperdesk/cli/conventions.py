"""One look and one parser for every command: readable help and negative numbers as values.

``PaperdeskGroup`` is the root command group. When Typer builds it, it walks every command
below it once and

- gives each parameter a readable metavar (``TEXT``, ``INTEGER``, ``PATH``; flags show none,
  so help never prints ``<bool>`` or ``<str>``);
- writes every default the same way, ``(default: X)`` at the end of the help text (the run
  options already do; Typer's ``[default: X]`` is turned off);
- writes each paragraph of a command's help on one line, for the terminal to wrap;
- lets a token that looks like a negative number (``-5``, ``-0.5``) reach the command as a
  value, so ``order place 1 SPY buy -5`` is refused for its quantity, not as "No such option".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args, get_origin

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from paperdesk.cli.errors import ErrorReportingGroup

NEGATIVE_NUMBER = re.compile(r"^-(\d[\d_,]*\.?\d*|\.\d+)([eE][-+]?\d+)?$")
METAVARS: dict[Any, str] = {
    str: "TEXT",
    int: "INTEGER",
    float: "NUMBER",
    Path: "PATH",
}


def looks_negative(token: str) -> bool:
    """Whether ``token`` reads as a negative number (a value, never an option)."""
    return bool(NEGATIVE_NUMBER.match(token))


class NumberFriendlyCommand(TyperCommand):
    """A command whose positional values may be negative numbers (``-5``, ``-100.5``).

    click reads ``-5`` as the short options ``-5``; when the arguments hold such a token this
    command lets unknown short options through as values, so the command itself refuses the
    number with a message about the value. No paperdesk option is a digit.
    """

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if any(looks_negative(token) for token in args):
            ctx.ignore_unknown_options = True
        return super().parse_args(ctx, args)


def _annotation(param: TyperOption | TyperArgument) -> Any:
    descriptor = getattr(param, "type_descriptor", None)
    annotation = getattr(descriptor, "annotation", None)
    if get_origin(annotation) is list:
        (annotation,) = get_args(annotation)
    return annotation


def readable_metavar(param: TyperOption | TyperArgument) -> str:
    """``TEXT``, ``INTEGER``, ``NUMBER``, ``PATH`` or the parameter's name in capitals."""
    return METAVARS.get(_annotation(param), param.name.upper() if param.name else "VALUE")


def default_text(option: TyperOption) -> str | None:
    """The default as help shows it, or None when there is nothing worth showing."""
    default = option.default
    if option.is_bool_flag:
        if option.secondary_opts:
            return option.opts[0] if default else option.secondary_opts[0]
        return None
    if default is None or default == () or default == []:
        return None
    return str(getattr(default, "value", default))


def _tidy_option(option: TyperOption) -> None:
    if option.is_bool_flag:
        option.metavar = ""
    elif option.metavar is None:
        option.metavar = readable_metavar(option)
    if option.show_default is not False and not isinstance(option.show_default, str):
        shown = default_text(option)
        help_text = option.help or ""
        if shown is not None and "(default" not in help_text:
            option.help = f"{help_text} (default: {shown})".strip()
    option.show_default = False


class PlainArgument(TyperArgument):
    """An argument whose help shows its metavar only (no ``<str>`` type column)."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None


def _tidy_argument(argument: TyperArgument) -> None:
    if argument.metavar is None:
        argument.metavar = (argument.name or "value").upper()
    argument.show_default = False
    argument.__class__ = PlainArgument  # same state, only the help display differs


def commands_under(command: Any) -> Iterator[Any]:
    """``command`` and every command below it."""
    yield command
    if isinstance(command, TyperGroup):
        for child in command.commands.values():
            yield from commands_under(child)


def unwrapped(help_text: str | None) -> str | None:
    """``help_text`` with each paragraph on one line, for the terminal to wrap: a docstring's
    line breaks are where its source wraps, and Rich keeps them (a command listing broke
    mid-sentence: "...or a walk-forward's" / "(equity, drawdown..."). A paragraph marked
    ``\\b`` (click's "do not rewrap") is kept as written."""
    if not help_text:
        return help_text
    paragraphs = help_text.split("\n\n")
    return "\n\n".join(p if p.startswith("\b") else " ".join(p.split()) for p in paragraphs)


def tidy(command: TyperCommand | TyperGroup) -> None:
    """Apply the conventions above to ``command`` and everything below it."""
    for each in commands_under(command):
        each.help = unwrapped(each.help)
        if type(each) is TyperCommand:
            each.__class__ = NumberFriendlyCommand  # same state, a more forgiving parser
        help_option = each.get_help_option(typer.Context(each))  # made once, then reused
        for param in [*each.params, *([help_option] if help_option else [])]:
            if isinstance(param, TyperOption):
                _tidy_option(param)
            elif isinstance(param, TyperArgument):
                _tidy_argument(param)


class PaperdeskGroup(ErrorReportingGroup):
    """The root group: reports errors in one line and applies the conventions to the tree."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tidy(self)
