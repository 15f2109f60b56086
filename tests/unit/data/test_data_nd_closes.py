"""A stored (imported) ``nd`` series closes by sessions, as resampled ``nd`` bars do: each bar
is n consecutive sessions of the symbol's calendar from its label's, visible only once the last
of them has closed (never at label + n calendar days, before that session)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from paperdesk.data import bar_close_times, find_bundled, load_bars, market_calendar
from paperdesk.data.resample_periods import resample_periods


def _csv(path: Path, labels: list[str]) -> Path:
    rows = "".join(f"{label},1,2,0.5,1.5,100\n" for label in labels)
    path.write_text("timestamp,open,high,low,close,volume\n" + rows, encoding="utf-8")
    return path


@pytest.mark.parametrize("timeframe", ["2d", "3d"])
def test_a_stored_nd_csv_closes_as_the_resampled_bars_do(tmp_path: Path, timeframe: str) -> None:
    days = load_bars(find_bundled("SPY", "1d"))
    resampled = resample_periods(days, timeframe, "XNYS").loc["2019-06-03":"2020-06-30"]
    labels = [f"{ts:%Y-%m-%d}" for ts in resampled.index]
    stored = load_bars(_csv(tmp_path / f"SPY_{timeframe}.csv", labels), timeframe=timeframe)
    assert list(stored.index) == list(resampled.index)
    # the close of each bar's last session: Thanksgiving's Friday closes early, 13:00 New York
    assert list(stored["ts_close"]) == list(resampled["ts_close"])
    sessions = market_calendar("XNYS").sessions("2019-06-03", "2020-07-10")
    last_sessions = [
        sessions.index.get_loc(ts.tz_localize(None)) + int(timeframe[0]) - 1 for ts in stored.index
    ]
    assert list(stored["ts_close"]) == [sessions["close"].iloc[i] for i in last_sessions]


def test_thanksgiving_week_on_xnys(tmp_path: Path) -> None:
    # a file whose 2d bars start a session off the resampler's epoch: Tue-Wed, then Wed-Fri
    stored = load_bars(_csv(tmp_path / "SPY_2d.csv", ["2019-11-26", "2019-11-27"]), timeframe="2d")
    assert list(stored["ts_close"]) == [
        pd.Timestamp("2019-11-27 16:00", tz="America/New_York"),
        pd.Timestamp("2019-11-29 13:00", tz="America/New_York"),  # not 2019-11-29 00:00 UTC
    ]


def test_forex_nd_bars_over_a_weekend_close_after_the_monday_session() -> None:
    # Lean labels FX daily bars 00:00 UTC; a 2d bar from Friday holds Friday's and Monday's
    # sessions (17:00 New York each), and spans to Tuesday 00:00 UTC as a daily bar would
    labels = pd.DatetimeIndex(["2019-11-25", "2019-11-29"], tz="UTC")
    closes = bar_close_times(labels, "2d", "FX")
    assert list(closes) == [
        pd.Timestamp("2019-11-27 00:00", tz="UTC"),
        pd.Timestamp("2019-12-03 00:00", tz="UTC"),  # was Sunday 00:00, before Monday traded
    ]
    # labelled at 17:00 New York, the session's open, it closes at the session's close
    evening = pd.DatetimeIndex(["2019-11-28 22:00"], tz="UTC")  # Friday 29th's session
    assert list(bar_close_times(evening, "2d", "FX")) == [
        pd.Timestamp("2019-12-02 22:00", tz="UTC")
    ]
