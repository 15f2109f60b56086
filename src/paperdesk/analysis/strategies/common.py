"""What every strategy kind shares: a name, a description, typed parameters and a warm-up."""

from __future__ import annotations

import dataclasses
import inspect
import traceback
import typing
from abc import ABC, abstractmethod
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, ClassVar, Generic, NamedTuple, TypeVar

import numpy as np

from paperdesk.domain.errors import InvalidInputError
from paperdesk.domain.parsing import LARGEST_INTEGER, plain_decimal

__all__ = [
    "NoParameters",
    "ParameterDescription",
    "StrategyBase",
    "StrategyKind",
    "period_field",
    "require",
    "require_at_least",
    "require_choice",
    "require_period",
]

ParametersT = TypeVar("ParametersT")

_TRUE_WORDS = frozenset({"true", "yes", "on", "1", "y", "t"})
_FALSE_WORDS = frozenset({"false", "no", "off", "0", "n", "f"})


class StrategyKind(StrEnum):
    """How a strategy decides: over the whole history at once, or one bar at a time."""

    VECTORISED = "vectorised"
    PER_BAR = "per-bar"


class ParameterDescription(NamedTuple):
    """One parameter of a strategy, for listings: its name, type name, default value and
    meaning (the field's ``metadata["help"]``: ``field(default=10, metadata={"help": ...})``)."""

    name: str
    type_name: str
    default: object
    meaning: str = ""


# Field metadata: "help" says what a parameter means; "minimum", "maximum" and "enum" state the
# bounds its strategy's check_parameters enforces, for forms (the API's parameter schemas).
STOP_ATR_HELP = {"help": "stop-loss distance in ATR(14) multiples (0 = none)", "minimum": 0.0}
TARGET_ATR_HELP = {
    "help": "take-profit distance in ATR(14) multiples (0 = none)",
    "minimum": 0.0,
}
MIN_BARS_HELP = {
    "help": "no decision before this many bars were seen: the first possible decision is on "
    "the bar at 0-based row min_bars (0 = as soon as the indicators exist)",
    "minimum": 0,
}
EMA_SEED_HELP = {
    "help": "how every EMA starts: sma (the SMA of its first inputs: TA-Lib, backtrader, Lean) "
    "or first (the first input: pandas ewm(adjust=False), the ta library)"
}


@dataclasses.dataclass(frozen=True, slots=True)
class NoParameters:
    """Parameters of a strategy that takes none."""


def require(condition: bool, message: str) -> None:
    """Raise ``InvalidInputError(message)`` unless ``condition`` holds."""
    if not condition:
        raise InvalidInputError(message)


def require_at_least(name: str, value: float, minimum: float) -> None:
    """Raise ``InvalidInputError`` naming parameter ``name`` when ``value < minimum``."""
    if value < minimum:
        raise InvalidInputError(f"parameter {name!r} must be at least {minimum}, got {value}")


def require_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    """Raise ``InvalidInputError`` naming parameter ``name`` and the allowed values unless
    ``value`` is one of ``choices``."""
    if value not in choices:
        raise InvalidInputError(
            f"parameter {name!r} must be one of {', '.join(choices)}, got {value!r}"
        )


MAX_PERIOD = 10_000  # bars: a longer indicator period needs more history than any data set


def period_field(meaning: str, minimum: int) -> dict[str, object]:
    """Metadata of a period checked with ``require_period(name, value, minimum)``."""
    return {"help": meaning, "minimum": minimum, "maximum": MAX_PERIOD}


def require_period(name: str, value: int, minimum: int) -> None:
    """Raise ``InvalidInputError`` naming parameter ``name`` unless ``minimum <= value <=
    MAX_PERIOD`` (a period a tick can always compute)."""
    require_at_least(name, value, minimum)
    if value > MAX_PERIOD:
        raise InvalidInputError(
            f"parameter {name!r} must be at most {MAX_PERIOD} bars, got {value}"
        )


def as_written(raw: object) -> str:
    """A parameter's value as its sender wrote it, for a message: a boolean as the ``true`` or
    ``false`` typed (``--param fast=true``, TOML, JSON), in quotes as text is; a number as its
    digits (an exact ``Decimal`` of a run file or a NumPy number too, never Python's
    ``Decimal('1.5')`` or ``np.int64(5)``); text quoted."""
    if isinstance(raw, bool | np.bool_):
        return "'true'" if raw else "'false'"
    if isinstance(raw, Decimal | int | float | np.integer | np.floating):
        return str(raw)
    return repr(raw)


def _bounded(name: str, raw: object, number: int) -> int:
    if abs(number) > LARGEST_INTEGER:
        raise InvalidInputError(
            f"parameter {name!r}: value {as_written(raw)} is beyond a 64-bit whole number"
        )
    return number


def _plain_number(text: str) -> Decimal | None:
    """The number a parameter's text spells in the plain ASCII grammar of every other number
    (``paperdesk.domain.parsing.plain_decimal``: no underscores, no other scripts' digits, no
    NaN or infinity), or None."""
    try:
        return plain_decimal(text)
    except InvalidOperation:
        return None


def _convert(name: str, raw: object, expected: Any) -> object:
    """Convert ``raw`` (often a string from a CLI or a config file) to type ``expected``."""
    type_name = getattr(expected, "__name__", str(expected))
    problem = InvalidInputError(
        f"parameter {name!r}: value {as_written(raw)} is not a valid {type_name}"
    )
    if expected is bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, int | np.integer) and int(raw) in (0, 1):
            return bool(raw)
        if isinstance(raw, str):
            word = raw.strip().lower()
            if word in _TRUE_WORDS:
                return True
            if word in _FALSE_WORDS:
                return False
        raise problem
    if expected is int:
        if isinstance(raw, bool):
            raise problem
        if isinstance(raw, int | np.integer):
            return _bounded(name, raw, int(raw))
        if isinstance(raw, float | np.floating) and float(raw).is_integer():
            return _bounded(name, raw, int(raw))
        if isinstance(raw, str):
            number = _plain_number(raw)
            if number is not None and number == number.to_integral_value():
                return _bounded(name, raw, int(number))
        raise problem
    if expected is float:
        if isinstance(raw, bool):
            raise problem
        if isinstance(raw, int | float | np.integer | np.floating | Decimal):
            value = float(raw)
        elif isinstance(raw, str):
            number = _plain_number(raw)
            if number is None:
                raise problem
            value = float(number)
        else:
            raise problem
        if not np.isfinite(value):
            raise InvalidInputError(
                f"parameter {name!r}: value {as_written(raw)} must be a finite number"
            )
        return value
    if expected is str:
        if isinstance(raw, str):
            return raw
        raise problem
    raise InvalidInputError(f"parameter {name!r} has an unsupported type {type_name}")


class StrategyBase(ABC, Generic[ParametersT]):
    """Base of both strategy kinds: ``Strategy`` (vectorised) and ``BarStrategy`` (per bar).

    Subclasses set ``name``, ``description`` and ``Parameters`` (a frozen dataclass whose
    fields have typed defaults: int, float, bool or str), implement ``warmup`` and may
    override ``check_parameters`` to validate ranges.
    """

    kind: ClassVar[StrategyKind]
    name: ClassVar[str]
    description: ClassVar[str]
    Parameters: ClassVar[type[Any]] = NoParameters

    params: ParametersT

    def __init__(self, params: ParametersT | None = None) -> None:
        if params is None:
            params = typing.cast(ParametersT, self.Parameters())
        elif not isinstance(params, self.Parameters):
            raise InvalidInputError(
                f"strategy {self.name!r} expects {self.Parameters.__name__}, "
                f"got {type(params).__name__}"
            )
        self._check(params)
        self.params = params

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.params!r})"

    @classmethod
    def failure(cls, where: str, method: str, error: Exception) -> InvalidInputError:
        """The error to raise when ``method`` (``compute()``, ``decide()``) raised ``error``:
        ``where`` (naming this strategy) and the error's words; for an error other than an
        input error, its type and the line of the strategy's own file that raised it, so a
        plug-in's bug reaches the CLI and the API as one clear refusal, not a traceback."""
        if isinstance(error, InvalidInputError):
            return InvalidInputError(f"{where}: {error}")
        return InvalidInputError(
            f"{where}: {method} raised {type(error).__name__}: {error}{cls._raised_at(error)}"
        )

    @classmethod
    def _raised_at(cls, error: Exception) -> str:
        frames = traceback.extract_tb(error.__traceback__)
        try:
            own = inspect.getsourcefile(cls)
        except TypeError:  # a class without a file (defined in a REPL)
            own = None
        mine = [frame for frame in frames if frame.filename == own]
        last = (mine or frames)[-1] if frames else None
        return f" (at {last.filename}, line {last.lineno})" if last is not None else ""

    @property
    @abstractmethod
    def warmup(self) -> int:
        """Bars needed before the first possible decision (its 0-based row)."""

    # ----------------------------------------------------------------- parameters
    @classmethod
    def parameter_types(cls) -> dict[str, Any]:
        """Field name -> declared type (int, float, bool or str) of ``Parameters``."""
        hints = typing.get_type_hints(cls.Parameters)
        return {field.name: hints[field.name] for field in dataclasses.fields(cls.Parameters)}

    @classmethod
    def describe_parameters(cls) -> list[ParameterDescription]:
        """Every parameter with its type name and default, in declaration order."""
        types = cls.parameter_types()
        described: list[ParameterDescription] = []
        for field in dataclasses.fields(cls.Parameters):
            if field.default is not dataclasses.MISSING:
                default: object = field.default
            elif field.default_factory is not dataclasses.MISSING:
                default = field.default_factory()
            else:
                default = None
            expected = types[field.name]
            type_name = getattr(expected, "__name__", str(expected))
            meaning = str(field.metadata.get("help", ""))
            described.append(ParameterDescription(field.name, type_name, default, meaning))
        return described

    @classmethod
    def parse_params(cls, values: Mapping[str, object] | None = None) -> Any:
        """Build a validated ``Parameters`` from loosely typed values ("10", "0.5", "true").

        Missing names keep their defaults. Raises ``InvalidInputError`` for an unknown name
        (listing the valid ones), a value of the wrong type (naming parameter, value and the
        expected type) or a value out of range.
        """
        types = cls.parameter_types()
        converted: dict[str, object] = {}
        for key, raw in (values or {}).items():
            name = str(key).strip().replace("-", "_")
            if name not in types:
                valid = ", ".join(sorted(types)) or "none"
                raise InvalidInputError(
                    f"strategy {cls.name!r} has no parameter {key!r}; valid parameters: {valid}"
                )
            converted[name] = _convert(name, raw, types[name])
        params = cls.Parameters(**converted)
        cls._check(params)
        return params

    @classmethod
    def _check(cls, params: Any) -> None:
        """``check_parameters``, its own refusals as they are; any other exception it raises
        (a bug in a user strategy) as an input error naming the strategy."""
        try:
            cls.check_parameters(params)
        except InvalidInputError:
            raise
        except Exception as error:
            raise cls.failure(f"strategy {cls.name!r}", "check_parameters()", error) from error

    @classmethod
    def check_parameters(cls, params: Any) -> None:
        """Validate ranges; raise ``InvalidInputError`` naming the parameter. Default: none."""
