"""The live runner: exactly-once ticks, dry runs, neutral ticks, catch-up, late strategies and
the replay source."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd

from ledger_support import after_close, check_ledger, dump, position_of, spy_history, spy_slice
from paperdesk.config import ExecutionConfig, RunConfig, SourceConfig, StrategySpec
from paperdesk.domain import OrderRole, OrderStatus, Side
from paperdesk.live import FixedClock, TickStatus
from paperdesk.service.portfolios import OrderRequest, PortfolioService
from paperdesk.store import Database

MACD = (StrategySpec("macd-cross"),)
BOTH = (StrategySpec("macd-cross"), StrategySpec("sma-cross"))
HISTORY = spy_history()
LateRun = tuple[
    list[tuple[datetime, Side, Decimal, Decimal]],
    list[tuple[str, str, OrderStatus, Decimal]],
    list[tuple[str, int, str]],
    list[tuple[str, datetime]],
]


def _service(database: Database, label: str) -> tuple[PortfolioService, FixedClock]:
    clock = FixedClock(after_close(HISTORY, label))
    return PortfolioService(database, clock=clock), clock


def _portfolio(service: PortfolioService, **settings: object) -> int:
    chosen = RunConfig(symbols=("SPY",), **settings)  # type: ignore[arg-type]
    return service.create_portfolio("runner test", Decimal(10000), settings=chosen)


def test_a_repeated_tick_trades_once_and_changes_nothing(database: Database) -> None:
    # macd-cross buys on the 2020-01-02 bar; the order fills at the 2020-01-03 open.
    service, clock = _service(database, "2019-12-31")
    pid = _portfolio(service, strategies=MACD)
    assert [t.status for t in service.tick(pid, "SPY")] == [TickStatus.PROCESSED]
    clock.set(after_close(HISTORY, "2020-01-03"))
    first = service.tick(pid, "SPY")
    assert [t.ts_bar.date() for t in first if t.ts_bar] == [
        date(2020, 1, 2),
        date(2020, 1, 3),
    ]
    assert [len(t.fills) for t in first] == [0, 1]
    before = dump(database)

    again = service.tick(pid, "SPY")

    assert [t.status for t in again] == [TickStatus.ALREADY_PROCESSED]
    assert "already processed" in again[0].message
    assert again[0].fills == ()
    assert dump(database) == before
    assert len(service.fills(pid)) == 1
    check_ledger(database, pid)


def test_a_dry_run_writes_nothing_and_shows_what_the_live_tick_does(database: Database) -> None:
    service, clock = _service(database, "2019-12-31")
    pid = _portfolio(service, strategies=MACD)
    service.tick(pid, "SPY")
    clock.set(after_close(HISTORY, "2020-01-02"))
    before = dump(database)

    dry = service.tick(pid, "SPY", dry_run=True)

    assert dump(database) == before
    assert len(dry) == 1
    assert dry[0].dry_run
    assert dry[0].message.startswith("DRY RUN (nothing written)")
    assert [o.side for o in dry[0].orders] == [Side.BUY]
    live = service.tick(pid, "SPY")
    assert [s.direction for s in live[0].signals] == [s.direction for s in dry[0].signals] == [1]
    assert [(o.order_id, o.quantity) for o in live[0].orders] == [
        (o.order_id, o.quantity) for o in dry[0].orders
    ]


def test_a_tick_without_a_signal_records_a_neutral_run_and_a_snapshot(database: Database) -> None:
    service, _ = _service(database, "2020-01-06")  # no macd-cross signal on this bar
    pid = _portfolio(service, strategies=MACD)

    (tick,) = service.tick(pid, "SPY")

    assert tick.status is TickStatus.PROCESSED
    assert tick.signals == ()
    assert tick.orders == ()
    assert tick.fills == ()
    (run,) = service.tick_runs(pid)
    assert (run.strategy, run.ts_bar.date(), run.outcome) == (
        "macd-cross",
        date(2020, 1, 6),
        "neutral",
    )
    (snapshot,) = service.equity_curve(pid)
    assert snapshot.equity == snapshot.cash == Decimal(10000)
    assert snapshot.ts == tick.ts_bar_close
    assert service.signals(pid) == []


def test_catch_up_processes_every_missed_candle_and_stops_see_every_bar(
    database: Database,
) -> None:
    # No macd-cross signal between 2019-03-01 and 2019-03-12: only the manual order trades.
    service, clock = _service(database, "2019-03-01")
    pid = _portfolio(service, strategies=MACD)
    service.tick(pid, "SPY")
    entry, hit, last = (position_of(HISTORY, d) for d in ("2019-03-04", "2019-03-07", "2019-03-12"))
    stop = Decimal("275.50")  # under every low from the entry bar on, until 2019-03-07
    lows = [Decimal(str(low)) for low in HISTORY["low"].iloc[entry : hit + 1]]
    assert min(lows[:-1]) > stop >= lows[-1]
    service.place_order(pid, OrderRequest("SPY", Side.BUY, Decimal(10), stop_loss=stop))
    clock.set(after_close(HISTORY, "2019-03-12"))

    ticks = service.tick(pid, "SPY")

    expected = list(HISTORY.index[entry : last + 1])
    assert [pd.Timestamp(t.ts_bar) for t in ticks if t.ts_bar] == expected
    assert [t.behind for t in ticks] == list(range(len(expected) - 1, -1, -1))
    runs = service.tick_runs(pid)[1:]
    assert [pd.Timestamp(r.ts_bar) for r in runs] == expected
    buy, sell = service.fills(pid)
    assert pd.Timestamp(buy.ts) == HISTORY.index[entry]
    assert pd.Timestamp(sell.ts) == HISTORY.index[hit]
    assert sell.price <= stop
    stop_order = next(o for o in service.orders(pid) if o.role is OrderRole.STOP_LOSS)
    assert stop_order.status is OrderStatus.FILLED
    assert service.show(pid).positions == ()
    check_ledger(database, pid)


def _late_strategy_run(database: Database, separately: bool) -> LateRun:
    service, clock = _service(database, "2020-02-10")
    execution = ExecutionConfig(volume_cap=Decimal("0.0000001"))  # a few SPY shares a bar
    pid = _portfolio(service, strategies=BOTH, execution=execution)
    service.tick(pid, "SPY")
    service.place_order(pid, OrderRequest("SPY", Side.BUY, Decimal(20)))
    clock.set(after_close(HISTORY, "2020-02-11"))  # sma-cross buys on the 2020-02-11 bar
    if separately:
        service.tick(pid, "SPY", strategies=["macd-cross"])
        late = service.tick(pid, "SPY", strategies=["sma-cross"])
        assert [t.status for t in late] == [TickStatus.PROCESSED]
        assert late[-1].strategies == ("sma-cross",)
        assert late[-1].fills == ()
        assert "orders already matched" in late[-1].message
        repeat = service.tick(pid, "SPY", strategies=["sma-cross"])
        assert [t.status for t in repeat] == [TickStatus.ALREADY_PROCESSED]
    else:
        service.tick(pid, "SPY")
    clock.set(after_close(HISTORY, "2020-02-12"))
    service.tick(pid, "SPY")
    check_ledger(database, pid)
    fills = [(f.ts, f.side, f.quantity, f.price) for f in service.fills(pid)]
    orders = [(o.order_id, o.strategy, o.status, o.filled_quantity) for o in service.orders(pid)]
    signals = [(s.strategy, s.direction, s.status) for s in service.signals(pid)]
    runs = sorted((r.strategy, r.ts_bar) for r in service.tick_runs(pid))
    return fills, orders, signals, runs


def test_a_second_strategy_ticking_later_routes_without_rematching(database: Database) -> None:
    together = _late_strategy_run(database, separately=False)
    separately = _late_strategy_run(database, separately=True)
    assert separately == together
    fills, _, signals, _ = together
    # the manual order fills a capped part on each bar, once per bar
    assert [pd.Timestamp(f[0]).date() for f in fills] == [date(2020, 2, 11), date(2020, 2, 12)]
    assert all(Decimal(0) < f[2] < Decimal(20) for f in fills)
    assert ("sma-cross", 1) in [s[:2] for s in signals]


def test_replay_serves_one_candle_per_tick_until_the_data_ends(
    database: Database, tmp_path: Path
) -> None:
    path = spy_slice(tmp_path, "2019-11-01", 45)
    source = SourceConfig("replay", files={"SPY": str(path)}, replay_from=date(2019, 12, 27))
    service = PortfolioService(database)
    pid = _portfolio(service, strategies=MACD, source=source)
    frame = service.source.history("SPY", "1d", source)
    first = position_of(frame, "2019-12-27")
    seen = []
    for _ in range(len(frame) - first):
        ticks = service.tick(pid, "SPY")
        assert [t.status for t in ticks] == [TickStatus.PROCESSED]
        assert ticks[0].ts_bar is not None
        seen.append(pd.Timestamp(ticks[0].ts_bar))
    assert seen == list(frame.index[first:])
    before = dump(database)
    (done,) = service.tick(pid, "SPY")
    assert done.status is TickStatus.REPLAY_FINISHED
    served = len(frame) - first  # the bars before replay_from were history, never served
    assert f"served all {served} of its bars" in done.message
    assert dump(database) == before
    check_ledger(database, pid)
