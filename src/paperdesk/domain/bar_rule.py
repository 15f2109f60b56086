"""The one rule every bar passes, stated once; ``paperdesk.data.bar_rule`` is its vectorised form.

A bar is valid when:

* its prices (open, high, low, close) are finite and positive;
* high >= max(open, close) and low <= min(open, close), so high >= low;
* its volume is finite and not negative;
* it closes (``ts_close``) after it opens (``ts_open``).

``bar_problems`` lists what is wrong with one bar, each problem naming the field, the check it
fails and a reason worded for people; ``Bar`` refuses a bar with any problem. The wording: a NaN
value is "close is missing or NaN"; an infinite one "high inf is not finite"; "low 0.0 is not
positive"; "high 9.0 is below low 11.0" (then nothing is said of open and close); "high 10.6 is
below close 11.0 (close is outside the low-high range)" names the higher of open and close when
high is below it, "low 10.9 is above open 10.5 (open is outside the low-high range)" the lower
of the two when low is above it; "volume -5.0 is negative"; "ts_close ... is not after ts_open
...". Numbers are written exactly as the bar holds them (``str`` of the Decimal).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

PRICE_FIELDS = ("open", "high", "low", "close")

# The checks, in the order a bar is checked, each with the words a report about many bars uses.
MISSING = "missing"
NOT_FINITE = "not finite"
NOT_POSITIVE = "not positive"
HIGH_BELOW_LOW = "high below low"
OUTSIDE_RANGE = "outside range"
NEGATIVE_VOLUME = "negative volume"
CLOSE_NOT_AFTER_OPEN = "close not after open"
CHECKS = (
    MISSING,
    NOT_FINITE,
    NOT_POSITIVE,
    HIGH_BELOW_LOW,
    OUTSIDE_RANGE,
    NEGATIVE_VOLUME,
    CLOSE_NOT_AFTER_OPEN,
)
SUMMARIES = {
    MISSING: "a missing (NaN) value",
    NOT_FINITE: "a value that is not finite",
    NOT_POSITIVE: "a price that is not positive",
    HIGH_BELOW_LOW: "high below low",
    # "high-low" here but "low-high" in the per-bar reason: the tests of provider answers
    # (test_provider_quota_and_settings) and of CSV imports (test_data_importer) pin each one
    OUTSIDE_RANGE: "open or close outside the high-low range",
    NEGATIVE_VOLUME: "a negative volume",
    CLOSE_NOT_AFTER_OPEN: "a close time not after the open time",
}

NumberText = Callable[[Decimal], str]


class BarProblem(NamedTuple):
    """One thing wrong with a bar: the field it is about, the check failed, and why."""

    field: str
    check: str
    reason: str


def exact_text(value: Decimal) -> str:
    """A bar value as written in reasons: the exact decimal, or nan, inf, -inf."""
    if value.is_nan():
        return "nan"
    if value.is_infinite():
        return "-inf" if value.is_signed() else "inf"
    return str(value)


def bar_problems(
    open: Decimal,
    high: Decimal,
    low: Decimal,
    close: Decimal,
    volume: Decimal,
    ts_open: datetime | None = None,
    ts_close: datetime | None = None,
    *,
    number_text: NumberText = exact_text,
) -> list[BarProblem]:
    """What is wrong with a bar (empty when it is valid): each value, then the range, then the
    times (checked only when both are given); ``number_text`` writes the values in reasons."""
    if (
        open.is_finite()
        and high.is_finite()
        and low.is_finite()
        and close.is_finite()
        and volume.is_finite()
        and low > 0
        and high >= max(open, close)
        and low <= min(open, close)
        and volume >= 0
        and (ts_open is None or ts_close is None or ts_close > ts_open)
    ):
        return []
    prices = {"open": open, "high": high, "low": low, "close": close}
    problems: list[BarProblem] = []
    for field, value in (*prices.items(), ("volume", volume)):
        if value.is_nan():
            problems.append(BarProblem(field, MISSING, f"{field} is missing or NaN"))
        elif value.is_infinite():
            text = number_text(value)
            problems.append(BarProblem(field, NOT_FINITE, f"{field} {text} is not finite"))
        elif field != "volume" and value <= 0:
            text = number_text(value)
            problems.append(BarProblem(field, NOT_POSITIVE, f"{field} {text} is not positive"))
        elif field == "volume" and value < 0:
            text = number_text(value)
            problems.append(BarProblem(field, NEGATIVE_VOLUME, f"volume {text} is negative"))
    if all(value.is_finite() for value in prices.values()):
        problems.extend(_range_problems(open, high, low, close, number_text))
    if ts_open is not None and ts_close is not None and not ts_close > ts_open:
        problems.append(
            BarProblem(
                "ts_close",
                CLOSE_NOT_AFTER_OPEN,
                f"ts_close {ts_close.isoformat()} is not after ts_open {ts_open.isoformat()}",
            )
        )
    return problems


def _range_problems(
    open: Decimal, high: Decimal, low: Decimal, close: Decimal, number_text: NumberText
) -> list[BarProblem]:
    if high < low:
        reason = f"high {number_text(high)} is below low {number_text(low)}"
        return [BarProblem("high", HIGH_BELOW_LOW, reason)]
    problems = []
    if max(open, close) > high:  # named: the higher of open and close (close on a tie)
        field, value = ("close", close) if close >= open else ("open", open)
        bound = f"high {number_text(high)} is below"
        problems.append((field, value, bound))
    if min(open, close) < low:  # named: the lower of open and close (close on a tie)
        field, value = ("close", close) if close <= open else ("open", open)
        bound = f"low {number_text(low)} is above"
        problems.append((field, value, bound))
    return [
        BarProblem(
            field,
            OUTSIDE_RANGE,
            f"{bound} {field} {number_text(value)} ({field} is outside the low-high range)",
        )
        for field, value, bound in problems
    ]
