"""Resample OHLCV bar frames to a coarser timeframe without crossing session boundaries.

Rules (``resample(frame, "1h", "XNYS")`` and friends):

* Each source bar ``[ts, ts + source timeframe)`` belongs to the first session it overlaps;
  bars that overlap no session (pre/post-market, weekends, holidays) are dropped and counted in
  ``attrs["dropped_outside_sessions"]``.
* Intraday targets are anchored at the session open: XNYS 1h bars are 09:30-10:30, ...,
  15:30-16:00 New York (the last one shortened at the close, early closes included); FX bars
  start at 17:00 New York; 24/7 bars at 00:00 UTC. A source bar goes to the bucket in which it
  starts (a bar labelled before the open, such as Lean's 09:00 ET hour bar holding 09:30-10:00
  trading, counts from the open). ``ts`` is the bucket start, ``ts_close`` its end (clipped to
  the session close), so no bar straddles a session boundary.
* ``1d`` targets give one bar per session: XNYS and 24/7 bars are labelled with the trade date
  at 00:00 UTC (the bundled daily convention), FX bars with the session open (17:00 New York on
  the previous day); ``ts_close`` is the session close.
* OHLCV: first open, max high, min low, last close, summed volume.
* The last bar is dropped while still partial: with ``now`` given, every bar whose close is
  after ``now``; without it, the last bar when the source data stops before that bar's close.
  ``include_partial=True`` keeps it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from paperdesk.data.calendars import calendar_name, market_calendar
from paperdesk.data.csv_source import infer_timeframe
from paperdesk.data.session_grid import NANOSECONDS, SessionGrid
from paperdesk.domain import InvalidInputError, Timeframe

OHLCV = ("open", "high", "low", "close", "volume")


def resample(
    frame: pd.DataFrame,
    timeframe: str,
    calendar: str | None = None,
    *,
    source_timeframe: str | None = None,
    include_partial: bool = False,
    now: datetime | None = None,
) -> pd.DataFrame:
    """``frame`` (the bar frame convention of ``load_bars``) resampled to ``timeframe``.

    ``calendar`` and ``source_timeframe`` default to ``frame.attrs`` (the source timeframe is
    inferred from the spacing when absent). Supported targets: intraday timeframes and ``1d``.
    """
    target = Timeframe.parse(timeframe)
    if not target.is_intraday and str(target) != "1d":
        raise InvalidInputError(
            f"resample supports intraday targets and 1d, not {timeframe!r} (use 1d bars and "
            "group them by week or month instead)"
        )
    name = calendar_name(calendar or str(frame.attrs.get("calendar") or ""))
    source = _source_timeframe(frame, source_timeframe)
    if source.seconds > target.seconds or (not source.is_intraday and target.is_intraday):
        raise InvalidInputError(f"cannot resample {source} bars to the finer {target}")
    index = _index(frame)
    attrs = {
        **frame.attrs,
        "timeframe": str(target),
        "calendar": name,
        "resampled_from": str(source),
    }
    if len(index) == 0:
        return _result(index.asi8, {}, index.asi8, attrs)

    order = np.argsort(index.asi8, kind="stable")
    starts = index.asi8[order]
    if (np.diff(starts) == 0).any():
        raise InvalidInputError("frame has duplicate bar times; drop them before resampling")
    values = {column: frame[column].to_numpy(dtype=np.float64)[order] for column in OHLCV}
    length = source.seconds * NANOSECONDS if source.is_intraday else 86400 * NANOSECONDS
    ends = starts + length
    grid = SessionGrid.covering(market_calendar(name), int(starts[0]), int(ends[-1]))
    session = grid.locate(starts, ends)
    keep = session >= 0
    dropped = int((~keep).sum())
    starts, ends, session = starts[keep], ends[keep], session[keep]
    values = {column: array[keep] for column, array in values.items()}
    attrs["dropped_outside_sessions"] = dropped
    if len(starts) == 0:
        return _result(starts, {}, starts, attrs)

    opens, closes = grid.opens[session], grid.closes[session]
    if target.is_intraday:
        step = target.seconds * NANOSECONDS
        effective = np.maximum(starts, opens)
        labels = opens + (effective - opens) // step * step
        edges = labels + step
        # the last source bar that can start before the edge closes one source length after
        # its start: the bucket is complete only then, whether or not that bar is in the frame
        # yet (a live frame is cut at now), so a bucket never shows and then changes
        straddling = (edges - 1) // length * length + length
        bucket_closes = np.minimum(np.maximum(edges, straddling), closes)
    else:
        bucket_closes = closes
        labels = opens if name == "FX" else pd.DatetimeIndex(grid.days[session]).as_unit("ns").asi8
    first = np.flatnonzero(np.concatenate([[True], labels[1:] != labels[:-1]]))
    last = np.concatenate([first[1:], [len(labels)]]) - 1
    aggregated = aggregate(values, first, last)
    # A bucket is closed only when every bar in it has closed: a source bar that starts inside a
    # bucket but ends after the bucket's edge (bars not aligned to the target grid) pushes the
    # bucket's close out to its own, so nothing is visible before it happened.
    member_closes = np.maximum.reduceat(np.minimum(ends, closes), first)
    out_labels = labels[first]
    out_closes = np.maximum(bucket_closes[first], member_closes)
    complete = _complete(out_closes, int(ends[-1]), now, include_partial)
    aggregated = {column: array[complete] for column, array in aggregated.items()}
    return _result(out_labels[complete], aggregated, out_closes[complete], attrs)


def aggregate(
    values: dict[str, np.ndarray], first: np.ndarray, last: np.ndarray
) -> dict[str, np.ndarray]:
    """OHLCV of groups of consecutive rows (``first``/``last`` row of each): first open, max
    high, min low, last close, summed volume."""
    return {
        "open": values["open"][first],
        "high": np.maximum.reduceat(values["high"], first),
        "low": np.minimum.reduceat(values["low"], first),
        "close": values["close"][last],
        "volume": np.add.reduceat(values["volume"], first),
    }


def _complete(
    closes: np.ndarray, data_end: int, now: datetime | None, include_partial: bool
) -> np.ndarray:
    keep = np.ones(len(closes), dtype=bool)
    if include_partial or len(closes) == 0:
        return keep
    if now is not None:
        moment = pd.Timestamp(now)
        if moment.tzinfo is None:
            raise InvalidInputError(f"now {now!r} must be timezone-aware")
        keep &= closes <= moment.tz_convert("UTC").as_unit("ns").value
    elif data_end < closes[-1]:
        keep[-1] = False
    return keep


def _source_timeframe(frame: pd.DataFrame, given: str | None) -> Timeframe:
    text = given or frame.attrs.get("timeframe") or infer_timeframe(_index(frame))
    if not text:
        raise InvalidInputError("cannot tell the source timeframe; pass source_timeframe=")
    return Timeframe.parse(str(text))


def _index(frame: pd.DataFrame) -> pd.DatetimeIndex:
    index = frame.index
    if not isinstance(index, pd.DatetimeIndex) or index.tz is None:
        raise InvalidInputError("bar frames need a timezone-aware DatetimeIndex of bar opens")
    return index.tz_convert("UTC").as_unit("ns")


def _result(
    labels: np.ndarray,
    columns: dict[str, np.ndarray],
    closes: np.ndarray,
    attrs: dict[Any, Any],
) -> pd.DataFrame:
    index = pd.DatetimeIndex(np.asarray(labels, dtype="datetime64[ns]"), name="ts").tz_localize(
        "UTC"
    )
    data: dict[str, object] = {
        column: np.asarray(columns.get(column, np.zeros(len(labels))), dtype=np.float64)
        for column in OHLCV
    }
    data["ts_close"] = pd.DatetimeIndex(
        np.asarray(closes, dtype="datetime64[ns]"), name="ts_close"
    ).tz_localize("UTC")
    result = pd.DataFrame(data, index=index)
    result.attrs.update(attrs)
    return result
