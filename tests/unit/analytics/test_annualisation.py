"""Periods per year come from the bar length and the market calendar, not a constant."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from paperdesk.analytics.annualisation import periods_per_year

START_2019, END_2019 = datetime(2019, 1, 2, tzinfo=UTC), datetime(2019, 12, 31, tzinfo=UTC)
END_2020 = datetime(2020, 12, 31, tzinfo=UTC)
# NYSE 2019: 252 sessions, three of them closing at 13:00 (3 July, 29 November, 24 December)
SESSIONS, EARLY = 252, 3


@pytest.mark.parametrize(
    ("timeframe", "calendar", "expected"),
    [
        ("1d", "XNYS", SESSIONS),
        ("2d", "XNYS", SESSIONS / 2),
        ("1m", "XNYS", (SESSIONS - EARLY) * 390 + EARLY * 210),
        ("1h", "XNYS", (SESSIONS - EARLY) * 7 + EARLY * 4),
        ("4h", "XNYS", (SESSIONS - EARLY) * 2 + EARLY),  # 09:30-13:30 and the rest; 09:30-13:00
        ("1w", "XNYS", 52),  # the ISO weeks of 2019
        ("1mo", "XNYS", 12),
        ("1d", "24/7", 365),
        ("1m", "crypto", 365 * 24 * 60),
        ("1h", "FX", 259 * 24),  # weekdays without 25 December and 1 January, 24 h each
    ],
)
def test_periods_per_year_of_2019(timeframe: str, calendar: str, expected: float) -> None:
    assert periods_per_year(timeframe, calendar, START_2019, END_2019) == expected


def test_several_years_average_their_counts() -> None:
    assert periods_per_year("1d", "XNYS", START_2019, END_2020) == (252 + 253) / 2
    assert periods_per_year("1d", "24/7", START_2019, END_2020) == (365 + 366) / 2


def test_years_the_calendar_does_not_know_give_none() -> None:
    early = datetime(1900, 1, 2, tzinfo=UTC)
    assert periods_per_year("1d", "XNYS", early, datetime(1901, 6, 1, tzinfo=UTC)) is None
