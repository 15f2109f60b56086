"""Data quality report for a bar frame: gaps against the calendar, duplicates, outliers, runs.

``check_quality(frame, timeframe="1h", calendar="XNYS")`` looks for:

* **gaps**: trading time with no bar. Intraday: between two consecutive bars, the session time
  (time the calendar is open) from the end of the first to the start of the next, counted as
  ``ceil(session time / timeframe)`` missing bars (so a bar shortened by the open or the close
  still counts as one). Daily: sessions with no bar between two bars. ``nd``, weekly and
  monthly: periods of the calendar (as the resampler groups its sessions: n sessions from its
  epoch, ISO weeks, calendar months) holding a session but no bar, so a week of holidays alone
  is no gap. Only the span between the first and the last bar is checked; the tail is the
  feed-age check.
* **duplicates**: bar times present more than once.
* **off-session bars**: bars overlapping no session (e.g. on a holiday).
* **outliers**: absolute close-to-close simple return above ``outlier_threshold``.
* **zero-volume runs** (``>= zero_volume_run`` bars with volume 0; when every bar has volume 0
  the series is reported as having no volume instead) and **stale runs** (``>= stale_run``
  consecutive bars with identical open, high, low and close).
* **feed age**: with ``now``, the wall-clock age of the last bar's close and whether a whole bar
  of session time has elapsed since (the feed is behind).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from paperdesk.data.calendars import calendar_name, market_calendar
from paperdesk.data.quality_report import (
    Duplicate,
    Gap,
    Outlier,
    QualityReport,
    Run,
)
from paperdesk.data.resample import OHLCV
from paperdesk.data.resample_periods import is_period, period_keys
from paperdesk.data.session_grid import NANOSECONDS, SessionGrid
from paperdesk.domain import InvalidInputError, Timeframe

__all__ = [
    "Duplicate",
    "Gap",
    "Outlier",
    "QualityReport",
    "Run",
    "check_quality",
    "default_outlier_threshold",
    "find_gaps",
    "session_seconds",
]


def default_outlier_threshold(timeframe: str) -> float:
    """The default outlier return for a timeframe: 5% up to 5m, 10% up to 1h, 15% intraday
    beyond, 25% daily, 40% weekly and longer."""
    seconds = Timeframe.parse(timeframe).seconds
    for limit, threshold in ((300, 0.05), (3600, 0.10), (86399, 0.15), (86400, 0.25)):
        if seconds <= limit:
            return threshold
    return 0.40


def check_quality(
    frame: pd.DataFrame,
    *,
    timeframe: str | None = None,
    calendar: str | None = None,
    outlier_threshold: float | None = None,
    stale_run: int = 5,
    zero_volume_run: int = 5,
    now: datetime | None = None,
) -> QualityReport:
    """The quality report of ``frame`` (``timeframe``/``calendar`` default to its attrs)."""
    text = timeframe or frame.attrs.get("timeframe")
    if not text:
        raise InvalidInputError("pass timeframe= (the frame's attrs do not name one)")
    frame_timeframe = Timeframe.parse(str(text))
    name = calendar_name(calendar or str(frame.attrs.get("calendar") or ""))
    threshold = (
        default_outlier_threshold(str(frame_timeframe))
        if outlier_threshold is None
        else outlier_threshold
    )
    index = frame.index
    if not isinstance(index, pd.DatetimeIndex) or index.tz is None:
        raise InvalidInputError("bar frames need a timezone-aware DatetimeIndex of bar opens")
    order = np.argsort(index.tz_convert("UTC").as_unit("ns").asi8, kind="stable")
    stamps = index.tz_convert("UTC").as_unit("ns").asi8[order]
    values = {column: frame[column].to_numpy(dtype=np.float64)[order] for column in OHLCV}
    report = QualityReport(
        symbol=str(frame.attrs.get("symbol", "")),
        timeframe=str(frame_timeframe),
        calendar=name,
        bars=len(stamps),
        first=_time(stamps[0]) if len(stamps) else None,
        last=_time(stamps[-1]) if len(stamps) else None,
        outlier_threshold=threshold,
        stale_run=stale_run,
        zero_volume_run=zero_volume_run,
        now=now,
    )
    if len(stamps) == 0:
        return report

    unique = np.concatenate([[True], stamps[1:] != stamps[:-1]])
    repeated, counts = np.unique(stamps[~unique], return_counts=True)
    report.duplicates = [
        Duplicate(_time(ts), int(n) + 1) for ts, n in zip(repeated, counts, strict=True)
    ]
    stamps = stamps[unique]
    values = {column: array[unique] for column, array in values.items()}

    length = _bar_length(frame_timeframe)
    ends = stamps + length
    report.gaps, inside = _gaps_and_inside(stamps, frame_timeframe, name)
    report.off_session = [_time(ts) for ts in stamps[~inside]]

    close = values["close"]
    returns = close[1:] / close[:-1] - 1.0
    spikes = np.flatnonzero(np.abs(returns) > threshold) + 1
    report.outliers = [
        Outlier(_time(stamps[i]), float(close[i - 1]), float(close[i]), float(returns[i - 1]))
        for i in spikes
    ]
    volume = values["volume"]
    report.no_volume = bool((volume == 0).all())
    if not report.no_volume:
        report.zero_volume_runs = _runs(stamps, volume == 0, zero_volume_run)
    prices = np.column_stack([values[column] for column in ("open", "high", "low", "close")])
    same = np.concatenate([[False], (prices[1:] == prices[:-1]).all(axis=1)])
    # a run of k identical bars is k - 1 repeats after its first bar
    starts_run = np.concatenate([same[1:], [False]]) & ~same
    report.stale_runs = _runs(stamps, same | starts_run, stale_run)

    if now is not None:
        _feed_age(report, frame, stamps, ends, length, now, frame_timeframe)
    return report


def find_gaps(stamps: np.ndarray, timeframe: str, calendar: str) -> list[Gap]:
    """The gaps of bars opening at ``stamps`` (UTC nanoseconds, strictly increasing) against
    ``calendar``, as ``check_quality`` reports them (bars outside every session left out)."""
    if len(stamps) == 0:
        return []
    gaps, _ = _gaps_and_inside(
        np.asarray(stamps, dtype=np.int64), Timeframe.parse(timeframe), calendar_name(calendar)
    )
    return gaps


@lru_cache(maxsize=16)
def session_seconds(calendar: str) -> int:
    """The typical length of one of ``calendar``'s sessions (the median over a reference month,
    January 2017: 6.5 hours for XNYS, a day for FX and 24/7)."""
    start = pd.Timestamp("2017-01-01", tz="UTC").value
    grid = SessionGrid.covering(
        market_calendar(calendar_name(calendar)), start, start + 31 * 86400 * NANOSECONDS
    )
    return int(np.median(grid.closes - grid.opens)) // NANOSECONDS


def _bar_length(timeframe: Timeframe) -> int:
    return (timeframe.seconds if timeframe.is_intraday else 86400) * NANOSECONDS


def _gaps_and_inside(
    stamps: np.ndarray, timeframe: Timeframe, calendar: str
) -> tuple[list[Gap], np.ndarray]:
    """The gaps of sorted unique bar opens, and which bars lie inside a session."""
    length = _bar_length(timeframe)
    periods = is_period(timeframe)
    # a period's bar is in its first session, which its label (a holiday Monday) may precede
    ends = stamps + (timeframe.seconds * NANOSECONDS if periods else length)
    grid = SessionGrid.covering(market_calendar(calendar), int(stamps[0]), int(ends[-1]))
    session = grid.locate(stamps, ends)
    inside = session >= 0
    if timeframe.is_intraday:
        return _intraday_gaps(grid, stamps[inside], ends[inside], length), inside
    if periods:
        return _period_gaps(grid, session[inside], timeframe, calendar), inside
    return _session_gaps(grid, session[inside]), inside


def _intraday_gaps(
    grid: SessionGrid, starts: np.ndarray, ends: np.ndarray, length: int
) -> list[Gap]:
    if len(starts) < 2:
        return []
    after, before = ends[:-1], starts[1:]
    missing_time = grid.clock(before) - grid.clock(after)
    missing = np.ceil(missing_time / length).astype(np.int64)
    where = np.flatnonzero(missing_time > 0)
    gap_starts = grid.next_trading_instant(after[where])
    return [
        Gap(_time(gap_starts[k]), _time(before[i]), int(missing[i])) for k, i in enumerate(where)
    ]


def _session_gaps(grid: SessionGrid, session: np.ndarray) -> list[Gap]:
    if len(session) < 2:
        return []
    steps = np.diff(session)
    where = np.flatnonzero(steps > 1)
    return [
        Gap(
            _time(grid.opens[session[i] + 1]),
            _time(grid.closes[session[i + 1] - 1]),
            int(steps[i] - 1),
        )
        for i in where
    ]


def _period_gaps(
    grid: SessionGrid, session: np.ndarray, timeframe: Timeframe, calendar: str
) -> list[Gap]:
    """The periods holding sessions of the grid but no bar, between bars in the sessions
    ``session``: each gap from the open of the first such period's first session to the close
    of the last one's last session, missing one bar per period."""
    if len(session) < 2:
        return []
    keys = period_keys(grid.days, timeframe, calendar)
    starts = np.concatenate([[True], keys[1:] != keys[:-1]])
    number = np.cumsum(starts) - 1  # each session's period, counted along the grid
    firsts = np.flatnonzero(starts)  # each period's first session
    lasts = np.concatenate([firsts[1:], [len(keys)]]) - 1
    held = number[session]
    steps = np.diff(held)
    return [
        Gap(
            _time(grid.opens[firsts[held[i] + 1]]),
            _time(grid.closes[lasts[held[i + 1] - 1]]),
            int(steps[i] - 1),
        )
        for i in np.flatnonzero(steps > 1)
    ]


def _runs(stamps: np.ndarray, mask: np.ndarray, minimum: int) -> list[Run]:
    if not mask.any():
        return []
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    starts = np.flatnonzero(edges == 1)
    stops = np.flatnonzero(edges == -1)
    return [
        Run(_time(stamps[a]), _time(stamps[b - 1]), int(b - a))
        for a, b in zip(starts, stops, strict=True)
        if b - a >= minimum
    ]


def _feed_age(
    report: QualityReport,
    frame: pd.DataFrame,
    stamps: np.ndarray,
    ends: np.ndarray,
    length: int,
    now: datetime,
    frame_timeframe: Timeframe,
) -> None:
    moment = pd.Timestamp(now)
    if moment.tzinfo is None:
        raise InvalidInputError(f"now {now!r} must be timezone-aware")
    now_ns = moment.tz_convert("UTC").as_unit("ns").value
    last_close = int(ends[-1])
    if "ts_close" in frame.columns:
        last_close = int(pd.DatetimeIndex(frame["ts_close"]).as_unit("ns").asi8.max())
    report.last_close = _time(last_close)
    report.last_bar_age = timedelta(microseconds=(now_ns - last_close) // 1000)
    wide = SessionGrid.covering(
        market_calendar(report.calendar), int(stamps[0]), max(now_ns, last_close)
    )
    if frame_timeframe.is_intraday:
        behind = int(wide.clock(np.array([now_ns]))[0] - wide.clock(np.array([last_close]))[0])
        report.feed_stale = behind >= length
    else:
        closed = (wide.closes > last_close) & (wide.closes <= now_ns)
        report.feed_stale = bool(closed.any())


def _time(nanoseconds: int | np.integer[Any]) -> datetime:
    return pd.Timestamp(int(nanoseconds), tz="UTC").to_pydatetime()
