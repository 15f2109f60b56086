"""Command-line options generated from the run description's declarations (one per option).

``with_run_options("backtest")`` adds every option declared for that command to a Typer command
function: its flag, metavar, help (with the unit and the default) and help panel come from the
option's declaration on ``RunConfig``; the values arrive, unparsed, in the ``run_options``
keyword argument keyed by option key (None: not given), for the service to check and build.
"""

from __future__ import annotations

import functools
import inspect
import keyword
from collections.abc import Callable
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any

import typer

from paperdesk.service.run_files import DECLARED

RUN_OPTIONS = "run_options"


def default_text(value: object) -> str:
    """How a default prints in help: 80, none, next-open, off."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, tuple) and not value:
        return "none"
    return str(value)


def parameter_name(key: str) -> str:
    """The Python name of option ``key`` (``from`` is a keyword: ``from_``)."""
    return key if key.isidentifier() and not keyword.iskeyword(key) else f"{key}_"


UNCHANGED = "(default: unchanged)"  # a command that changes stored settings: omitted keeps them


def _parameter(key: str, *, changes: bool = False) -> inspect.Parameter:
    declared = DECLARED[key]
    option = declared.option
    shown = option.shown_default or default_text(declared.default)
    if option.unit and shown != "none":
        shown += option.unit if option.unit == "%" else f" {option.unit}"
    help_text = f"{option.help} {UNCHANGED if changes else f'(default: {shown})'}"
    annotation: Any
    if option.is_flag:
        annotation = Annotated[
            bool | None,
            typer.Option(
                f"{option.cli_flag}/{option.off_flag}",
                help=help_text,
                show_default=False,
                rich_help_panel=option.panel.value,
            ),
        ]
    else:
        annotation = Annotated[
            str | None,
            typer.Option(
                option.cli_flag,
                metavar=option.metavar,
                help=help_text,
                show_default=False,
                rich_help_panel=option.panel.value,
            ),
        ]
    only_keyword = inspect.Parameter.KEYWORD_ONLY
    return inspect.Parameter(parameter_name(key), only_keyword, default=None, annotation=annotation)


def keys_for(command: str) -> list[str]:
    return [key for key, declared in DECLARED.items() if command in declared.option.commands]


def with_run_options(
    command: str, *, changes: bool = False
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Decorate a command function that takes ``run_options: dict[str, object | None]``;
    ``changes``: the command changes stored settings, so an option left out keeps its stored
    value and the help says "(default: unchanged)" rather than a new run's default."""

    def decorate(function: Callable[..., None]) -> Callable[..., None]:
        keys = keys_for(command)
        signature = inspect.signature(function, eval_str=True)
        own = [p for name, p in signature.parameters.items() if name != RUN_OPTIONS]
        generated = [_parameter(key, changes=changes) for key in keys]
        positional = [p for p in own if p.kind is not inspect.Parameter.KEYWORD_ONLY]
        keyword = [
            p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own if p not in positional
        ]

        @functools.wraps(function)
        def command_function(*args: Any, **kwargs: Any) -> None:
            run_options = {key: kwargs.pop(parameter_name(key)) for key in keys}
            function(*args, **kwargs, run_options=run_options)

        parameters = [*positional, *keyword, *generated]
        command_function.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        command_function.__annotations__ = {p.name: p.annotation for p in parameters}
        return command_function

    return decorate
