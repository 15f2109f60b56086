"""A stored (imported) weekly or monthly series closes by sessions, as resampled ones do: each bar
is the calendar's period (ISO weeks, calendar months, ``count`` at a time) of its label's first
session, visible only once the period's last session has closed: never at label + 7 days or a
calendar month, up to a weekend after it, and never before it either."""

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


def _utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


@pytest.mark.parametrize("timeframe", ["1w", "2w", "1mo", "3mo"])
def test_a_stored_csv_aligned_as_the_resampler_closes_as_its_bars_do(
    tmp_path: Path, timeframe: str
) -> None:
    days = load_bars(find_bundled("SPY", "1d"))
    # the first resampled bar is cut short by the data's start (Friday 2 January 1998)
    resampled = resample_periods(days, timeframe, "XNYS").iloc[1:]
    labels = [f"{ts:%Y-%m-%d}" for ts in resampled.index]
    stored = load_bars(_csv(tmp_path / f"SPY_{timeframe}.csv", labels), timeframe=timeframe)
    assert list(stored.index) == list(resampled.index)
    assert list(stored["ts_close"]) == list(resampled["ts_close"])


def test_each_stored_week_closes_with_the_last_session_of_its_iso_week(tmp_path: Path) -> None:
    sessions = market_calendar("XNYS").sessions("2019-01-01", "2021-12-31")
    iso = sessions.index.isocalendar()
    last_close = sessions.groupby([iso["year"], iso["week"]])["close"].max()
    mondays = pd.date_range("2019-01-07", "2021-12-27", freq="7D")
    labels = [f"{day:%Y-%m-%d}" for day in mondays]  # a holiday Monday labelled all the same
    stored = load_bars(_csv(tmp_path / "SPY_1w.csv", labels), timeframe="1w")
    expected = [last_close[(day.isocalendar()[0], day.isocalendar()[1])] for day in mondays]
    assert list(stored["ts_close"]) == expected


def test_good_friday_week_and_a_month_ending_on_a_weekend_on_xnys(tmp_path: Path) -> None:
    weeks = load_bars(_csv(tmp_path / "SPY_1w.csv", ["2021-03-22", "2021-03-29"]), timeframe="1w")
    assert list(weeks["ts_close"]) == [
        _utc("2021-03-26 20:00"),
        _utc("2021-04-01 20:00"),  # Thursday's close: not Monday 5 April 00:00 UTC
    ]
    month_file = _csv(tmp_path / "SPY_1mo.csv", ["2021-01-01", "2021-02-01"])
    months = load_bars(month_file, timeframe="1mo")
    assert list(months["ts_close"]) == [
        _utc("2021-01-29 21:00"),  # Friday's close: not Monday 1 February 00:00 UTC
        _utc("2021-02-26 21:00"),
    ]


def test_forex_and_crypto_weeks_close_after_their_last_session() -> None:
    # Lean labels FX bars 00:00 UTC: a daily bar so labelled spans to the next midnight
    lean = bar_close_times(pd.DatetimeIndex(["2021-03-29"], tz="UTC"), "1w", "FX")
    assert list(lean) == [_utc("2021-04-03 00:00")]  # was Monday 5 April
    # labelled at the week's open, Sunday 17:00 New York: the Friday 17:00 close
    oanda = bar_close_times(pd.DatetimeIndex(["2021-03-28 21:00"], tz="UTC"), "1w", "FX")
    assert list(oanda) == [_utc("2021-04-02 21:00")]
    crypto = bar_close_times(pd.DatetimeIndex(["2021-03-29", "2021-02-01"], tz="UTC"), "1w", "24/7")
    assert list(crypto) == [_utc("2021-04-05 00:00"), _utc("2021-02-08 00:00")]
    monthly = bar_close_times(pd.DatetimeIndex(["2021-02-01"], tz="UTC"), "1mo", "24/7")
    assert list(monthly) == [_utc("2021-03-01 00:00")]


@pytest.mark.parametrize("calendar", ["XNYS", "FX", "24/7"])
@pytest.mark.parametrize("timeframe", ["1w", "2w", "1mo", "3mo"])
def test_every_label_closes_after_its_period_and_an_opening_one_with_it(
    calendar: str, timeframe: str
) -> None:
    # every day of two years as a label, at 00:00 and 13:00 UTC; the resampler's bars of one
    # bar a session say where each period starts and when it closes
    labels = pd.date_range("2019-12-20", "2021-12-31", freq="D", tz="UTC")
    labels = labels.append(labels + pd.Timedelta(hours=13)).sort_values()
    sessions = market_calendar(calendar).sessions("2019-12-01", "2022-06-30")
    one_a_session = pd.DataFrame(
        {"open": 1.0, "high": 1.0, "low": 1.0, "close": 1.0, "volume": 1.0},
        index=pd.DatetimeIndex(sessions.index, name="ts").tz_localize("UTC"),
    )
    one_a_session.attrs["timeframe"] = "1d"
    periods = resample_periods(one_a_session, timeframe, calendar)
    first = sessions.index[sessions["close"].searchsorted(labels, side="right")]
    period = periods.index.searchsorted(first.tz_localize("UTC"), side="right") - 1
    period_close = pd.DatetimeIndex(periods["ts_close"])[period]
    opens_period = periods.index[period] == first.tz_localize("UTC")
    closes = bar_close_times(labels, timeframe, calendar)
    assert (closes >= period_close).all()  # never before the last session of its period
    assert opens_period.sum() >= 8  # at least every quarter opening in the two years
    late = (closes - period_close)[opens_period]
    # a label opening its period closes with it (Lean's midnight FX labels: by that midnight)
    assert (late < pd.Timedelta(days=1) if calendar == "FX" else late == pd.Timedelta(0)).all()
    # one inside its period (a Wednesday's week may run to Tuesday) keeps label + timeframe
    offset = pd.DateOffset(months=int(timeframe[0])) if "mo" in timeframe else None
    later = labels + (offset or pd.Timedelta(weeks=int(timeframe[0])))
    assert list(closes[~opens_period]) == list(later[~opens_period])
