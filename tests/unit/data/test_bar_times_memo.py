"""``BarArrays.bar`` builds its times from the last close it built and the bar's length
(``BarArrays._times``): they equal ``utc_datetime`` of the nanoseconds in every order of rows,
every bar length, times before 1970 and times that are not whole microseconds."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.data.bar_convert import BarArrays
from paperdesk.data.bar_rule import utc_datetime

# epoch nanoseconds a datetime holds (years 1678 to 2261, as an int64 of nanoseconds)
_NANOSECONDS = st.integers(-(2**62), 2**62)


def feed_of(opens_ns: list[int], lengths_ns: list[int]) -> BarArrays:
    count = len(opens_ns)
    index = pd.DatetimeIndex(np.array(opens_ns, dtype="datetime64[ns]")).tz_localize("UTC")
    closes = np.array(opens_ns, dtype=np.int64) + np.array(lengths_ns, dtype=np.int64)
    frame = pd.DataFrame(
        {
            "open": np.full(count, 10.0),
            "high": np.full(count, 11.0),
            "low": np.full(count, 9.0),
            "close": np.full(count, 10.5),
            "volume": np.full(count, 100.0),
        },
        index=index,
    )
    frame["ts_close"] = pd.DatetimeIndex(closes.astype("datetime64[ns]")).tz_localize("UTC")
    return BarArrays(frame, "TEST", "1m")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(_NANOSECONDS, st.sampled_from([1_000, 1_500, 60_000_000_000, 999, 86_400])),
        min_size=1,
        max_size=12,
    ),
    st.lists(st.integers(0, 11), min_size=1, max_size=40),
)
def test_bar_times_equal_utc_datetime_in_any_order(
    rows: list[tuple[int, int]], visits: list[int]
) -> None:
    # rows open where an earlier one closes (the next row), or anywhere; some less than a
    # microsecond long (those fail the bar rule: built through the checking constructor)
    opens_ns, lengths_ns = [], []
    for position, (start, length) in enumerate(rows):
        chained = position > 0 and start % 2 == 0
        opens_ns.append(opens_ns[-1] + lengths_ns[-1] if chained else start)
        lengths_ns.append(length)
    feed = feed_of(opens_ns, lengths_ns)
    for visit in visits:
        row = visit % len(rows)
        if not feed.valid[row]:
            continue
        bar = feed.bar(row)
        assert bar.ts_open == utc_datetime(int(feed.ts_open_ns[row]))
        assert bar.ts_close == utc_datetime(int(feed.ts_close_ns[row]))
        assert bar.ts_open.tzinfo is bar.ts_close.tzinfo is utc_datetime(0).tzinfo
        assert bar == feed.checked_bar(row)


def test_the_next_row_shares_the_close_it_opens_at() -> None:
    minute = 60_000_000_000
    feed = feed_of([0, minute, 2 * minute, 5 * minute], [minute, minute, minute, 7_000])
    first, second = feed.bar(0), feed.bar(1)
    assert second.ts_open is first.ts_close  # one object for both (equal either way)
    fourth = feed.bar(3)  # not the next row: built, its length another
    assert (fourth.ts_open, fourth.ts_close) == (
        utc_datetime(5 * minute),
        utc_datetime(5 * minute + 7_000),
    )


def test_a_skipped_bar_opens_at_the_last_close_plus_a_remembered_gap() -> None:
    minute = 60_000_000_000
    opens = [1_700_000_000_000_000_000 + row * minute + row % 3 * 1_999 for row in range(40)]
    feed = feed_of(opens, [minute] * 40)
    visits = [0, 3, 6, 9, 12, 15, 13, 14, 30, 33, 36, 2, 39]
    for row in visits:
        bar = feed.bar(row)
        assert bar.ts_open == utc_datetime(opens[row])
        assert bar.ts_close == utc_datetime(opens[row] + minute)
    # the gaps met (in whole microseconds), each built once: skips of 2 bars recur
    assert len(feed._gaps) < len(visits) - 1
