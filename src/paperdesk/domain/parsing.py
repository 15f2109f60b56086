"""Parse values people type (command line, run files, API bodies), naming the bad one."""

from __future__ import annotations

import math
import re
import tomllib
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import TypeVar

from paperdesk.domain.errors import OptionError
from paperdesk.domain.fields import field_mark

EnumType = TypeVar("EnumType", bound=Enum)

NONE_WORDS = frozenset({"none", "off"})


def invalid(label: str, value: object, expected: str) -> OptionError:
    # a Decimal is a number as the sender wrote it (a JSON number read exactly): shown as one,
    # never as Python's Decimal('-1')
    shown = str(value) if isinstance(value, Decimal) else repr(value)
    return OptionError(f"invalid value for {label}: {shown} (expected {expected})")


def is_none_word(value: object) -> bool:
    return isinstance(value, str) and value.strip().lower() in NONE_WORDS


def text_value(value: object, label: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise invalid(label, value, "a non-empty string")
    return value.strip()


# Bounds on any amount, price or quantity typed in: every supported database stores them
# exactly, and the Decimal context (28 digits) computes with them exactly.
LARGEST = Decimal("1e15")
SMALLEST_PLACES = 12


# A number as people and programs write one: ASCII digits, an optional sign, point and exponent.
# ``Decimal`` alone also reads "1_000" (underscores) and any script's digits ("１０", "٣"), so a
# typo or a pasted glyph would become an amount; the CSV reader refuses both.
_PLAIN_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def plain_decimal(text: str) -> Decimal:
    """``Decimal(text)`` for a plain decimal (``"300.5"``, ``"-2"``, ``"1e3"``, spaces around
    it allowed, as ``Decimal`` allows them); anything else, NaN and infinities included,
    raises ``InvalidOperation``."""
    text = text.strip()
    if _PLAIN_DECIMAL.fullmatch(text) is None:
        raise InvalidOperation(text)
    return Decimal(text)


def decimal_value(
    value: object,
    label: str,
    *,
    minimum: Decimal = Decimal(0),
    allow_zero: bool = False,
    maximum: Decimal | None = None,
    places: int | None = SMALLEST_PLACES,
) -> Decimal:
    """An exact Decimal from a string, an int or a Decimal (never through a float).

    ``places`` bounds the decimals of amounts stored in ledger columns; a setting such as a
    percentage (stored as text) may carry more (None).
    """
    bound = f"at least {minimum}" if allow_zero else f"greater than {minimum}"
    expected = f"a number {bound}" + (f" and at most {maximum}" if maximum is not None else "")
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise invalid(label, value, expected)
    try:
        number = plain_decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    except InvalidOperation:
        raise invalid(label, value, expected) from None
    if not number.is_finite():  # NaN and infinities cannot be compared (sNaN even raises)
        raise invalid(label, value, expected)
    too_fine = places is not None and number != 0 and number.as_tuple().exponent < -places  # type: ignore[operator]
    # adjusted(): the exponent of the leading digit, read without arithmetic (abs() of
    # 1E+999999999 overflows the decimal context)
    if (number != 0 and number.adjusted() >= LARGEST.adjusted()) or too_fine:
        raise invalid(label, value, f"{expected}, below 1e15 and with at most {places} decimals")
    too_low = number < minimum if allow_zero else number <= minimum
    too_high = maximum is not None and number > maximum
    if too_low or too_high:
        raise invalid(label, value, expected)
    return number


def optional_decimal(
    value: object, label: str, *, maximum: Decimal | None = None
) -> Decimal | None:
    """A positive Decimal, or None for "none"."""
    if is_none_word(value):
        return None
    return decimal_value(value, label, maximum=maximum)


LARGEST_INTEGER = 2**63 - 1  # the ledger's integer columns are 64-bit
FIRST_YEAR, LAST_YEAR = 1900, 2100  # the dates market data and the calendars cover


def integer_value(
    value: object, label: str, *, minimum: int = 0, maximum: int = LARGEST_INTEGER
) -> int:
    expected = f"a whole number of at least {minimum} and at most {maximum}"
    if isinstance(value, bool):
        raise invalid(label, value, expected)
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _PLAIN_INTEGER.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        raise invalid(label, value, expected)
    if not minimum <= number <= maximum:
        raise invalid(label, value, expected)
    return number


_PLAIN_INTEGER = re.compile(r"[+-]?[0-9]+")  # str.isdigit() takes any script's digits too


def optional_integer(value: object, label: str) -> int | None:
    """A whole number of at least 1, or None for "none"."""
    if is_none_word(value):
        return None
    return integer_value(value, label, minimum=1)


def fraction_value(value: object, label: str) -> float:
    """A float between 0 and 1 inclusive (a confidence, not money)."""
    if isinstance(value, float):
        if not 0.0 <= value <= 1.0:  # NaN fails both comparisons
            raise invalid(label, value, "a number at least 0 and at most 1")
        return value
    number = decimal_value(value, label, allow_zero=True, maximum=Decimal(1))
    return float(number)


def flag_value(value: object, label: str) -> bool:
    if not isinstance(value, bool):
        raise invalid(label, value, "true or false")
    return value


def date_value(value: object, label: str) -> date:
    """A real calendar date (YYYY-MM-DD) in the years 1900 to 2100."""
    expected = f"a date such as 2020-01-31, in the years {FIRST_YEAR} to {LAST_YEAR}"
    if isinstance(value, datetime):
        raise invalid(label, value, expected)
    if isinstance(value, date):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = date.fromisoformat(value.strip())
        except ValueError:
            raise invalid(label, value, expected) from None
    else:
        raise invalid(label, value, expected)
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise invalid(label, value, expected)
    return parsed


def choice_value(value: object, label: str, choices: type[EnumType]) -> EnumType:
    """An enum member from its value; case and underscores versus dashes do not matter."""
    names = " or ".join(str(member.value) for member in choices)
    if isinstance(value, str):
        wanted = value.strip().lower().replace("_", "-")
        for member in choices:
            if member.value == wanted:
                return member
    raise invalid(label, value, names)


def parse_param(text: str) -> tuple[str, object]:
    """A ``key=value`` strategy parameter; the value is read as a TOML value, else as text."""
    key, separator, raw = text.partition("=")
    key = key.strip()
    if not separator or not key:
        raise OptionError(
            f"invalid value for {field_mark('params', '--param')}: {text!r} (expected key=value, "
            "e.g. fast=10)"
        )
    return key, param_value(raw.strip())


def param_value(raw: str) -> object:
    """``10`` -> 10, ``0.5`` -> 0.5, ``true`` -> True, ``"a b"`` -> "a b", ``sma`` -> "sma".
    A number TOML reads but the plain grammar of every other number does not (``1_0``,
    ``0x10``, ``inf``, ``nan``), or one beyond a float (``1e400``), stays the text typed, which
    the strategy's parameter parser then refuses naming it; so does a TOML value no parameter
    takes (an array, a table, a date: ``[1]``, ``1979-05-27``), rather than Python's spelling
    of it (``datetime.date(1979, 5, 27)``) in that message."""
    if not raw or "\n" in raw:
        return raw
    try:
        value = tomllib.loads(f"value = {raw}")["value"]
    except tomllib.TOMLDecodeError:
        return raw
    if isinstance(value, bool | str):
        return value
    if not isinstance(value, int | float):  # an array, a table, a date or a time
        return raw
    if _PLAIN_DECIMAL.fullmatch(raw) is None or not math.isfinite(value):
        return raw
    return value


def file_problem(what: str, path: object) -> str | None:
    """Why ``path`` cannot be read as ``what`` (``"data file"``), in words for an error
    message, or None when it is a file: ``"data file not found: X"``, or ``"data file X is a
    directory, not a file"`` (a folder is there, so "not found" would mislead)."""
    from pathlib import Path

    found = Path(str(path))
    if found.is_file():
        return None
    if found.is_dir():
        return f"{what} {found} is a directory, not a file"
    return f"{what} not found: {found}"
