"""``period_start``: the first day of the week or month period holding a date, as
``period_keys`` counts the periods (what an import books a weekly or monthly action at)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from paperdesk.data.resample_periods import period_keys, period_start
from paperdesk.domain import Timeframe


@pytest.mark.parametrize("timeframe", ["1w", "2w", "1mo", "3mo"])
def test_the_start_is_the_first_day_of_the_days_period(timeframe: str) -> None:
    target = Timeframe.parse(timeframe)
    days = [date(1969, 11, 20) + timedelta(days=n * 5) for n in range(4000)]
    for day in days:
        start = period_start(day, target)
        keys = period_keys(pd.DatetimeIndex([day, start, start - timedelta(days=1)]), target)
        assert start <= day
        assert keys[0] == keys[1] != keys[2], (day, start)


def test_known_starts() -> None:
    ex_date = date(2020, 8, 7)  # a Friday
    assert period_start(ex_date, Timeframe.parse("1w")) == date(2020, 8, 3)
    assert period_start(ex_date, Timeframe.parse("1mo")) == date(2020, 8, 1)
    assert period_start(ex_date, Timeframe.parse("3mo")) == date(2020, 7, 1)
