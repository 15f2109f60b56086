"""``nd`` bars (``2d``, ``3d``): n consecutive sessions of the symbol's calendar, counted from a
fixed epoch session (the calendar's first session on or after 1970-01-01), so that neither
later bars nor earlier history move a bar's boundaries, and a bar is served only once its last
session has closed.

The hand-computed groupings use the bundled Lean SPY daily rows of Thanksgiving week 2019 (no
session on Thursday 28 November, an early close at 13:00 New York on Friday 29 November):

    2019-11-25 311.99,313.37,311.98,313.37,40447004
    2019-11-26 313.42,314.28,313.06,314.08,33060315
    2019-11-27 314.67,315.48,314.37,315.48,39384378
    2019-11-29 314.89,315.13,314.06,314.31,26816024

XNYS sessions from 1970-01-02 (1 January 1970 was a holiday) up to 2019-11-25 number 12,588
(``sessions_before``), an even number: the 25th opens a ``2d`` bar, which holds it and the
26th; the 27th and the 29th (the 28th is no session) make the next one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest

from paperdesk.data.calendars import sessions_before
from paperdesk.data.clock import FixedClock
from paperdesk.data.derived_bars import source_timeframes
from paperdesk.data.manager import DataManager
from paperdesk.data.resample_periods import period_start, resample_periods
from paperdesk.domain import Timeframe

COLUMNS = ["open", "high", "low", "close", "volume", "ts_close"]


def _spy_days() -> pd.DataFrame:
    return DataManager(clock=FixedClock(datetime(2020, 1, 1, tzinfo=UTC))).get_bars("SPY", "1d")


def _rows(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    return [
        (label, *row)
        for label, row in zip(frame.index, frame[COLUMNS].itertuples(index=False), strict=True)
    ]


def test_the_epoch_is_the_first_session_of_1970() -> None:
    assert sessions_before("XNYS", date(1970, 1, 2)) == 0  # 1 January was a holiday
    assert sessions_before("XNYS", date(1970, 1, 5)) == 1  # the weekend is no session
    assert sessions_before("XNYS", date(2019, 11, 25)) == 12588
    assert sessions_before("XNYS", date(2019, 11, 29)) == 12591  # the 28th is no session
    assert sessions_before("24/7", date(1970, 1, 4)) == 3
    assert sessions_before("24/7", date(1969, 12, 30)) == -2


def test_two_day_bars_of_thanksgiving_week_by_hand() -> None:
    bars = DataManager(clock=FixedClock(datetime(2020, 1, 1, tzinfo=UTC))).get_bars("SPY", "2d")
    assert bars.attrs["timeframe"] == "2d"
    week = bars.loc["2019-11-25":"2019-11-29"]
    assert _rows(week) == [
        (
            pd.Timestamp("2019-11-25", tz="UTC"),
            311.99, 314.28, 311.98, 314.08, 40447004 + 33060315,
            pd.Timestamp("2019-11-26 21:00", tz="UTC"),
        ),
        (
            pd.Timestamp("2019-11-27", tz="UTC"),
            314.67, 315.48, 314.06, 314.31, 39384378 + 26816024,
            pd.Timestamp("2019-11-29 18:00", tz="UTC"),  # the early close
        ),
    ]  # fmt: skip


def test_a_three_day_bar_skips_the_weekend_and_the_holiday() -> None:
    # sessions_before: 2019-11-20 is 12,585 (a multiple of 3): 20, 21, 22 | 25, 26, 27 |
    # 29, Dec 2, Dec 3 | Dec 4...
    bars = resample_periods(_spy_days().loc[:"2019-12-31"], "3d", "XNYS")
    labels = bars.loc["2019-11-20":"2019-12-04"].index.strftime("%Y-%m-%d").tolist()
    assert labels == ["2019-11-20", "2019-11-25", "2019-11-29", "2019-12-04"]
    closes = bars.loc["2019-11-25":"2019-11-29", "ts_close"].tolist()
    assert closes == [
        pd.Timestamp("2019-11-27 21:00", tz="UTC"),
        pd.Timestamp("2019-12-03 21:00", tz="UTC"),
    ]


def test_appending_bars_or_earlier_history_moves_no_bar() -> None:
    days = _spy_days().loc["2018-01-01":"2019-12-31"]
    for timeframe in ("2d", "3d", "5d"):
        full = resample_periods(days, timeframe, "XNYS")
        for cut in range(100, 110):  # the data stopping on any session of a bar
            shorter = resample_periods(days.iloc[:cut], timeframe, "XNYS")
            assert _rows(shorter) == _rows(full.iloc[: len(shorter)])
            later = resample_periods(days.iloc[cut:], timeframe, "XNYS")
            # a later start leaves its first bar short when it starts inside one; every bar
            # after it is the full history's, boundaries and values alike
            assert _rows(later.iloc[1:]) == _rows(full.loc[later.index[1] :])
            assert later["ts_close"].iloc[0] in set(full["ts_close"])


def test_a_bar_the_data_stops_inside_of_is_not_served() -> None:
    days = _spy_days()
    through_the_27th = resample_periods(days.loc[:"2019-11-27"], "2d", "XNYS")
    assert through_the_27th.index[-1] == pd.Timestamp("2019-11-25", tz="UTC")
    through_the_29th = resample_periods(days.loc[:"2019-11-29"], "2d", "XNYS")
    assert through_the_29th.index[-1] == pd.Timestamp("2019-11-27", tz="UTC")


@pytest.mark.parametrize("close", [datetime(2019, 11, 29, 18, tzinfo=UTC)])
def test_a_two_day_bar_is_visible_only_once_its_last_session_has_closed(close: datetime) -> None:
    clock = FixedClock(close - pd.Timedelta(seconds=1))
    manager = DataManager(clock=clock)
    assert manager.get_bars("SPY", "2d").index[-1] == pd.Timestamp("2019-11-25", tz="UTC")
    clock.set(close)
    assert manager.get_bars("SPY", "2d").index[-1] == pd.Timestamp("2019-11-27", tz="UTC")


def test_n_day_bars_come_from_daily_or_intraday_bars() -> None:
    assert source_timeframes("2d") == ["1d", "1h", "30m", "15m", "5m", "1m"]
    hours = DataManager(clock=FixedClock(datetime(2020, 1, 1, tzinfo=UTC))).get_bars("SPY", "1h")
    from_hours = resample_periods(hours.loc["2019-11-01":"2019-11-30"], "2d", "XNYS")
    from_days = resample_periods(_spy_days().loc["2019-11-01":"2019-11-30"], "2d", "XNYS")
    assert list(from_hours.index) == list(from_days.index)
    assert list(from_hours["ts_close"]) == list(from_days["ts_close"])


def test_a_periods_start_counts_sessions_from_the_epoch() -> None:
    three = Timeframe.parse("3d")
    assert period_start(date(2019, 12, 3), three, "XNYS") == date(2019, 11, 29)
    assert period_start(date(2019, 11, 29), three, "XNYS") == date(2019, 11, 29)
    assert period_start(date(2019, 11, 27), three, "XNYS") == date(2019, 11, 25)
    days = pd.DatetimeIndex(_spy_days().index.tz_localize(None))
    keys = np.asarray([sessions_before("XNYS", day.date()) // 3 for day in days])
    for day, key in zip(days[-300:], keys[-300:], strict=True):
        start = period_start(day.date(), three, "XNYS")
        assert keys[days.get_loc(pd.Timestamp(start))] == key
        assert start == days[np.flatnonzero(keys == key)[0]].date()
