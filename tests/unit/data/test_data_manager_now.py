"""``DataManager.now`` takes a plain aware time to UTC without the pandas round trip, with the
same answer for any time in any zone (folds and gaps included); a naive time is refused and a
pandas ``Timestamp`` converted as before."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import paperdesk.data.manager as manager_module
from paperdesk.data.clock import FixedClock
from paperdesk.data.manager import DataManager
from paperdesk.data.series import utc
from paperdesk.domain import DataError


def _manager(moment: Any) -> DataManager:
    return DataManager(clock=FixedClock(moment))


@settings(max_examples=400, deadline=None)
@given(
    st.datetimes(
        min_value=datetime(1700, 1, 1),
        max_value=datetime(2200, 1, 1),
        timezones=st.timezones(),
        allow_imaginary=True,
    )
)
def test_any_aware_time_gives_the_round_trips_answer(moment: datetime) -> None:
    answer = _manager(moment).now()
    expected = utc(moment, "the clock's time").to_pydatetime()
    assert answer == expected
    assert (answer.replace(tzinfo=None), answer.tzinfo) == (
        expected.replace(tzinfo=None),
        expected.tzinfo,
    )
    assert answer.tzinfo is UTC


def test_a_plain_time_skips_pandas(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*_arguments: Any) -> Any:
        raise AssertionError("the pandas round trip was taken")

    monkeypatch.setattr(manager_module, "utc", refused)
    moment = datetime(2020, 3, 3, 12, 30, tzinfo=UTC)
    assert _manager(moment).now() == moment


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(DataError, match="the clock's time must be timezone-aware"):
        _manager(datetime(2020, 3, 3, 12)).now()


def test_a_timestamp_is_converted_as_before() -> None:
    stamp = pd.Timestamp("2020-03-03 12:30:00.123456", tz="America/New_York")
    answer = _manager(stamp).now()
    assert answer == utc(stamp).to_pydatetime()
    assert isinstance(answer, datetime)
