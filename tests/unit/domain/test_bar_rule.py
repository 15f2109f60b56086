"""The bar rule's scalar form: which bars fail and the words each problem is reported in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from paperdesk.domain import Bar, InvalidInputError
from paperdesk.domain.bar_rule import (
    CLOSE_NOT_AFTER_OPEN,
    HIGH_BELOW_LOW,
    MISSING,
    NEGATIVE_VOLUME,
    NOT_FINITE,
    NOT_POSITIVE,
    OUTSIDE_RANGE,
    BarProblem,
    bar_problems,
)

D = Decimal
T0 = datetime(2024, 3, 1, 14, 30, tzinfo=UTC)


def problems(open: str, high: str, low: str, close: str, volume: str = "100") -> list[BarProblem]:
    return bar_problems(D(open), D(high), D(low), D(close), D(volume))


def test_a_consistent_bar_has_no_problem() -> None:
    assert problems("10", "11", "9", "10.5") == []
    assert problems("10", "10", "10", "10", "0") == []  # a flat bar with no volume


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (("10", "11", "0.0", "10.5"), [("low", NOT_POSITIVE, "low 0.0 is not positive")]),
        (
            ("-1.0", "11.0", "-2.0", "10.5"),
            [
                ("open", NOT_POSITIVE, "open -1.0 is not positive"),
                ("low", NOT_POSITIVE, "low -2.0 is not positive"),
            ],
        ),
        (("10", "NaN", "9", "10"), [("high", MISSING, "high is missing or NaN")]),
        (("10", "Infinity", "9", "10"), [("high", NOT_FINITE, "high inf is not finite")]),
        (("10", "9", "11", "10"), [("high", HIGH_BELOW_LOW, "high 9 is below low 11")]),
        (
            ("10.5", "10.6", "10.0", "11.0"),
            [
                (
                    "close",
                    OUTSIDE_RANGE,
                    "high 10.6 is below close 11.0 (close is outside the low-high range)",
                )
            ],
        ),
        (
            ("10.5", "12.0", "10.9", "11.0"),
            [
                (
                    "open",
                    OUTSIDE_RANGE,
                    "low 10.9 is above open 10.5 (open is outside the low-high range)",
                )
            ],
        ),
        (
            ("12", "11", "9", "8"),
            [
                ("open", OUTSIDE_RANGE,
                 "high 11 is below open 12 (open is outside the low-high range)"),
                ("close", OUTSIDE_RANGE,
                 "low 9 is above close 8 (close is outside the low-high range)"),
            ],
        ),
        (
            ("1.3", "1.2", "0.5", "1.25"),  # both above the high: the higher is named
            [("open", OUTSIDE_RANGE,
              "high 1.2 is below open 1.3 (open is outside the low-high range)")],
        ),
        (
            ("5", "12", "6", "5"),  # a tie: close is named
            [("close", OUTSIDE_RANGE,
              "low 6 is above close 5 (close is outside the low-high range)")],
        ),
        (
            ("10", "11", "9", "10", "-5.0"),
            [("volume", NEGATIVE_VOLUME, "volume -5.0 is negative")],
        ),
        (("10", "11", "9", "10", "-Infinity"),
         [("volume", NOT_FINITE, "volume -inf is not finite")]),
    ],
)  # fmt: skip
def test_each_problem_names_its_field_check_and_values(
    values: tuple[str, ...], expected: list[tuple[str, str, str]]
) -> None:
    assert [tuple(problem) for problem in problems(*values)] == expected


def test_the_range_is_checked_only_when_every_price_is_finite() -> None:
    assert [problem.check for problem in problems("NaN", "9", "11", "10")] == [MISSING]


def test_times_are_checked_when_given() -> None:
    [problem] = bar_problems(D(10), D(11), D(9), D(10), D(1), T0, T0)
    assert problem.check == CLOSE_NOT_AFTER_OPEN
    assert problem.reason == (
        "ts_close 2024-03-01T14:30:00+00:00 is not after ts_open 2024-03-01T14:30:00+00:00"
    )
    assert bar_problems(D(10), D(11), D(9), D(10), D(1), T0, T0 + timedelta(minutes=1)) == []


def test_bar_refuses_a_bar_with_every_problem_in_its_message() -> None:
    with pytest.raises(InvalidInputError) as caught:
        Bar("SPY", "1m", T0, T0 + timedelta(minutes=1), D(0), D(9), D(11), D(10), D(-1))
    assert str(caught.value) == (
        "bar SPY 1m at 2024-03-01T14:30:00+00:00: open 0 is not positive; volume -1 is "
        "negative; high 9 is below low 11"
    )
