"""The per-process cache of restored portfolios (``paperdesk.live.state_cache``): what it
holds is always what a restore from the rows gives, whoever wrote the ledger last.

Two service containers on one ledger (each its own ``Database``: its own connections and its
own cache, as two processes have) take turns at ticks, orders, changes and cancels; after every
step, the state each cache holds equals a fresh restore from the database, and a container
whose cached state the other one made stale restores instead of using it. A unit of work that
rolls back leaves no state in the cache.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from ledger_support import check_ledger, dump, restored_from_rows, spy_slice, unit_start
from paperdesk.config import (
    ExecutionConfig,
    RiskConfig,
    RunConfig,
    SizingConfig,
    SourceConfig,
    StrategySpec,
)
from paperdesk.domain import InvalidInputError, OrderType, PaperdeskError, Side
from paperdesk.live.restore import RestoredPortfolio
from paperdesk.live.state_cache import state_cache
from paperdesk.service.portfolios import OrderRequest, PortfolioService
from paperdesk.store import Database
from paperdesk.store.models import PortfolioRow, PositionRow


def _settings(tmp_path: Path) -> RunConfig:
    """A replay that trades often (fast crosses, shorts, a percentage fee) on real SPY bars."""
    path = spy_slice(tmp_path, "2019-01-02", 250)
    return RunConfig(
        strategies=(
            StrategySpec("sma-cross", {"fast": 2, "slow": 5}),
            StrategySpec("macd-cross", {"fast": 3, "slow": 8, "signal": 3, "stop_atr": 1.0}),
        ),
        symbols=("SPY",),
        source=SourceConfig("replay", files={"SPY": str(path)}, replay_from=date(2019, 2, 1)),
        sizing=SizingConfig(percent=Decimal(30)),
        risk=RiskConfig(allow_short=True, exposure_cap_percent=None),
        execution=ExecutionConfig(commission="percent:0.1"),
    )


def _state(state: RestoredPortfolio) -> dict[str, Any]:
    """Everything a unit of work starts from."""
    return {**unit_start(state), "settings": state.settings}


def _assert_cache_is_the_database(database: Database, portfolio_id: int) -> None:
    entry = state_cache(database).peek(portfolio_id)
    if entry is None:
        return
    revision, cached = entry
    fresh = restored_from_rows(database, portfolio_id)
    if revision != fresh.record.revision:
        return  # stale: a unit of work will see the revision differ and restore
    assert _state(cached) == _state(fresh)


Step = Callable[[PortfolioService, int], object]


def _tick(service: PortfolioService, pid: int) -> object:
    return service.tick(pid, "SPY")


def _limit_buy(service: PortfolioService, pid: int) -> object:
    price = service.show(pid).positions[0].last_price if service.show(pid).positions else None
    limit = (price or Decimal(300)) * Decimal("0.97")
    return service.place_order(
        pid,
        OrderRequest(
            "SPY",
            Side.BUY,
            Decimal(2),
            OrderType.LIMIT,
            limit_price=limit.quantize(Decimal("0.01")),
            stop_loss=(limit * Decimal("0.95")).quantize(Decimal("0.01")),
            take_profit=(limit * Decimal("1.05")).quantize(Decimal("0.01")),
        ),
    )


def _market_sell(service: PortfolioService, pid: int) -> object:
    return service.place_order(pid, OrderRequest("SPY", Side.SELL, Decimal(1)))


def _cancel_oldest(service: PortfolioService, pid: int) -> object:
    working = [o for o in service.show(pid).open_orders if o.parent_id is None]
    if working:
        return service.cancel_order(pid, working[0].order_id)
    return None


def _modify_newest(service: PortfolioService, pid: int) -> object:
    working = [o for o in service.show(pid).open_orders if o.order_type is OrderType.LIMIT]
    if working and working[-1].parent_id is None:
        order = working[-1]
        return service.modify_order(pid, order.order_id, quantity=order.quantity + 1)
    return None


def _mark(service: PortfolioService, pid: int) -> object:
    return service.mark_to_market(pid)


STEPS: tuple[Step, ...] = (
    _tick,
    _limit_buy,
    _tick,
    _market_sell,
    _tick,
    _modify_newest,
    _tick,
    _cancel_oldest,
    _mark,
    _tick,
)


def test_two_containers_taking_turns_keep_caches_equal_to_a_fresh_restore(
    database_url: str, tmp_path: Path
) -> None:
    first, second = Database(database_url), Database(database_url)
    try:
        services = PortfolioService(first), PortfolioService(second)
        pid = services[0].create_portfolio("shared", Decimal(50000), settings=_settings(tmp_path))
        caches = state_cache(first), state_cache(second)
        assert caches[0] is not caches[1]
        refused = 0
        for round_number in range(4):
            for number, step in enumerate(STEPS):
                # alternate containers, and let each also act twice in a row (cache hits)
                turn = (number + round_number) % 2 if number % 3 else round_number % 2
                try:
                    step(services[turn], pid)
                except PaperdeskError:
                    refused += 1  # refused orders roll back: part of the turns too
                for database in (first, second):
                    _assert_cache_is_the_database(database, pid)
        for cache in caches:
            assert cache.hits > 0, "each container started some units from its cache"
            assert cache.misses > 0, "each container found its state stale after the other wrote"
        check_ledger(first, pid)
        # the cached states take part in what happened: fills and orders on both sides
        assert services[0].fills(pid)
        assert len(services[1].orders(pid)) > 3
    finally:
        first.close()
        second.close()


def test_a_stale_cached_state_is_not_used(database: Database, tmp_path: Path) -> None:
    """The other container's order bumps the revision: this one restores from the rows."""
    other = Database(database.url)
    try:
        mine, theirs = PortfolioService(database), PortfolioService(other)
        pid = mine.create_portfolio("stale", Decimal(50000), settings=_settings(tmp_path))
        for _ in range(3):
            mine.tick(pid, "SPY")
        cache = state_cache(database)
        revision, _ = cache.peek(pid) or (None, None)
        assert revision is not None
        theirs.place_order(pid, OrderRequest("SPY", Side.BUY, Decimal(3)))
        misses = cache.misses
        (placed,) = mine.place_order(pid, OrderRequest("SPY", Side.BUY, Decimal(1)))
        assert cache.misses == misses + 1
        # this container's kernel knew nothing of the other's order, yet numbers after it
        assert [o.order_id for o in mine.orders(pid)][-2:] == [
            mine.orders(pid)[-2].order_id,
            placed.order_id,
        ]
        assert len({o.order_id for o in mine.orders(pid)}) == len(mine.orders(pid))
        _assert_cache_is_the_database(database, pid)
    finally:
        other.close()


def test_a_rolled_back_unit_of_work_leaves_no_state_in_the_cache(
    database: Database, tmp_path: Path
) -> None:
    service = PortfolioService(database)
    pid = service.create_portfolio("rolled back", Decimal(1000), settings=_settings(tmp_path))
    service.tick(pid, "SPY")
    service.place_order(pid, OrderRequest("SPY", Side.BUY, Decimal(1), client_order_id="once"))
    cache = state_cache(database)
    assert cache.peek(pid) is not None
    before = dump(database)

    # refused after the kernel accepted it in memory: the unique client id is in the book
    with pytest.raises(InvalidInputError):
        service.place_order(pid, OrderRequest("SPY", Side.BUY, Decimal(1), client_order_id="once"))
    assert dump(database) == before
    assert cache.peek(pid) is None, "a unit that rolled back put nothing back"

    # a failure inside a tick's transaction, after the kernel traded the bar
    def fail(stage: str) -> None:
        if stage == "before-commit":
            raise RuntimeError("crash before the commit")

    service.tick(pid, "SPY")  # restores from the rows (nothing cached), then caches
    assert cache.peek(pid) is not None
    before = dump(database)
    service.runner.failpoint = fail
    with pytest.raises(RuntimeError):
        service.tick(pid, "SPY")
    assert dump(database) == before
    assert cache.peek(pid) is None
    service.runner.failpoint = lambda stage: None
    service.tick(pid, "SPY")
    _assert_cache_is_the_database(database, pid)
    assert cache.peek(pid) is not None
    check_ledger(database, pid)


def test_a_dry_run_does_not_touch_the_cache(database: Database, tmp_path: Path) -> None:
    service = PortfolioService(database)
    pid = service.create_portfolio("dry", Decimal(10000), settings=_settings(tmp_path))
    service.tick(pid, "SPY")
    cache = state_cache(database)
    entry = cache.peek(pid)
    assert entry is not None
    service.tick(pid, "SPY", dry_run=True)
    assert cache.peek(pid) is entry


def test_the_database_bumps_the_revision_for_what_a_restore_reads_only(
    database: Database, tmp_path: Path
) -> None:
    service = PortfolioService(database)
    pid = service.create_portfolio("revisions", Decimal(10000), settings=_settings(tmp_path))

    def revision() -> int:
        with database.engine.connect() as connection:
            statement = select(PortfolioRow.revision).where(PortfolioRow.id == pid)
            return int(connection.execute(statement).scalar_one())

    service.tick(pid, "SPY")  # a replay's orders are timed by its first bar
    start = revision()
    service.place_order(pid, OrderRequest("SPY", Side.BUY, Decimal(1)))
    after_order = revision()
    assert after_order > start
    with database.transaction() as repository:  # an audit entry: not read by a restore
        repository.writer.audit(pid, "note", "a note", *(2 * [service.clock.now()]))
    assert revision() == after_order
    with database.engine.begin() as connection:  # a change by hand to what is not restored
        connection.execute(update(PortfolioRow).where(PortfolioRow.id == pid).values(name="x"))
    assert revision() == after_order, "the name is not restored"
    for _ in range(40):
        service.tick(pid, "SPY")
        if service.show(pid).positions:
            break
    held = revision()
    with database.engine.begin() as connection:  # a change by hand to a position row
        connection.execute(
            update(PositionRow)
            .where(PositionRow.portfolio_id == pid)
            .values(opened_bar_index=PositionRow.opened_bar_index + 1)
        )
    assert revision() > held


def test_a_state_holding_a_triggered_stop_limit_is_not_kept(
    database: Database, tmp_path: Path
) -> None:
    """A stop-limit whose stop the bar touched without reaching its limit changes in memory
    only (no event writes its row): the cache must not keep that state, or this process would
    fill it as a plain limit where a restore from the rows (another process) would not."""
    service = PortfolioService(database)
    pid = service.create_portfolio("stop-limit", Decimal(50000), settings=_settings(tmp_path))
    for _ in range(3):
        service.tick(pid, "SPY")
    cache = state_cache(database)
    assert cache.peek(pid) is not None  # an ordinary tick leaves its state in the cache
    close = restored_from_rows(database, pid).kernel.last_price("SPY")
    assert close is not None
    (order,) = [
        o
        for o in service.place_order(
            pid,
            OrderRequest(
                "SPY",
                Side.BUY,
                Decimal(1),
                OrderType.STOP_LIMIT,
                stop_price=(close * Decimal("0.98")).quantize(Decimal("0.01")),  # touched
                limit_price=(close * Decimal("0.80")).quantize(Decimal("0.01")),  # not reached
            ),
        )
        if o.order_type is OrderType.STOP_LIMIT
    ]
    service.tick(pid, "SPY")
    (working,) = [
        o
        for o in restored_from_rows(database, pid).kernel.open_orders()
        if o.order_id == order.order_id
    ]
    assert cache.peek(pid) is None
    assert working.order_id == order.order_id
