"""The returns statistics are computed on: one per bar the run can trade on, or one per trading
day of the calendar."""

from __future__ import annotations

import numpy as np
import pandas as pd

from paperdesk.config.run import TradingSession
from paperdesk.config.statistics import ReturnBasis
from paperdesk.data.calendars import calendar_name, market_calendar, sessions_covering
from paperdesk.data.sessions import JUDGED_CALENDAR, overlaps_session
from paperdesk.domain import Timeframe


def traded_bars(
    times: pd.DatetimeIndex,
    timeframe: str | None,
    calendar: str,
    session: TradingSession,
    basis: ReturnBasis,
) -> np.ndarray | None:
    """Which of the bars closing at ``times`` the per-bar returns are taken at, as a mask, or
    None when every bar counts (all but one case).

    A run in the regular session (``session = regular``) of intraday bars on the XNYS calendar
    trades only the bars overlapping a regular session (``data.sessions``' rule, a bar closing at
    ``t`` holding ``[t - bar length, t)``): a pre- or post-market bar's return is 0 by
    construction (the positions are marked at the last in-session close), so it is left out,
    as the periods per year count only the regular session's bars. Daily returns, bars of a day
    or longer, other calendars and the extended session count every bar."""
    if basis is not ReturnBasis.BAR or session is not TradingSession.REGULAR or timeframe is None:
        return None
    frame = Timeframe.parse(timeframe)
    if not frame.is_intraday or calendar_name(calendar) != JUDGED_CALENDAR or times.empty:
        return None
    closes = pd.DatetimeIndex(times).tz_convert("UTC").as_unit("ns").asi8
    inside = overlaps_session(closes - frame.seconds * 1_000_000_000, closes)
    return None if inside.all() else inside


def period_returns(
    equity: pd.Series, start_equity: float, basis: ReturnBasis, calendar: str
) -> pd.Series:
    """Simple returns ``(E_t - E_{t-1}) / E_{t-1}`` indexed by the end of each period, the first
    from ``start_equity`` (so the first period counts). ``bar``: the equity at each bar close;
    ``daily``: the last equity of each session of ``calendar`` (see ``session_closes``)."""
    if basis is ReturnBasis.DAILY:
        equity = last_of_each_session(equity, calendar)
    values = equity.to_numpy(dtype=np.float64)
    # (E_t - E_{t-1}) / E_{t-1} written into one column (a long curve's copies are its peak)
    returns = np.empty_like(values)
    first = np.float64(start_equity)
    returns[:1] = (values[:1] - first) / first
    np.subtract(values[1:], values[:-1], out=returns[1:])
    np.divide(returns[1:], values[:-1], out=returns[1:])
    return pd.Series(returns, index=equity.index, name="returns")


def price_returns(closes: pd.Series, basis: ReturnBasis, calendar: str) -> pd.Series:
    """A benchmark's close-to-close returns on the same basis (the first period has none)."""
    if basis is ReturnBasis.DAILY:
        closes = last_of_each_session(closes, calendar)
    values = closes.to_numpy(dtype=np.float64)
    returns = np.full(values.shape, np.nan)
    returns[1:] = (values[1:] - values[:-1]) / values[:-1]
    return pd.Series(returns, index=closes.index, name="benchmark")


def last_of_each_session(series: pd.Series, calendar: str) -> pd.Series:
    """The last value of each session, indexed by the session's close: a value stamped ``t``
    (a bar close) belongs to the first session of ``calendar`` closing at or after ``t``."""
    if series.empty:
        return series
    index = pd.DatetimeIndex(series.index).tz_convert("UTC").as_unit("ns")
    sessions = sessions_covering(market_calendar(calendar), index[0], index[-1])
    closes = pd.DatetimeIndex(sessions["close"]).as_unit("ns")
    position = np.searchsorted(closes.asi8, index.asi8, side="left")
    beyond = position >= len(closes)  # past the calendar's last known session: its own day
    keys = np.where(
        beyond, index.normalize().asi8, closes.asi8[np.minimum(position, len(closes) - 1)]
    )
    grouped = pd.Series(series.to_numpy(), index=keys).groupby(level=0, sort=True).last()
    grouped.index = pd.DatetimeIndex(grouped.index.to_numpy().astype("datetime64[ns]")).tz_localize(
        "UTC"
    )
    return grouped
