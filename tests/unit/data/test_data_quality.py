"""The data quality report on real bundled bars, clean and with seeded defects."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pandas as pd
import pytest

from paperdesk.data import check_quality, find_bundled, load_bars, market_calendar
from paperdesk.data.quality import default_outlier_threshold


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture(scope="module")
def spy_hours() -> pd.DataFrame:
    return load_bars(find_bundled("SPY", "1h"))


def test_clean_real_daily_series_is_ok() -> None:
    report = check_quality(load_bars(find_bundled("SPY", "1d")))
    assert report.ok
    assert report.warnings == []
    assert report.bars == 5849
    assert report.calendar == "XNYS"
    assert report.timeframe == "1d"
    assert report.gaps == []
    assert report.duplicates == []
    assert report.outliers == []
    assert report.outlier_threshold == default_outlier_threshold("1d") == 0.25
    payload = report.to_dict()
    assert json.loads(json.dumps(payload)) == payload
    assert payload["ok"] is True
    assert payload["gaps_count"] == 0


def test_real_hourly_series_reports_only_real_events(spy_hours: pd.DataFrame) -> None:
    report = check_quality(spy_hours)
    # NYSE opened at 12:00 on 2002-09-11 (anniversary); exchange_calendars keeps 09:30
    assert [(gap.start, gap.end, gap.missing) for gap in report.gaps] == [
        (utc(2002, 9, 11, 13, 30), utc(2002, 9, 11, 15), 2)
    ]
    assert report.duplicates == []
    assert report.outliers == []
    # bars outside sessions fall only on early-close days, after the 13:00 close
    early = market_calendar("XNYS").sessions("1998-01-01", "2021-12-31")
    early_days = {ts.date() for ts in early.index[early["early_close"]]}
    assert report.off_session
    assert {ts.date() for ts in report.off_session} <= early_days


def test_seeded_gaps_duplicates_and_outliers_in_real_hourly_bars(
    spy_hours: pd.DataFrame,
) -> None:
    frame = spy_hours.loc["2019-01-01":"2019-12-31"].copy()
    assert check_quality(frame).ok
    day = frame.loc["2019-06-12"]
    removed = day.index[2:5]  # 11:00, 12:00, 13:00 ET
    whole_day = frame.loc["2019-06-20"].index  # a whole session (7 hourly bars)
    frame = frame.drop(removed.append(whole_day))
    frame = pd.concat([frame, frame.loc[["2019-03-05 16:00:00+00:00"]]]).sort_index()
    spike_at = pd.Timestamp("2019-09-17 17:00", tz="UTC")
    frame.loc[spike_at, ["high", "close"]] = frame.loc[spike_at, "close"] * 1.5

    report = check_quality(frame)
    assert not report.ok
    gaps = [(gap.start, gap.end, gap.missing) for gap in report.gaps]
    assert gaps == [
        (removed[0].to_pydatetime(), removed[-1].to_pydatetime() + pd.Timedelta(hours=1), 3),
        (utc(2019, 6, 20, 13, 30), utc(2019, 6, 21, 13), 7),
    ]
    assert report.missing_bars == 10
    assert [(d.ts, d.count) for d in report.duplicates] == [(utc(2019, 3, 5, 16), 2)]
    flagged = [(o.ts, round(o.simple_return, 2)) for o in report.outliers]
    assert flagged[0][0] == spike_at.to_pydatetime()
    assert flagged[0][1] > 0.45
    assert flagged[1][0] == utc(2019, 9, 17, 18)
    assert flagged[1][1] < -0.3
    assert len(flagged) == 2
    text = " ".join(report.warnings)
    assert "2 gap(s), about 10 missing bar(s)" in text
    assert "duplicated" in text


def test_seeded_defects_in_real_daily_bars() -> None:
    frame = load_bars(find_bundled("AAPL", "1d")).loc["2015-01-01":"2015-12-31"].copy()
    frame = frame.drop(frame.loc["2015-07-06":"2015-07-08"].index)  # Mon-Wed after the 4th
    report = check_quality(frame)
    assert [(g.start, g.end, g.missing) for g in report.gaps] == [
        (utc(2015, 7, 6, 13, 30), utc(2015, 7, 8, 20), 3)
    ]


def test_seeded_defects_in_real_bitcoin_minutes() -> None:
    minutes = load_bars(find_bundled("BTCUSD", "1m")).loc["2018-04-05"].copy()
    clean = check_quality(minutes)
    assert clean.duplicates == []
    assert clean.outliers == []
    baseline = clean.missing_bars
    dropped = minutes.index[600:610]
    minutes = minutes.drop(dropped)
    minutes = pd.concat([minutes, minutes.iloc[[100]]]).sort_index()
    spike = minutes.index[900]
    minutes.loc[spike, ["high", "close"]] = minutes.loc[spike, "close"] * 1.2
    report = check_quality(minutes)
    assert report.missing_bars == baseline + 10
    assert any(gap.start == dropped[0].to_pydatetime() and gap.missing == 10 for gap in report.gaps)
    assert len(report.duplicates) == 1
    assert [o.ts for o in report.outliers] == [spike.to_pydatetime(), minutes.index[901]]


def test_zero_volume_and_stale_runs() -> None:
    frame = load_bars(find_bundled("SPY", "1d")).loc["2019-01-01":"2019-03-31"].copy()
    frame.iloc[10:16, frame.columns.get_loc("volume")] = 0.0
    frozen = frame.iloc[30][["open", "high", "low", "close"]].to_numpy()
    frame.iloc[30:36, [frame.columns.get_loc(c) for c in ("open", "high", "low", "close")]] = frozen
    report = check_quality(frame, stale_run=5, zero_volume_run=5)
    assert [(r.start, r.length) for r in report.zero_volume_runs] == [
        (frame.index[10].to_pydatetime(), 6)
    ]
    assert [(r.start, r.end, r.length) for r in report.stale_runs] == [
        (frame.index[30].to_pydatetime(), frame.index[35].to_pydatetime(), 6)
    ]
    assert check_quality(frame, stale_run=7, zero_volume_run=7).ok


def test_forex_without_volume_is_not_a_zero_volume_run() -> None:
    report = check_quality(load_bars(find_bundled("EURUSD", "1h")).loc["2018-03-01":"2018-03-31"])
    assert report.no_volume
    assert report.zero_volume_runs == []


@pytest.mark.parametrize(
    ("now", "stale"),
    [
        (utc(2021, 4, 1, 13), False),  # 09:00 New York next morning: nothing missed
        (utc(2021, 4, 1, 14, 29), False),  # 59 minutes of trading since
        (utc(2021, 4, 1, 14, 31), True),  # a whole hour of session time without a bar
    ],
)
def test_feed_age_counts_session_time(spy_hours: pd.DataFrame, now: datetime, stale: bool) -> None:
    report = check_quality(spy_hours.loc["2021-03-01":], now=now)
    assert report.last_close == utc(2021, 3, 31, 20)
    assert report.last_bar_age == now - utc(2021, 3, 31, 20)
    assert report.feed_stale is stale


def test_daily_feed_age_skips_holidays() -> None:
    daily = load_bars(find_bundled("SPY", "1d")).loc["2021-03-01":]  # last bar 2021-03-31
    assert not check_quality(daily, now=utc(2021, 4, 1, 19, 59)).feed_stale
    assert check_quality(daily, now=utc(2021, 4, 2, 12)).feed_stale  # 04-01 closed since
    friday = daily.loc[:"2021-03-26"]
    assert not check_quality(friday, now=utc(2021, 3, 28, 23)).feed_stale  # Sunday
    assert not check_quality(friday, now=utc(2021, 3, 29, 19, 59)).feed_stale
    assert check_quality(friday, now=utc(2021, 3, 29, 20)).feed_stale  # Monday's close
