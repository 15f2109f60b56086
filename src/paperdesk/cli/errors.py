"""Turn every deliberate error into one ``error: ...`` line on stderr and an exit code."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperGroup

from paperdesk.domain import PaperdeskError
from paperdesk.domain.errors import OptionError

USAGE_EXIT_CODE = 2
RUN_EXIT_CODE = 1


def one_line(message: str) -> str:
    return " ".join(message.split())


# the logger of a server command (``serve``) whose refusals before it starts go to its log
# stream as records, as its start line does; None for every other command (set per invocation)
_refusals_logger: str | None = None


def refusals_as_log_records(logger: str | None) -> None:
    """Report this invocation's refusals as records of ``logger`` when records go out as JSON
    lines (``--log-format json``): a log shipper reads every line of a server's stderr as
    one; None: as ``error: ...`` lines (every command but a server)."""
    global _refusals_logger
    _refusals_logger = logger


def report(message: str) -> None:
    """``error: MESSAGE`` on stderr (one line); a server's refusal as a JSON record at level
    ERROR with the same words when its records go out as JSON lines."""
    _say(one_line(message), "error: ", logging.ERROR)


def report_interrupted(line: str) -> None:
    """The ``interrupted: ...`` line of a Ctrl-C on stderr; a server's (``serve`` stopped
    during its start-up) as a JSON record at level WARNING with the same words when its
    records go out as JSON lines, as its refusals are."""
    _say(one_line(line), "", logging.WARNING)


def _say(line: str, prefix: str, level: int) -> None:
    if _refusals_logger is not None:
        from paperdesk.service.logs import json_record

        if json_record(line, _refusals_logger, level):
            return
    typer.echo(f"{prefix}{line}", err=True)


def usage_hint(error: typer.TyperException) -> str:
    context = getattr(error, "ctx", None)
    command_path = getattr(context, "command_path", None)
    return f" (see '{command_path} --help')" if command_path else ""


# Words a trader types for an option paperdesk spells otherwise: click's spelling suggestions
# (``--start``: "Possible options: --mark, --size-at, --strategy") never find these.
SYNONYMS = {
    "--start": "--from",
    "--begin": "--from",
    "--since": "--from",
    "--end": "--to",
    "--until": "--to",
}


def _suggest_synonym(error: typer.TyperException) -> None:
    """Point an unknown option that is a synonym of one the command has to that option."""
    name = getattr(error, "option_name", None)  # click's NoSuchOption (typer vendors click)
    if not isinstance(name, str) or not hasattr(error, "possibilities"):
        return
    wanted = SYNONYMS.get(name.split("=", 1)[0])
    context = getattr(error, "ctx", None)
    command = getattr(context, "command", None)
    if wanted is None or command is None:
        return
    if any(wanted in getattr(parameter, "opts", ()) for parameter in command.params):
        error.possibilities = [wanted]


# What a value of a type Typer checks with pydantic must look like, by pydantic's error type
# (its own words, "Input should be a valid integer, unable to parse string as an integer",
# name neither the value typed nor where it was typed)
EXPECTED_BY_ERROR = {
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "int_type": "a whole number",
    "float_parsing": "a number",
    "float_type": "a number",
    "decimal_parsing": "a number",
    "bool_parsing": "true or false",
}


def coercion_message(error: typer.TyperException) -> str | None:
    """``invalid value for PORTFOLIO_ID: 'abc' (expected a whole number)`` for a value Typer
    could not turn into its parameter's type, as paperdesk's own checks word a bad value;
    None for every other error."""
    errors = getattr(error.__cause__, "errors", None)
    param = getattr(error, "param", None)
    if not callable(errors) or param is None:
        return None
    first = errors()[0]
    if param.param_type_name == "argument":
        name = param.metavar or param.name.upper()
    else:
        name = max(param.opts, key=len)
    expected = EXPECTED_BY_ERROR.get(first.get("type"), str(first.get("msg", "")).lower())
    return f"invalid value for {name}: {first.get('input')!r} (expected {expected})"


def exit_code_for(error: BaseException) -> int:
    """Report ``error`` on stderr and return the process exit code it deserves."""
    if isinstance(error, typer.TyperException):  # click's usage and parameter errors
        _suggest_synonym(error)
        hint = usage_hint(error) if error.exit_code == USAGE_EXIT_CODE else ""
        report((coercion_message(error) or error.format_message()) + hint)
        return error.exit_code
    if isinstance(error, OptionError):
        report(str(error))
        return USAGE_EXIT_CODE
    if isinstance(error, PaperdeskError):
        report(str(error))
        return RUN_EXIT_CODE
    if isinstance(error, OSError):
        where = f": {error.filename}" if error.filename else ""
        report(f"{error.strerror or error}{where}")
        return RUN_EXIT_CODE
    if isinstance(error, typer.Abort):
        report("aborted")
        return RUN_EXIT_CODE
    raise error


class ErrorReportingGroup(TyperGroup):
    """A command group that reports known errors in one line instead of a traceback."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        refusals_as_log_records(None)  # until the root callback knows the command
        try:
            outcome = super().main(
                args,
                prog_name,
                complete_var,
                standalone_mode=False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
            code = outcome if isinstance(outcome, int) and not isinstance(outcome, bool) else 0
        except (typer.TyperException, PaperdeskError, OSError, typer.Abort) as error:
            code = exit_code_for(error)
        if not standalone_mode:
            return code
        sys.exit(code)
