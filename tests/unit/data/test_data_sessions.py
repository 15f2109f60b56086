"""The regular-session rule: a bar is in the session when it overlaps 09:30-16:00 New York
(early closes and holidays from exchange_calendars), judged only for intraday XNYS bars."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from paperdesk.data import find_bundled, instrument_for, load_bars
from paperdesk.data.sessions import RegularSession, overlaps_session
from paperdesk.domain import Bar

ONE = Decimal("100")
SPY = instrument_for("SPY")


def _bar(start: str, minutes: int, timeframe: str = "1m", symbol: str = "SPY") -> Bar:
    ts_open = datetime.fromisoformat(start).replace(tzinfo=UTC)
    return Bar(
        symbol, timeframe, ts_open, ts_open + timedelta(minutes=minutes), ONE, ONE, ONE, ONE, ONE
    )


def _inside(start: str, minutes: int, timeframe: str = "1m") -> bool:
    return RegularSession({"SPY": SPY}).outside(_bar(start, minutes, timeframe)) is None


# 2013-10-07 is in daylight saving time: 09:30 New York = 13:30 UTC, 16:00 = 20:00 UTC.
@pytest.mark.parametrize(
    ("start", "minutes", "timeframe", "inside"),
    [
        ("2013-10-07T13:29", 1, "1m", False),  # 09:29-09:30 ends as the session opens
        ("2013-10-07T13:30", 1, "1m", True),  # 09:30-09:31, the first regular minute
        ("2013-10-07T19:59", 1, "1m", True),  # 15:59-16:00, the last one
        ("2013-10-07T20:00", 1, "1m", False),  # 16:00-16:01, post-market
        ("2013-10-07T08:06", 1, "1m", False),  # pre-market
        ("2013-10-07T13:00", 60, "1h", True),  # Lean's hour labelled 09:00 holds 09:30-10:00
        ("2013-10-07T12:00", 60, "1h", False),  # 08:00-09:00
        ("2013-10-07T19:00", 60, "1h", True),  # 15:00-16:00
        ("2013-10-07T20:00", 60, "1h", False),  # 16:00-17:00
    ],
)
def test_a_bar_is_in_the_session_when_it_overlaps_it(
    start: str, minutes: int, timeframe: str, inside: bool
) -> None:
    assert _inside(start, minutes, timeframe) is inside


def test_an_early_close_ends_the_session_at_13_00_new_york() -> None:
    # 2013-11-29 (the day after Thanksgiving, standard time): 13:00 New York = 18:00 UTC.
    assert _inside("2013-11-29T17:59", 1)
    assert not _inside("2013-11-29T18:00", 1)
    reason = RegularSession({"SPY": SPY}).outside(_bar("2013-11-29T18:00", 1))
    assert reason == (
        "outside the regular session: SPY bar 2013-11-29 13:00-13:01 America/New_York "
        "(the regular session is 09:30-13:00, an early close; --session extended trades it)"
    )


def test_a_holiday_has_no_session() -> None:
    reason = RegularSession({"SPY": SPY}).outside(_bar("2013-11-28T15:00", 60, "1h"))
    assert reason is not None
    assert "no regular session on 2013-11-28" in reason


def test_the_bundled_spy_minute_file_has_390_regular_bars_a_day() -> None:
    """The MANIFEST: the regular session holds exactly 390 SPY bars on every day of the file."""
    bars = load_bars(find_bundled("SPY", "1m"))
    inside = overlaps_session(
        bars.index.asi8, pd.DatetimeIndex(bars["ts_close"]).as_unit("ns").asi8
    )
    per_day = pd.Series(inside, index=bars.index).groupby(bars.index.normalize()).sum()
    assert len(per_day) == 7
    assert (per_day == 390).all()
    assert int((~inside).sum()) == len(bars) - 7 * 390


def test_the_bundled_hourly_file_holds_bars_after_early_closes() -> None:
    """lean_SPY_1h is regular-session data, except for prints after the 13:00 early closes
    of 1998-2008 (e.g. the 13:00 and 14:00 New York bars of 2002-07-05), which are outside it;
    on 2019-11-29 the last bar is 12:00-13:00 New York, inside."""
    bars = load_bars(find_bundled("SPY", "1h"))
    inside = pd.Series(
        overlaps_session(bars.index.asi8, pd.DatetimeIndex(bars["ts_close"]).as_unit("ns").asi8),
        index=bars.index,
    )
    assert int((~inside).sum()) == 47
    assert bool(inside.loc["2019-11-29"].all())
    outside_2002 = inside.loc["2002-07-05"]
    assert [str(ts.time()) for ts in outside_2002.index[~outside_2002.to_numpy()]] == [
        "17:00:00",
        "18:00:00",
        "19:00:00",
    ]
    assert inside.loc["2009":].all()


def test_daily_bars_and_other_calendars_are_not_judged() -> None:
    rule = RegularSession(
        {"SPY": SPY, "BTCUSD": instrument_for("BTCUSD"), "EURUSD": instrument_for("EURUSD")}
    )
    assert rule.judged == frozenset({"SPY"})
    assert rule.outside(_bar("2013-10-07T00:00", 24 * 60, "1d")) is None
    assert rule.outside(_bar("2013-10-07T08:06", 1, "1m", symbol="BTCUSD")) is None
    assert rule.outside(_bar("2013-10-05T08:06", 1, "1m", symbol="EURUSD")) is None
    stamps = np.array([pd.Timestamp("2013-10-07T08:06Z").value], dtype=np.int64)
    assert rule.inside_mask("BTCUSD", "1m", stamps, stamps + 60_000_000_000).all()
    assert not rule.inside_mask("SPY", "1m", stamps, stamps + 60_000_000_000).any()
