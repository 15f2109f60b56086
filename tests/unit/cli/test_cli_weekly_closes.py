"""A weekly series imported with ``paperdesk data import`` (or read by ``backtest --data``) is
visible only once its week's last session has closed, exactly when the same week resampled
from daily bars is: not at label + 7 days (a weekend late, and a holiday Monday's week past
the next week's open), never before its close either."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from market_fakes import bundled, utc
from paperdesk.cli import app
from paperdesk.data.clock import FixedClock
from paperdesk.data.manager import DataManager
from paperdesk.data.resample_periods import resample_periods
from paperdesk.store import Database, SqlBarStore

runner = CliRunner()


@pytest.fixture(autouse=True)
def home(clean_environment: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    clean_environment.setenv("PAPERDESK_HOME", str(tmp_path))
    return tmp_path


def weekly_csv(path: Path, start: str, end: str) -> Path:
    """SPY's bundled daily bars as weeks, labelled as the resampler labels them (a holiday
    Monday's week by its Tuesday), the first whole week from ``start``."""
    weeks = resample_periods(bundled("SPY", "1d"), "1w", "XNYS").loc[start:end]
    rows = "".join(
        f"{ts:%Y-%m-%d},{bar.open!r},{bar.high!r},{bar.low!r},{bar.close!r},{bar.volume!r}\n"
        for ts, bar in weeks.iterrows()
    )
    path.write_text("timestamp,open,high,low,close,volume\n" + rows, encoding="utf-8")
    return path


def test_an_imported_week_is_visible_at_its_last_session_close_and_not_before(
    home: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    path = weekly_csv(home / "SPY_1w.csv", "2020-01-06", "2020-06-29")
    result = runner.invoke(app, ["data", "import", str(path), "--symbol", "SPY", "-t", "1w"])
    assert result.exit_code == 0, result.output
    database = Database(database_url)
    try:
        clock = FixedClock(utc(2020, 1, 1))
        stored = DataManager(clock=clock, store=SqlBarStore(database))
        resampled = DataManager(clock=clock)  # no stored 1w: weeks from the bundled days
        # the week of Good Friday 2020 closes on Thursday 9 April at 16:00 New York; Easter
        # Monday's week (label 13 April) on Friday 17 April; Memorial Day's (Tuesday 26 May)
        # on Friday 29 May, before the next week's Monday open
        for close in (utc(2020, 4, 9, 20), utc(2020, 4, 17, 20), utc(2020, 5, 29, 20)):
            for now in (close - timedelta(microseconds=1), close, close + timedelta(hours=60)):
                clock.set(now)
                weeks = stored.get_bars("SPY", "1w")
                same_weeks = resampled.get_bars("SPY", "1w", start=utc(2020, 1, 6))
                assert weeks.attrs["origin"] != same_weeks.attrs["origin"]
                assert list(weeks.index) == list(same_weeks.index)
                assert pd.DatetimeIndex(weeks["ts_close"]).max() <= pd.Timestamp(now)
                visible = pd.Timestamp(now) >= pd.Timestamp(close)
                assert (weeks["ts_close"] == pd.Timestamp(close)).any() == visible, now
    finally:
        database.close()


def test_a_backtest_on_a_stored_weekly_file_trades_as_one_on_resampled_weeks(home: Path) -> None:
    path = weekly_csv(home / "SPY_1w.csv", "1998-01-05", "2021-12-31")
    common = ["--symbol", "SPY", "--timeframe", "1w", "-s", "sma-cross", "--json"]
    runs = []
    for data in (["--data", str(path)], ["--adjust", "raw"]):
        result = runner.invoke(app, ["backtest", *data, *common])
        assert result.exit_code == 0, result.output
        runs.append(json.loads(result.stdout))
    stored, resampled = runs
    assert stored["stats"]["end"] == resampled["stats"]["end"] == "2021-03-26T20:00:00+00:00"
    # the same trades at the same times and prices (the resampled run is paid SPY's dividends
    # in cash, so its sizes and P&L differ); Memorial Day 2012's week (label Tuesday 29 May)
    # closed on Tuesday 5 June 00:00 UTC, after the next week's open: its exit was a week late
    fields = ("entry_time", "exit_time", "side", "entry_price", "exit_price")
    assert [[trade[key] for key in fields] for trade in stored["trades"]] == [
        [trade[key] for key in fields] for trade in resampled["trades"]
    ]
    exits = [trade["exit_time"] for trade in stored["trades"]]
    assert [time for time in exits if time.startswith("2012-06")] == ["2012-06-04T00:00:00+00:00"]
