"""A sweep's grid of strategy parameters, from ``--param`` texts checked against the
strategy's parameter schema.

``fast=5,10,15`` lists values; ``slow=20:60:10`` is a range with both ends included (20, 30,
40, 50, 60; ``a:b`` steps by 1), counted in exact decimals so ``0.5:1.5:0.25`` never drifts;
``mode=level`` is one value. The grid is every combination, the first parameter varying
slowest, in the order given. A combination the strategy refuses (``fast`` not below ``slow``)
is left out and reported; a value refused in every combination it appears in is an error
naming the parameter and the value, as is a name the strategy does not have.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from paperdesk.analysis.strategies.registry import get_strategy_class
from paperdesk.domain.errors import InvalidInputError
from paperdesk.domain.parsing import plain_decimal

MOST_POINTS = 10_000  # a grid larger than this is a mistake in a range, not a sweep


@dataclass(frozen=True, slots=True)
class ParameterAxis:
    """One swept parameter: its name and its values as typed (texts, in order)."""

    name: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ParameterGrid:
    """The combinations a sweep runs, each a name -> typed value mapping (only the swept
    names: the others keep their defaults), and the combinations left out with the reason."""

    strategy: str
    axes: tuple[ParameterAxis, ...]
    points: tuple[dict[str, Any], ...]
    skipped: tuple[tuple[dict[str, str], str], ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(axis.name for axis in self.axes)


def parse_axis(text: str) -> ParameterAxis:
    """``name=v1,v2``, ``name=start:stop[:step]`` or ``name=value``; errors name the text."""
    name, separator, raw = text.partition("=")
    name = name.strip().replace("-", "_")
    if not separator or not name:
        raise InvalidInputError(
            f"--param {text!r}: expected NAME=VALUES (fast=5,10 or slow=20:60:10)"
        )
    raw = raw.strip()
    if not raw:
        raise InvalidInputError(f"--param {text!r}: parameter {name!r} has no value")
    if ":" in raw and "," not in raw:
        return ParameterAxis(name, _range_values(text, name, raw))
    values = tuple(value.strip() for value in raw.split(","))
    if any(not value for value in values):
        raise InvalidInputError(f"--param {text!r}: parameter {name!r} has an empty value")
    return ParameterAxis(name, values)


def _range_values(text: str, name: str, raw: str) -> tuple[str, ...]:
    parts = [part.strip() for part in raw.split(":")]
    if len(parts) not in (2, 3):
        raise InvalidInputError(
            f"--param {text!r}: a range of parameter {name!r} is start:stop or start:stop:step"
        )
    try:
        start, stop = plain_decimal(parts[0]), plain_decimal(parts[1])
        step = plain_decimal(parts[2]) if len(parts) == 3 else Decimal(1)
    except InvalidOperation:
        raise InvalidInputError(
            f"--param {text!r}: the range of parameter {name!r} must be numbers"
        ) from None
    if not all(number.is_finite() for number in (start, stop, step)):
        raise InvalidInputError(f"--param {text!r}: the range of parameter {name!r} must be finite")
    if step <= 0:
        raise InvalidInputError(
            f"--param {text!r}: the step of parameter {name!r} must be positive"
        )
    if stop < start:
        raise InvalidInputError(
            f"--param {text!r}: the range of parameter {name!r} ends ({stop}) before it starts "
            f"({start})"
        )
    count = int((stop - start) / step) + 1
    if count > MOST_POINTS:
        raise InvalidInputError(
            f"--param {text!r}: parameter {name!r} would take {count} values (at most "
            f"{MOST_POINTS})"
        )
    return tuple(str(start + step * index) for index in range(count))


def build_grid(
    strategy: str, specs: Sequence[str], fixed: Mapping[str, object] | None = None
) -> ParameterGrid:
    """The grid of ``specs`` (``--param`` texts) for ``strategy``, every combination checked
    by the strategy's own parameter parser over ``fixed`` (parameters set once, such as a run
    file's); see the module docstring for the rules."""
    strategy_class = get_strategy_class(strategy)
    axes = [parse_axis(text) for text in specs]
    known = strategy_class.parameter_types()
    seen: set[str] = set()
    for axis in axes:
        if axis.name not in known:
            valid = ", ".join(sorted(known)) or "none"
            raise InvalidInputError(
                f"strategy {strategy!r} has no parameter {axis.name!r}; valid parameters: {valid}"
            )
        if axis.name in seen:
            raise InvalidInputError(f"parameter {axis.name!r} is given twice; list its values once")
        seen.add(axis.name)
    size = 1
    for axis in axes:
        size *= len(axis.values)
    if size > MOST_POINTS:
        raise InvalidInputError(f"the grid has {size} combinations (at most {MOST_POINTS})")
    points: list[dict[str, Any]] = []
    skipped: list[tuple[dict[str, str], str]] = []
    accepted: dict[tuple[str, str], bool] = {}
    problems: dict[tuple[str, str], str] = {}
    names = [axis.name for axis in axes]
    spelled: dict[tuple[str, Any], tuple[int, str]] = {}  # a typed value: its first position
    for positions in itertools.product(*(range(len(axis.values)) for axis in axes)):
        combination = [axis.values[at] for axis, at in zip(axes, positions, strict=True)]
        texts = dict(zip(names, combination, strict=True))
        try:
            parsed = strategy_class.parse_params({**(fixed or {}), **texts})
        except InvalidInputError as error:
            skipped.append((texts, str(error)))
            for name, value in texts.items():
                accepted.setdefault((name, value), False)
                problems.setdefault((name, value), str(error))
            continue
        for name, value in texts.items():
            accepted[(name, value)] = True
        typed = {field.name: getattr(parsed, field.name) for field in dataclasses.fields(parsed)}
        for name, at, value in zip(names, positions, combination, strict=True):
            refuse_repeat(spelled, name, typed[name], at, value)
        points.append({name: typed[name] for name in names})
    for (name, value), ok in accepted.items():
        if not ok:
            raise InvalidInputError(
                f"parameter {name!r}: value {value!r} is refused in every combination: "
                f"{problems[(name, value)]}"
            )
    return ParameterGrid(strategy, tuple(axes), tuple(points), tuple(skipped))


def refuse_repeat(
    spelled: dict[tuple[str, Any], tuple[int, str]], name: str, typed: Any, at: int, text: str
) -> None:
    """Refuse a parameter's value listed twice (``fast=5,5``, ``fast=5,05``): the same run
    twice is not a second trial, and it would count in the deflated Sharpe ratio's number of
    trials and tie with itself in the overfitting probability's ranks (the walk-forward's
    re-fit grid refuses it too: a candidate run twice). ``spelled`` maps (name, typed value)
    to the position and text that first gave it; ``at`` is this text's position in its list."""
    try:
        first_at, first_text = spelled.setdefault((name, typed), (at, text))
    except TypeError:  # a value that cannot be compared as a key: nothing to say of it
        return
    if first_at == at:
        return
    same = (
        f"{text!r} is listed twice"
        if text == first_text
        else f"{text!r} is the same value as {first_text!r} ({typed})"
    )
    raise InvalidInputError(f"parameter {name!r}: {same}; list each value once")
