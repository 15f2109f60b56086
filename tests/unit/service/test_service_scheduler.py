"""The run scheduler: intervals, rounds, stopping between ticks, errors that do not stop it."""

from __future__ import annotations

import pytest

from paperdesk.domain import DataError, InvalidInputError
from paperdesk.domain.ticks import BarTick, TickStatus
from paperdesk.service.scheduler import RoundReport, Scheduler, parse_interval


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30.0), ("1m", 60.0), ("1M", 60.0), ("4h", 14400.0), ("1d", 86400.0), ("90", 90.0)],
)
def test_intervals(text: str, seconds: float) -> None:
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["", "0m", "-1m", "1w", "soon", "1.5.2m"])
def test_bad_intervals_are_named(text: str) -> None:
    with pytest.raises(InvalidInputError, match="invalid interval"):
        parse_interval(text)


class FakeTime:
    """A clock that only moves when the scheduler waits (or a tick takes time)."""

    def __init__(self, tick_seconds: float = 0.0) -> None:
        self.now = 0.0
        self.waits: list[float] = []
        self.tick_seconds = tick_seconds

    def clock(self) -> float:
        return self.now

    def wait(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def ticked(symbol: str) -> list[BarTick]:
    return [BarTick(1, symbol, TickStatus.PROCESSED, f"{symbol} ticked")]


def test_each_round_ticks_every_symbol_then_waits_for_the_next_interval() -> None:
    time = FakeTime()
    calls: list[str] = []
    reports: list[RoundReport] = []

    def tick(symbol: str) -> list[BarTick]:
        calls.append(symbol)
        time.now += 7  # a tick takes 7 seconds: the wait shortens, the schedule does not drift
        return ticked(symbol)

    scheduler = Scheduler(
        tick, ["SPY", "AAPL"], 60, wait=time.wait, clock=time.clock, on_round=reports.append
    )
    assert scheduler.run(max_rounds=3) == 3
    assert calls == ["SPY", "AAPL"] * 3
    assert time.waits == [46, 46]  # no wait after the last round
    assert [r.number for r in reports] == [1, 2, 3]
    assert set(reports[0].ticks) == {"SPY", "AAPL"}


def test_stop_is_honoured_between_ticks_never_inside_one() -> None:
    time = FakeTime()
    calls: list[str] = []
    scheduler: Scheduler

    def tick(symbol: str) -> list[BarTick]:
        calls.append(symbol)
        if symbol == "SPY":
            scheduler.stop()  # as a SIGINT handler would, while this tick runs
        return ticked(symbol)

    scheduler = Scheduler(tick, ["SPY", "AAPL"], 60, wait=time.wait, clock=time.clock)
    assert scheduler.run() == 1
    assert calls == ["SPY"]  # the SPY tick finished; AAPL never started
    assert scheduler.stopped
    assert time.waits == []


def test_stop_during_the_wait_ends_the_loop() -> None:
    time = FakeTime()
    scheduler: Scheduler

    def wait(seconds: float) -> None:
        time.wait(seconds)
        scheduler.stop()

    scheduler = Scheduler(ticked, ["SPY"], 60, wait=wait, clock=time.clock)
    assert scheduler.run() == 1


def test_the_real_wait_is_interrupted_by_stop() -> None:
    scheduler = Scheduler(ticked, ["SPY"], 3600)
    scheduler.stop()
    assert scheduler.run() == 0


def test_an_error_on_one_symbol_is_reported_and_the_others_still_tick() -> None:
    time = FakeTime()
    reports: list[RoundReport] = []

    def tick(symbol: str) -> list[BarTick]:
        if symbol == "BAD":
            raise DataError("no data for BAD")
        return ticked(symbol)

    scheduler = Scheduler(
        tick, ["BAD", "SPY"], 1, wait=time.wait, clock=time.clock, on_round=reports.append
    )
    scheduler.run(max_rounds=2)
    assert reports[1].errors == {"BAD": "no data for BAD"}
    assert list(reports[1].ticks) == ["SPY"]


def test_bad_arguments() -> None:
    with pytest.raises(InvalidInputError, match="no symbols"):
        Scheduler(ticked, [], 60)
    with pytest.raises(InvalidInputError, match="positive"):
        Scheduler(ticked, ["SPY"], 0)
    with pytest.raises(InvalidInputError, match="at least 1"):
        Scheduler(ticked, ["SPY"], 60).run(max_rounds=0)


def test_failed_ticks_are_counted_and_each_distinct_error_is_new_once() -> None:
    time = FakeTime()
    reports: list[RoundReport] = []
    messages = iter(["no data for BAD", "no data for BAD", "the feed is down"])

    def tick(symbol: str) -> list[BarTick]:
        if symbol == "BAD":
            raise DataError(next(messages))
        return ticked(symbol)

    scheduler = Scheduler(
        tick, ["BAD", "SPY"], 1, wait=time.wait, clock=time.clock, on_round=reports.append
    )
    scheduler.run(max_rounds=3)
    assert [r.new_errors for r in reports] == [
        {"BAD": "no data for BAD"},
        {},
        {"BAD": "the feed is down"},
    ]
    assert [r.errors for r in reports][1] == {"BAD": "no data for BAD"}
    assert (scheduler.failed_ticks, scheduler.distinct_errors) == (3, 2)
