"""The worker's schedule: when a portfolio's round is next due and which symbols it ticks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from paperdesk.config import RunConfig, SourceConfig, StrategySpec
from paperdesk.service.worker_schedule import CLOSE_GRACE, due_symbols, next_due

MACD = (StrategySpec("macd-cross"),)
STARTED = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _replay(interval: str | None) -> RunConfig:
    paced = {} if interval is None else {"replay_interval": interval, "replay_started_at": STARTED}
    source = SourceConfig("replay", replay_from=date(2021, 3, 1), **paced)
    return RunConfig(strategies=MACD, symbols=("SPY", "AAPL"), source=source)


BUNDLED = RunConfig(strategies=MACD, symbols=("SPY", "EURUSD"))


def test_a_paced_replay_is_due_when_its_next_bar_falls_due_on_the_replay_clock() -> None:
    settings = _replay("90s")  # longer than the worker's interval: the replay's pace wins
    assert next_due(settings, STARTED, 60.0) == STARTED + timedelta(seconds=90)
    halfway = STARTED + timedelta(seconds=100)
    assert next_due(settings, halfway, 60.0) == STARTED + timedelta(seconds=180)
    exactly = STARTED + timedelta(seconds=180)  # strictly after now: never due again at once
    assert next_due(settings, exactly, 60.0) == STARTED + timedelta(seconds=270)
    before = STARTED - timedelta(hours=1)  # a replay clock that starts later
    assert next_due(settings, before, 60.0) == STARTED


def test_a_fractional_replay_interval_is_kept_exactly() -> None:
    settings = _replay("0.2s")
    now = STARTED + timedelta(seconds=1, microseconds=100_000)
    assert next_due(settings, now, 60.0) == STARTED + timedelta(seconds=1, microseconds=200_000)


def test_other_portfolios_are_due_at_the_next_boundary_of_the_worker_interval() -> None:
    now = datetime(2026, 12, 4, 21, 7, 30, tzinfo=UTC)
    assert next_due(BUNDLED, now, 60.0) == datetime(2026, 12, 4, 21, 8, tzinfo=UTC)
    assert next_due(BUNDLED, now, 3600.0) == datetime(2026, 12, 4, 22, 0, tzinfo=UTC)
    assert next_due(_replay(None), now, 60.0) == datetime(2026, 12, 4, 21, 8, tzinfo=UTC)


def _markets(open_symbols_at: dict[str, set[datetime]]) -> Callable[[str, datetime], bool]:
    """A calendar where each symbol's market is open exactly at the moments given."""
    return lambda symbol, moment: moment in open_symbols_at.get(symbol, set())


def test_a_symbol_is_ticked_while_its_market_is_open_and_once_after_it_closed() -> None:
    now = datetime(2026, 12, 4, 21, 1, tzinfo=UTC)
    before = now - timedelta(minutes=1)
    symbols = BUNDLED.symbols
    only_fx = _markets({"EURUSD": {now, before}})
    assert due_symbols(BUNDLED, symbols, now, before, only_fx) == ["EURUSD"]
    spy_just_closed = _markets({"SPY": {before}})
    assert due_symbols(BUNDLED, symbols, now, before, spy_just_closed) == ["SPY"]
    assert due_symbols(BUNDLED, symbols, now, before, _markets({})) == []
    # a worker's first round of a portfolio ticks every symbol (the runner finds any new bar)
    assert due_symbols(BUNDLED, symbols, now, None, _markets({})) == ["SPY", "EURUSD"]
    # rounds within the grace after a close still tick: a live provider may publish late
    closed_a_while_ago = _markets({"SPY": {now - CLOSE_GRACE}})
    assert due_symbols(BUNDLED, symbols, now, before, closed_a_while_ago) == ["SPY"]


def test_a_replay_ticks_every_symbol_whatever_the_market_calendar_says() -> None:
    now = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)  # a Saturday
    settings = _replay("1s")
    assert due_symbols(settings, settings.symbols, now, None, _markets({})) == ["SPY", "AAPL"]
