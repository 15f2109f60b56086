"""A backtest's gaps (``DataGaps``): the gaps ``check_quality`` finds, and the long ones (two
sessions or more of trading time) on each calendar, longest first."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from paperdesk.data import check_quality, find_bundled, load_bars
from paperdesk.data.quality import find_gaps, session_seconds
from paperdesk.data.quality_report import DataGaps, Gap


def _gaps(frame: pd.DataFrame, calendar: str) -> DataGaps:
    timeframe = str(frame.attrs["timeframe"])
    seconds = (
        86400
        if timeframe == "1d"
        else int(pd.Timedelta(timeframe.replace("m", "min")).total_seconds())
    )
    stamps = frame.index.tz_convert("UTC").as_unit("ns").asi8
    return DataGaps.of(
        find_gaps(stamps, timeframe, calendar), calendar, seconds, session_seconds(calendar)
    )


def test_the_gaps_are_those_of_the_data_check() -> None:
    minutes = load_bars(find_bundled("BTCUSD", "1m"))
    stamps = minutes.index.as_unit("ns").asi8
    assert find_gaps(stamps, "1m", "24/7") == check_quality(minutes).gaps


def test_session_lengths() -> None:
    assert (session_seconds("XNYS"), session_seconds("FX"), session_seconds("24/7")) == (
        23400,
        86400,
        86400,
    )


def test_only_gaps_of_two_sessions_or_more_are_long() -> None:
    daily = load_bars(find_bundled("AAPL", "1d")).loc["2015-01-01":"2015-12-31"]
    one = daily.drop(daily.loc["2015-07-06":"2015-07-06"].index)
    assert _gaps(one, "XNYS").count == 1
    assert _gaps(one, "XNYS").long == ()
    two = daily.drop(daily.loc["2015-07-06":"2015-07-07"].index)
    assert [gap.missing for gap in _gaps(two, "XNYS").long] == [2]
    hours = load_bars(find_bundled("SPY", "1h")).loc["2019-03-01":"2019-03-31"]
    # the 13 bars dropped miss 12 hours of session time, less than two 6.5 h sessions (13
    # one-hour bars); one bar more is two
    assert [gap.missing for gap in _gaps(hours.drop(hours.index[20:33]), "XNYS").long] == []
    assert [gap.missing for gap in _gaps(hours.drop(hours.index[20:34]), "XNYS").long] == [13]


def test_long_gaps_come_longest_first() -> None:
    start = datetime(2020, 1, 1, tzinfo=UTC)
    gaps = [Gap(start, start, 3000), Gap(start, start, 1), Gap(start, start, 5000)]
    summary = DataGaps.of(gaps, "24/7", 60, 86400)
    assert [gap.missing for gap in summary.long] == [5000, 3000]
    assert (summary.count, summary.missing_bars, summary.long_from_bars) == (3, 8001, 2880)
    assert summary.to_dict()["long_gaps_count"] == 2
