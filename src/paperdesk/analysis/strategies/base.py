"""Strategy base class, parameter parsing and the sparse signal-frame helpers.

A strategy turns a bars frame (tz-aware UTC ``DatetimeIndex`` of bar open labels, sorted
ascending, float64 ``open, high, low, close, volume``) into a SPARSE signal frame: one row per
bar where it wants something, indexed by that bar's label, with the columns

* ``direction`` (int8): 1 long, -1 short, 0 flat (exit);
* ``confidence`` (float64 in [0, 1]);
* ``stop`` and ``target`` (float64 prices, NaN when none);
* ``reason`` (Python ``str`` values in an object column, human-readable).

Signals are CAUSAL: the row for bar ``t`` is computed from rows ``<= t`` only, so
``signals(bars[: t + 1])`` equals ``signals(bars)`` restricted to index ``<= t``.
"""

from __future__ import annotations

import dataclasses
import typing
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from math import isnan
from typing import Any, ClassVar, Generic, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from paperdesk.domain.enums import Direction
from paperdesk.domain.errors import InvalidInputError
from paperdesk.domain.money import to_decimal
from paperdesk.domain.signals import Signal

__all__ = [
    "BAR_COLUMNS",
    "SIGNAL_COLUMNS",
    "NoParameters",
    "SignalColumns",
    "Strategy",
    "atr_levels",
    "column",
    "empty_signal_frame",
    "make_signal_frame",
    "require",
    "require_at_least",
    "to_signals",
]

BAR_COLUMNS: tuple[str, ...] = ("open", "high", "low", "close", "volume")
SIGNAL_COLUMNS: tuple[str, ...] = ("direction", "confidence", "stop", "target", "reason")

ParametersT = TypeVar("ParametersT")

_DIRECTIONS = {int(direction): direction for direction in Direction}
_trusted_signal = Signal._make
_TRUE_WORDS = frozenset({"true", "yes", "on", "1", "y", "t"})
_FALSE_WORDS = frozenset({"false", "no", "off", "0", "n", "f"})


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


def _convert(name: str, raw: object, expected: Any) -> object:
    """Convert ``raw`` (often a string from a CLI or a config file) to type ``expected``."""
    type_name = getattr(expected, "__name__", str(expected))
    problem = InvalidInputError(f"parameter {name!r}: value {raw!r} is not a valid {type_name}")
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
            return int(raw)
        if isinstance(raw, float | np.floating) and float(raw).is_integer():
            return int(raw)
        if isinstance(raw, str):
            text = raw.strip().replace("_", "")
            try:
                return int(text)
            except ValueError:
                try:
                    number = float(text)
                except ValueError:
                    raise problem from None
                if number.is_integer():
                    return int(number)
        raise problem
    if expected is float:
        if isinstance(raw, bool):
            raise problem
        if isinstance(raw, int | float | np.integer | np.floating | Decimal):
            value = float(raw)
        elif isinstance(raw, str):
            try:
                value = float(raw.strip().replace("_", ""))
            except ValueError:
                raise problem from None
        else:
            raise problem
        if not np.isfinite(value):
            raise InvalidInputError(f"parameter {name!r}: value {raw!r} must be a finite number")
        return value
    if expected is str:
        if isinstance(raw, str):
            return raw
        raise problem
    raise InvalidInputError(f"parameter {name!r} has an unsupported type {type_name}")


class Strategy(ABC, Generic[ParametersT]):
    """Base of every strategy: parameters in, sparse causal signal frame out.

    Subclasses set ``name``, ``description`` and ``Parameters`` (a frozen dataclass whose
    fields have typed defaults), implement ``warmup`` and ``_compute`` and may override
    ``check_parameters`` to validate ranges.
    """

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
        self.check_parameters(params)
        self.params = params

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.params!r})"

    # ----------------------------------------------------------------- parameters
    @classmethod
    def parameter_types(cls) -> dict[str, Any]:
        """Field name -> declared type (int, float, bool or str) of ``Parameters``."""
        hints = typing.get_type_hints(cls.Parameters)
        return {field.name: hints[field.name] for field in dataclasses.fields(cls.Parameters)}

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
        cls.check_parameters(params)
        return params

    @classmethod
    def check_parameters(cls, params: Any) -> None:
        """Validate ranges; raise ``InvalidInputError`` naming the parameter. Default: none."""

    # ----------------------------------------------------------------- signals
    @property
    @abstractmethod
    def warmup(self) -> int:
        """Bars needed before the first possible signal (first signal row, 0-based)."""

    @abstractmethod
    def _compute(self, bars: pd.DataFrame) -> pd.DataFrame:
        """The signal frame for validated, non-empty ``bars`` (see ``make_signal_frame``)."""

    def signals(self, bars: pd.DataFrame) -> pd.DataFrame:
        """Sparse, causal signal frame for ``bars`` (see the module docstring)."""
        _check_bars(bars)
        if len(bars) == 0:
            return empty_signal_frame(bars.index)
        return self._compute(bars)


def _check_bars(bars: pd.DataFrame) -> None:
    if not isinstance(bars, pd.DataFrame):
        raise InvalidInputError(f"bars must be a pandas DataFrame, got {type(bars).__name__}")
    missing = [column for column in BAR_COLUMNS if column not in bars.columns]
    if missing:
        raise InvalidInputError(
            f"bars frame is missing column(s) {', '.join(missing)}; "
            f"expected {', '.join(BAR_COLUMNS)}"
        )
    index = bars.index
    if not isinstance(index, pd.DatetimeIndex) or index.tz is None:
        raise InvalidInputError("bars must be indexed by a timezone-aware DatetimeIndex")
    if not index.is_monotonic_increasing:
        raise InvalidInputError("bars index must be sorted ascending")


def column(bars: pd.DataFrame, name: str) -> npt.NDArray[np.float64]:
    """Column ``name`` of ``bars`` as a contiguous float64 array."""
    return np.ascontiguousarray(bars[name].to_numpy(dtype=np.float64, copy=False))


def empty_signal_frame(index: pd.Index | None = None) -> pd.DataFrame:
    """A signal frame with no rows and the right column dtypes."""
    if isinstance(index, pd.DatetimeIndex):
        empty_index = index[:0]  # keeps the time zone, resolution and name of the bars
    else:
        empty_index = pd.DatetimeIndex([], tz="UTC", name=getattr(index, "name", None))
    return pd.DataFrame(
        {
            "direction": np.empty(0, dtype=np.int8),
            "confidence": np.empty(0, dtype=np.float64),
            "stop": np.empty(0, dtype=np.float64),
            "target": np.empty(0, dtype=np.float64),
            "reason": pd.Series([], index=empty_index, dtype=object),
        },
        index=empty_index,
    )


def make_signal_frame(
    bars: pd.DataFrame,
    positions: npt.NDArray[np.intp],
    direction: npt.ArrayLike,
    confidence: npt.ArrayLike,
    stop: npt.ArrayLike | None,
    target: npt.ArrayLike | None,
    reason: Sequence[str],
) -> pd.DataFrame:
    """Assemble the sparse frame for rows ``positions`` (ascending) of ``bars``.

    Array arguments are aligned with ``positions``; ``stop`` / ``target`` None mean NaN.
    Confidence is clipped to [0, 1] (NaN becomes 0).
    """
    count = positions.shape[0]
    if count == 0:
        return empty_signal_frame(bars.index)
    index = bars.index[positions]
    nan = np.full(count, np.nan)
    confidences = np.nan_to_num(np.asarray(confidence, dtype=np.float64), nan=0.0)
    return pd.DataFrame(
        {
            "direction": np.asarray(direction, dtype=np.int8),
            "confidence": np.clip(confidences, 0.0, 1.0),
            "stop": nan if stop is None else np.asarray(stop, dtype=np.float64),
            "target": nan.copy() if target is None else np.asarray(target, dtype=np.float64),
            "reason": pd.Series(list(reason), index=index, dtype=object),
        },
        index=index,
    )


def atr_levels(
    close: npt.NDArray[np.float64],
    average_true_range: npt.NDArray[np.float64],
    direction: npt.NDArray[np.int8],
    multiple: float,
    side: int,
) -> npt.NDArray[np.float64] | None:
    """``close + side * direction * multiple * ATR`` (side -1: stop, +1: target) or None.

    All arrays are aligned with the signal rows; ``multiple == 0`` means "no level" (None).
    A row where ATR is still in warm-up gets NaN.
    """
    if multiple == 0.0:
        return None
    return close + side * direction.astype(np.float64) * multiple * average_true_range


class SignalColumns:
    """A signal frame as Python lists, converted one signal at a time: the one conversion of a
    signal row to a domain ``Signal`` (stop and target become the Decimals of the floats'
    shortest reprs, NaN None; a row outside the Signal's rules goes through its checking
    constructor, which names what is wrong)."""

    def __init__(self, frame: pd.DataFrame, strategy_name: str, symbol: str) -> None:
        self.name = strategy_name
        self.symbol = symbol
        self.directions: list[int] = frame["direction"].to_numpy().tolist()
        self.confidences: list[float] = frame["confidence"].to_numpy(dtype=np.float64).tolist()
        self.stops: list[float] = frame["stop"].to_numpy(dtype=np.float64).tolist()
        self.targets: list[float] = frame["target"].to_numpy(dtype=np.float64).tolist()
        self.reasons: list[object] = frame["reason"].to_numpy().tolist()

    def __len__(self) -> int:
        return len(self.directions)

    def signal(self, k: int, ts: datetime) -> Signal:
        """Signal ``k`` of the frame, stamped ``ts`` (timezone-aware)."""
        confidence = self.confidences[k]
        direction = _DIRECTIONS.get(self.directions[k])
        stop, target = self.stops[k], self.targets[k]
        fields = (
            self.name,
            self.symbol,
            Direction(self.directions[k]) if direction is None else direction,
            ts,
            confidence,
            None,
            None if isnan(stop) else to_decimal(stop, "stop"),
            None if isnan(target) else to_decimal(target, "target"),
            str(self.reasons[k]),
        )
        if not 0.0 <= confidence <= 1.0 or ts.tzinfo is None:
            return Signal(*fields)  # the checking constructor names what is wrong
        return _trusted_signal(fields)


def to_signals(frame: pd.DataFrame, strategy_name: str, symbol: str) -> list[Signal]:
    """Domain ``Signal`` objects, one per row of a signal frame (``ts`` = the index value),
    converted by ``SignalColumns``."""
    index = frame.index
    if len(index) and (not isinstance(index, pd.DatetimeIndex) or index.tz is None):
        raise InvalidInputError("signal frame must be indexed by a timezone-aware DatetimeIndex")
    columns = SignalColumns(frame, strategy_name, symbol)
    return [columns.signal(k, stamp.to_pydatetime()) for k, stamp in enumerate(index)]
