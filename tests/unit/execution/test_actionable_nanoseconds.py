"""The search's time conversion (``actionable._nanoseconds``: from the fields of a UTC time, the
last one kept by identity) gives what ``(ts - epoch) // 1 us * 1000`` gives, for any time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.execution.actionable import _nanoseconds

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def expected(ts: datetime) -> int:
    return (ts - _EPOCH) // timedelta(microseconds=1) * 1000


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
    ),
    st.integers(-14 * 60, 14 * 60),
)
def test_any_time_converts_as_the_subtraction_does(ts: datetime, offset_minutes: int) -> None:
    assert _nanoseconds(ts) == expected(ts)
    elsewhere = ts.astimezone(timezone(timedelta(minutes=offset_minutes)))
    assert _nanoseconds(elsewhere) == expected(elsewhere) == expected(ts)
    again = ts + timedelta(0)  # an equal time, another object
    assert _nanoseconds(again) == expected(ts)


def test_a_pandas_timestamp_keeps_whole_microseconds() -> None:
    stamp = pd.Timestamp("1969-12-31 23:59:59.999999999", tz="UTC")
    assert _nanoseconds(stamp) == expected(stamp) == -1000
    assert _nanoseconds(pd.Timestamp("2024-03-01 12:00:00.000001999", tz="UTC")) == (
        expected(datetime(2024, 3, 1, 12, 0, 0, 1, tzinfo=UTC))
    )


def test_a_naive_time_is_refused_as_before() -> None:
    with pytest.raises(TypeError):
        _nanoseconds(datetime(2024, 1, 1))
