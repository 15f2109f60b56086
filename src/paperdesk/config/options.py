"""How one run option is declared: its key, flag, help, unit, panel and the parser that checks it.

A field of a run-description model carries an ``Option`` in its ``Annotated`` metadata. From that
one declaration come the command-line options (``--key-with-dashes`` unless ``flag`` says
otherwise), the run-file key (``key``), the validation (``parse``, which names the bad value with
the label of wherever it was set) and the documentation (``help``, ``unit``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

Parser = Callable[[object, str], Any]


class Panel(StrEnum):
    """The group an option is listed under in help texts."""

    RUN = "Run"
    DATA = "Data"
    SIZING = "Sizing"
    RISK = "Risk rules"
    EXECUTION = "Execution"
    STATISTICS = "Statistics"
    ACCOUNT = "Account and margin"


BACKTEST, PORTFOLIO = "backtest", "portfolio"
BOTH = frozenset({BACKTEST, PORTFOLIO})


@dataclass(frozen=True, slots=True)
class Option:
    """The declaration of one run option (see the module docstring)."""

    key: str
    help: str
    parse: Parser
    metavar: str = "VALUE"
    panel: Panel = Panel.RUN
    unit: str = ""
    flag: str | None = None
    off_flag: str | None = None  # a boolean's negative flag, e.g. --long-only
    commands: frozenset[str] = BOTH  # the commands that offer it on the command line
    shown_default: str | None = None  # the default as help shows it, when not the field's

    @property
    def cli_flag(self) -> str:
        return self.flag or "--" + self.key.replace("_", "-")

    @property
    def is_flag(self) -> bool:
        return self.off_flag is not None


@dataclass(frozen=True, slots=True)
class DeclaredOption:
    """An option together with where it lives in the run description."""

    option: Option
    path: tuple[str, ...]  # field names from the top model down to the field
    default: object

    @property
    def key(self) -> str:
        return self.option.key


def option_of(model: type[BaseModel], field_name: str) -> Option | None:
    """The ``Option`` declared on ``model.field_name``, if any."""
    field = model.model_fields.get(field_name)
    if field is None:
        return None
    return next((item for item in field.metadata if isinstance(item, Option)), None)


def declared_options(
    model: type[BaseModel], prefix: tuple[str, ...] = ()
) -> Iterator[DeclaredOption]:
    """Every declared option of ``model`` and of the models nested in it, in field order."""
    for name, field in model.model_fields.items():
        option = option_of(model, name)
        if option is not None:
            yield DeclaredOption(option, (*prefix, name), field.default)
            continue
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from declared_options(annotation, (*prefix, name))
