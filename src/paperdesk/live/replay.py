"""The replay clock: where a replay starts, which of its bars are due, and what to say when
none is.

A replay serves a symbol's stored history as if it were live, from the first bar on or after
``replay_from`` (else right after the strategies' warm-up). How fast is the replay clock's
business (``SourceConfig.replay_interval``):

* ``manual`` (the default): each tick serves the next bar. Ticks racing for the same next bar
  serve it once: a tick notes the last served bar before it takes the portfolio's lock and
  serves nothing if another tick moved the replay on in between.
* an interval: bar ``first + k`` is due once ``k`` whole intervals of wall time have passed
  since ``replay_started_at``; a tick serves every due bar not yet served, each once, so a
  retried or overlapping tick within one interval serves nothing new.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import pandas as pd

from paperdesk.config import RunConfig, SourceConfig, SourceKind
from paperdesk.config.replay import describe_interval
from paperdesk.domain import InvalidInputError
from paperdesk.domain.fields import setting_mark
from paperdesk.domain.records import CursorRecord
from paperdesk.domain.ticks import BarTick, TickStatus
from paperdesk.engine.strategies import run_strategies

ONE_MICROSECOND = timedelta(microseconds=1)


def first_index(settings: RunConfig, history: pd.DataFrame) -> int:
    """The row a replay starts at: the first bar on or after ``replay_from``, else the bar after
    the strategies' warm-up (``len(history)`` when ``replay_from`` lies after the last bar)."""
    start = settings.source.replay_from
    if start is not None:
        return int(history.index.searchsorted(pd.Timestamp(start, tz="UTC"), side="left"))
    warmup = max(int(strategy.warmup) for strategy in run_strategies(settings).values())
    return min(warmup + 1, len(history) - 1)


def check_start(settings: RunConfig, symbol: str, history: pd.DataFrame) -> None:
    """Refuse a replay that would start after the last bar of ``symbol``."""
    start = settings.source.replay_from
    if settings.source.kind is not SourceKind.REPLAY or start is None or history.empty:
        return
    last = history.index[-1]
    if pd.Timestamp(start, tz="UTC") > last:
        raise InvalidInputError(
            f"{setting_mark('replay_from')} {start} is after the last {symbol} "
            f"{settings.bar_timeframe} bar ({last.date().isoformat()}): choose a date on or "
            "before it"
        )


def check_not_begun(settings: RunConfig, cursors: Iterable[CursorRecord]) -> None:
    """Refuse a new replay start that would change nothing: a replay's start applies to a
    symbol whose replay has not begun (its first tick serves the bar at the start), so once
    every watched symbol has been served a bar, a moved start would be stored, audited and
    ignored."""
    if settings.source.kind is not SourceKind.REPLAY or not settings.symbols:
        return
    served = {c.symbol: c.ts_bar for c in cursors if c.ts_bar is not None}
    if all(symbol in served for symbol in settings.symbols):
        where = ", ".join(
            f"{symbol} up to {served[symbol].date().isoformat()}" for symbol in settings.symbols
        )
        raise InvalidInputError(
            f"{setting_mark('replay_from')} cannot change: the replay has served bars of every "
            f"watched symbol ({where}); a start applies only to a symbol whose replay has not "
            "begun (create a new portfolio to replay from another date)"
        )


def due_index(source: SourceConfig, first: int, now: datetime) -> int | None:
    """The last bar due on the replay clock at ``now`` (``first - 1`` before the start), or
    None for a manual replay."""
    if source.replay_interval is None:
        return None
    started = source.replay_started_at
    if started is None:
        raise InvalidInputError(
            "malformed portfolio settings: a replay paced every "
            f"{describe_interval(source.replay_interval)} has no replay_started_at"
        )
    interval = int(source.replay_interval * 1_000_000)  # whole microseconds, exactly
    elapsed = (now - started) // ONE_MICROSECOND
    return first + elapsed // interval if elapsed >= 0 else first - 1


def due_at(source: SourceConfig, first: int, index: int) -> datetime:
    """When bar ``index`` falls due on a paced replay clock."""
    assert source.replay_interval is not None
    assert source.replay_started_at is not None
    step = timedelta(microseconds=int(source.replay_interval * 1_000_000))
    return source.replay_started_at + step * (index - first)


def plan(
    settings: RunConfig,
    history: pd.DataFrame,
    following: int,
    moved_on: bool,
    now: datetime,
    portfolio_id: int,
    symbol: str,
    names: tuple[str, ...],
) -> tuple[int, int] | BarTick:
    """(the bar to serve, due bars after it), or the report of why there is none.

    ``following`` is the row after the last served bar (or the replay's first row);
    ``moved_on`` says another tick served a bar since this one was asked (manual replays)."""
    source = settings.source
    first = first_index(settings, history)
    if following >= len(history):
        return BarTick(portfolio_id, symbol, *_finished(settings, history, first, symbol), names)
    if source.replay_interval is None:
        if moved_on:
            return BarTick(
                portfolio_id,
                symbol,
                TickStatus.ALREADY_PROCESSED,
                f"another tick served the next {symbol} bar of this manual replay first; "
                "nothing changed",
                names,
            )
        return following, 0
    due = due_index(source, first, now)
    assert due is not None
    last = min(due, len(history) - 1)
    if following > last:
        served = history.index[following - 1].isoformat() if following > first else None
        where = f"bar {served} of {symbol} was already served" if served else "nothing is due"
        return BarTick(
            portfolio_id,
            symbol,
            TickStatus.ALREADY_PROCESSED if served else TickStatus.NO_NEW_BAR,
            f"{where}; the replay clock (one bar every "
            f"{describe_interval(source.replay_interval)}) serves the next at "
            f"{due_at(source, first, following).isoformat()}; nothing changed",
            names,
        )
    return following, last - following


def _finished(
    settings: RunConfig, history: pd.DataFrame, first: int, symbol: str
) -> tuple[TickStatus, str]:
    last = history.index[-1].isoformat()
    if first >= len(history):
        return (
            TickStatus.NO_NEW_BAR,
            f"the replay of {symbol} starts at {settings.source.replay_from}, after its last bar "
            f"({last}): 0 bars served",
        )
    served = len(history) - first
    return (
        TickStatus.REPLAY_FINISHED,
        f"the replay of {symbol} has served all {served} of its bars, "
        f"{history.index[first].isoformat()} to {last}",
    )


__all__ = ["check_start", "due_at", "due_index", "first_index", "plan"]
