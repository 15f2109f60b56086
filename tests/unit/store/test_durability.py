"""Group commit on a SQLite ledger: a transaction returns only after a sync of the WAL that
began after its COMMIT; commits waiting together share one sync; the outbox's readers wait for
the pending sync; a failed sync is an error of the transaction, never a silent success."""

from __future__ import annotations

import sqlite3
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest

from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database
from paperdesk.store.durability import WalSync


class GatedSync:
    """A stand-in for fdatasync that records each call and can be held shut."""

    def __init__(self, delay: float = 0.0) -> None:
        self.open = threading.Event()
        self.open.set()
        self.delay = delay
        self.calls = 0
        self.started = threading.Event()
        self.fail = False

    def __call__(self, descriptor: int) -> None:
        self.calls += 1
        self.started.set()
        self.open.wait(10)
        time.sleep(self.delay)
        if self.fail:
            raise OSError(5, "Input/output error")


def ledger(tmp_path: Path, sync: GatedSync) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'ledger.db'}")
    assert database.wal_sync is not None
    database.wal_sync._sync = sync
    return database


def names(tmp_path: Path) -> list[str]:
    """The portfolio names committed in the file, read by a separate plain connection."""
    with sqlite3.connect(tmp_path / "ledger.db") as connection:
        return [row[0] for row in connection.execute("SELECT name FROM portfolios ORDER BY id")]


def test_the_connection_runs_at_normal_and_a_transaction_waits_for_its_sync(
    tmp_path: Path,
) -> None:
    sync = GatedSync()
    database = ledger(tmp_path, sync)
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    service = PortfolioService(database)
    sync.open.clear()
    sync.started.clear()
    done = threading.Event()

    def create() -> None:
        service.create_portfolio("held", Decimal(1000))
        done.set()

    worker = threading.Thread(target=create)
    worker.start()
    assert sync.started.wait(10)  # the COMMIT happened, the sync is running
    assert names(tmp_path) == ["held"]
    time.sleep(0.3)
    assert not done.is_set()  # committed but not yet on disk: the caller is not answered
    sync.open.set()
    worker.join(10)
    assert done.is_set()
    calls = sync.calls
    service.rename_portfolio(1, "again")  # every transaction, one after another, syncs
    assert sync.calls == calls + 1


def test_commits_waiting_together_share_one_sync(tmp_path: Path) -> None:
    sync = GatedSync(delay=0.2)
    database = ledger(tmp_path, sync)
    service = PortfolioService(database)
    before = sync.calls
    threads = [
        threading.Thread(target=service.create_portfolio, args=(f"p{i}", Decimal(100)))
        for i in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(names(tmp_path)) == sorted(f"p{i}" for i in range(8))
    # one sync per commit would be 8 (1.6 s); while one sync runs the others commit and
    # wait for the next, which covers them all
    assert 1 <= sync.calls - before <= 4


def test_a_durable_read_waits_for_the_pending_sync(tmp_path: Path) -> None:
    sync = GatedSync()
    database = ledger(tmp_path, sync)
    service = PortfolioService(database)
    sync.open.clear()
    sync.started.clear()
    writer = threading.Thread(target=service.create_portfolio, args=("p", Decimal(100)))
    writer.start()
    assert sync.started.wait(10)
    read: list[int] = []

    def outbox_read() -> None:
        with database.reading(durable=True) as repository:
            read.append(repository.last_outbox_sequence())

    reader = threading.Thread(target=outbox_read)
    reader.start()
    time.sleep(0.3)
    assert read == []  # the portfolio's event is committed, not yet on disk: not handed on
    with database.reading() as repository:  # a plain read does not wait
        assert repository.last_outbox_sequence() == 1
    sync.open.set()
    reader.join(10)
    writer.join(10)
    assert read == [1]


def test_a_failed_sync_fails_the_transaction(tmp_path: Path) -> None:
    sync = GatedSync()
    database = ledger(tmp_path, sync)
    service = PortfolioService(database)
    told: list[int] = []
    database.after_commit(told.append)
    sync.fail = True
    with pytest.raises(OSError, match="Input/output error"):
        service.create_portfolio("p", Decimal(100))
    assert told == []  # nobody was told of a commit not known to be on disk
    sync.fail = False
    service.create_portfolio("q", Decimal(100))
    assert told == [2]


def test_no_wal_file_means_nothing_is_left_to_sync(tmp_path: Path) -> None:
    calls: list[int] = []
    wal_sync = WalSync(tmp_path / "absent.db", calls.append)
    wal_sync.wait(wal_sync.committed())
    assert calls == []


def test_the_next_order_finds_the_cached_state_while_the_last_one_syncs(tmp_path: Path) -> None:
    from paperdesk.config import RunConfig
    from paperdesk.domain import OrderType, Side
    from paperdesk.live.state_cache import state_cache
    from paperdesk.service.order_requests import OrderRequest

    sync = GatedSync(delay=0.05)
    database = ledger(tmp_path, sync)
    service = PortfolioService(database)
    settings = RunConfig(symbols=("SPY",))
    portfolio = service.create_portfolio("p", Decimal(100000), settings=settings)
    order = OrderRequest("SPY", Side.BUY, Decimal(1), OrderType.LIMIT, limit_price=Decimal(50))
    service.place_order(portfolio, order)  # the first unit restores from the rows
    cache = state_cache(database)
    misses = cache.misses

    def place() -> None:
        for _ in range(3):
            service.place_order(portfolio, order)

    threads = [threading.Thread(target=place) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(service.orders(portfolio)) == 13
    # the state is put back right after each COMMIT, under the write queue, not after the
    # 50 ms sync: every later unit of work starts from it
    assert cache.misses == misses
    assert cache.hits >= 12
