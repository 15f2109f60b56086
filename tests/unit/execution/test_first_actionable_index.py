"""The vectorised skip-ahead search agrees with a bar-by-bar scan."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from typing import Any

import numpy as np

from paperdesk.domain import Bar, Event, OrderType, Side, TimeInForce
from paperdesk.execution.scan import ScanColumns

from ._support import ExecutionDesk, before, make_bar, make_intent, make_manager

D = Decimal


def random_bars(generator: random.Random, count: int) -> list[Bar]:
    bars = []
    price = 10000  # in cents
    for index in range(count):
        open_ = price + generator.randint(-150, 150)
        close = open_ + generator.randint(-200, 200)
        high = max(open_, close) + generator.randint(0, 150)
        low = min(open_, close) - generator.randint(0, 150)
        bars.append(make_bar(index, *(str(D(value) / 100) for value in (open_, high, low, close))))
        price = close
    return bars


def arrays(bars: list[Bar]) -> tuple[np.ndarray, ...]:
    opens = np.array([float(bar.open) for bar in bars])
    highs = np.array([float(bar.high) for bar in bars])
    lows = np.array([float(bar.low) for bar in bars])
    times = np.array([int(bar.ts_open.timestamp()) * 10**9 for bar in bars], dtype=np.int64)
    return opens, highs, lows, times


class Replayable:
    """A desk that remembers its commands, so that a scratch desk in the same state can be made
    by replaying them (the compiled book and venue cannot be deep-copied)."""

    def __init__(self) -> None:
        self.desk = make_manager()
        self.commands: list[tuple[str, tuple[Any, ...]]] = []

    def submit(self, *arguments: Any) -> list[Event]:
        self.commands.append(("submit", arguments))
        return self.desk.submit(*arguments)

    def on_bar(self, bar: Bar) -> list[Event]:
        self.commands.append(("on_bar", (bar,)))
        return self.desk.on_bar(bar)

    def scratch(self) -> ExecutionDesk:
        copy = make_manager()
        for name, arguments in self.commands:
            getattr(copy, name)(*arguments)
        assert copy.all_orders() == self.desk.all_orders()
        return copy


def brute_force_first_action(manager: Replayable, bars: list[Bar], start: int) -> int:
    scratch = manager.scratch()
    for index in range(start, len(bars)):
        snapshot = scratch.all_orders()
        if scratch.on_bar(bars[index]) or scratch.all_orders() != snapshot:
            return index
    return len(bars)


def submit_random_orders(generator: random.Random, manager: Replayable) -> None:
    for _ in range(generator.randint(1, 4)):
        order_type = generator.choice([OrderType.LIMIT, OrderType.STOP, OrderType.STOP_LIMIT])
        side = generator.choice([Side.BUY, Side.SELL])
        level = str(D(10000 + generator.randint(-1500, 1500)) / 100)
        other = str(D(10000 + generator.randint(-1500, 1500)) / 100)
        limit = level if order_type is OrderType.LIMIT else other
        stop = level if order_type is not OrderType.LIMIT else None
        tif = generator.choice([TimeInForce.GTC, TimeInForce.GTC, TimeInForce.DAY])
        submitted = before(0) + timedelta(days=generator.randint(0, 30))
        manager.submit(
            make_intent(
                side,
                "1",
                order_type,
                limit=limit if order_type is not OrderType.STOP else None,
                stop=stop,
                tif=tif,
            ),
            submitted,
        )


def submit_random_bracket(generator: random.Random, manager: Replayable) -> None:
    limit = D(10000 + generator.randint(-1000, 1000)) / 100
    stop_loss, take_profit = limit - generator.randint(1, 10), limit + generator.randint(1, 10)
    manager.submit(
        make_intent(
            Side.BUY,
            "1",
            OrderType.LIMIT,
            limit=str(limit),
            stop_loss=str(stop_loss),
            take_profit=str(take_profit),
        ),
        before(0),
    )


def test_first_actionable_index_agrees_with_a_bar_by_bar_scan() -> None:
    generator = random.Random(20240102)
    for _ in range(150):
        bars = random_bars(generator, generator.randint(1, 120))
        manager = Replayable()
        submit_random_orders(generator, manager)
        if generator.random() < 0.5:
            submit_random_bracket(generator, manager)
        opens, highs, lows, times = arrays(bars)
        columns = ScanColumns(highs, lows, times)  # as a run's driver makes them, once
        position = generator.randint(0, len(bars) - 1)
        while position < len(bars):
            expected = brute_force_first_action(manager, bars, position)
            found = manager.desk.first_actionable_index(
                "AAA", opens, highs, lows, times, position, len(bars)
            )
            assert found == expected
            assert (
                manager.desk.book.first_actionable_index(
                    "AAA", opens, highs, lows, times, position, len(bars), columns
                )
                == expected
            )
            if found < len(bars):
                manager.on_bar(bars[found])
            position = found + 1


def test_no_open_orders_returns_stop() -> None:
    opens, highs, lows, times = arrays([make_bar(0, "100", "105", "95", "102")])
    assert make_manager().first_actionable_index("AAA", opens, highs, lows, times, 0, 1) == 1


def test_market_orders_are_actionable_at_start() -> None:
    manager = make_manager()
    manager.submit(make_intent(), before(0))
    bars = [make_bar(index, "100", "105", "95", "102") for index in range(5)]
    assert manager.first_actionable_index("AAA", *arrays(bars), 2, 5) == 2


def test_limit_far_away_is_found_past_several_windows() -> None:
    manager = make_manager()
    manager.submit(make_intent(order_type=OrderType.LIMIT, limit="90"), before(0))
    count = 10000
    highs = np.full(count, 105.0)
    lows = np.full(count, 95.0)
    lows[7777] = 90.0  # an exact touch of the limit
    times = np.arange(count, dtype=np.int64) * 86_400 * 10**9 + 1_704_205_800 * 10**9
    assert manager.first_actionable_index("AAA", highs, highs, lows, times, 0, count) == 7777


def test_pending_bracket_legs_are_inactive() -> None:
    manager = make_manager()
    manager.submit(
        make_intent(order_type=OrderType.LIMIT, limit="50", stop_loss="45", take_profit="99"),
        before(0),
    )
    bars = [make_bar(index, "100", "105", "95", "102") for index in range(5)]
    assert manager.first_actionable_index("AAA", *arrays(bars), 0, 5) == 5
