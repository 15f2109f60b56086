"""Gaps of ``nd``, weekly and monthly bars: a period of the calendar holding a session but no
bar, counted as the resampler groups the sessions (a holiday, or a week of them, is none)."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from paperdesk.data import check_quality, find_bundled, load_bars
from paperdesk.data.quality_report import DataGaps, Gap
from paperdesk.data.resample_periods import resample_periods
from paperdesk.service.backtests import bar_gaps


@pytest.fixture(scope="module")
def spy_days() -> pd.DataFrame:
    return load_bars(find_bundled("SPY", "1d"))


@pytest.mark.parametrize("timeframe", ["2d", "3d", "1w", "2w", "1mo", "3mo"])
def test_whole_resampled_series_have_no_gap(spy_days: pd.DataFrame, timeframe: str) -> None:
    bars = resample_periods(spy_days, timeframe, "XNYS")  # Thanksgivings, 9/11, Christmases
    assert len(bars) > 50
    assert check_quality(bars).gaps == []
    gaps = bar_gaps(bars, timeframe, "XNYS")
    assert gaps is not None
    assert (gaps.count, gaps.long) == (0, ())


def _without(bars: pd.DataFrame, *labels: str) -> pd.DataFrame:
    dropped = bars.drop(index=[pd.Timestamp(label, tz="UTC") for label in labels])
    dropped.attrs = dict(bars.attrs)
    return dropped


def _at(text: str) -> datetime:
    return pd.Timestamp(text).tz_convert(UTC).to_pydatetime()


def test_a_missing_week_is_one_gap_from_its_first_open_to_its_last_close(
    spy_days: pd.DataFrame,
) -> None:
    weeks = resample_periods(spy_days, "1w", "XNYS")
    # the week of Thanksgiving 2019: 25-27 November and the early close of the 29th
    gaps = check_quality(_without(weeks, "2019-11-25")).gaps
    assert gaps == [Gap(_at("2019-11-25 09:30-05:00"), _at("2019-11-29 13:00-05:00"), 1)]


def test_missing_nd_bars_count_the_sessions_periods(spy_days: pd.DataFrame) -> None:
    threes = resample_periods(spy_days, "3d", "XNYS")
    # the 3d bars of 20-22 and 25-27 November 2019 (docs/resampling.md)
    gaps = check_quality(_without(threes, "2019-11-20", "2019-11-25")).gaps
    assert gaps == [Gap(_at("2019-11-20 09:30-05:00"), _at("2019-11-27 16:00-05:00"), 2)]
    months = resample_periods(spy_days, "1mo", "XNYS")
    gaps = check_quality(_without(months, "2020-03-02")).gaps
    assert gaps == [Gap(_at("2020-03-02 09:30-05:00"), _at("2020-03-31 16:00-04:00"), 1)]


def test_a_stored_weekly_bar_labelled_on_a_holiday_monday_is_its_week() -> None:
    # a weekly file labelling each week by its Monday, 2019-01-21 being Martin Luther King Day
    mondays = pd.DatetimeIndex(["2019-01-14", "2019-01-21", "2019-01-28"], tz="UTC")
    frame = pd.DataFrame(
        {"open": 1.0, "high": 1.0, "low": 1.0, "close": 1.0, "volume": 1.0}, index=mondays
    )
    frame.attrs = {"timeframe": "1w", "calendar": "XNYS"}
    report = check_quality(frame)
    assert (report.gaps, report.off_session) == ([], [])


def test_one_missing_period_is_a_long_gap() -> None:
    gap = Gap(_at("2019-11-25 14:30Z"), _at("2019-11-29 18:00Z"), 1)
    summary = DataGaps.of([gap], "XNYS", 7 * 86400, 23400)
    assert (summary.long_from_bars, summary.long) == (1, (gap,))
