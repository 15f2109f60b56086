"""``BarArrays.bar`` reads a row's validity flag only when some row of the feed is invalid
(``_Cells.all_valid``): a feed of valid bars gives each row's checked bar, and one with an
invalid row still refuses that row in the rule's words and builds the others."""

from __future__ import annotations

import pandas as pd
import pytest
from test_bar_arrays_on_read import bars

from paperdesk.data.bar_convert import BarArrays


def frame(count: int = 50) -> pd.DataFrame:
    return bars(count, with_close=False)  # valid bars, a minute each


def test_a_feed_of_valid_bars_builds_each_rows_checked_bar() -> None:
    feed = BarArrays(frame(), "TEST", "1m")
    rows = [0, 1, 2, 7, 30, 31, 49, 3]
    built = [feed.bar(row) for row in rows]
    assert feed._cells is not None
    assert feed._cells.all_valid
    assert built == [feed.checked_bar(row) for row in rows]


@pytest.mark.parametrize("bad_row", [0, 17, 49])
def test_an_invalid_row_is_refused_and_the_others_built(bad_row: int) -> None:
    bars = frame()
    bars.iloc[bad_row, bars.columns.get_loc("low")] = -1.0
    feed = BarArrays(bars, "TEST", "1m")
    good = 1 if bad_row != 1 else 2
    assert feed.bar(good) == feed.checked_bar(good)
    assert feed._cells is not None
    assert not feed._cells.all_valid
    with pytest.raises(Exception, match="low"):
        feed.bar(bad_row)
    with pytest.raises(Exception, match="low"):
        feed.checked_bar(bad_row)
