"""What a tick keeps between ticks of one process (``paperdesk.live.tick_memory``): the cursor,
the strategies ticked on its bar and the last accepted signal, used only while the portfolio's
revision says nobody else ticked it since.

Two containers on one ledger (each its own ``Database``, as two processes) take turns at full
and limited ticks (limited ticks leave late strategies; the cooldown counts from the last
accepted signal): the ledger they write is the one a single container writes when it reads
those facts from the rows before every tick. A container's tick after its own reads none of
them; after the other container's tick it reads them again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import event

from ledger_support import check_ledger, spy_slice
from paperdesk.config import RiskConfig, RunConfig, SizingConfig, SourceConfig, StrategySpec
from paperdesk.live.tick_memory import tick_memory
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database

# (container, strategies) per tick: None runs all; a limited tick leaves the other strategy
# to a late tick of the same bar, or to be recorded as skipped when the next bar comes
TURNS: tuple[tuple[int, tuple[str, ...] | None], ...] = (
    (0, None),
    (0, None),
    (1, ("sma-cross",)),
    (1, None),
    (0, ("macd-cross",)),
    (1, ("sma-cross",)),
    (0, None),
    (0, ("sma-cross",)),
    (0, ("macd-cross",)),
    (1, None),
    (1, None),
    (0, ("sma-cross",)),
    (1, ("sma-cross",)),
)


def _settings(tmp_path: Path) -> RunConfig:
    """Fast crosses on real SPY bars, with a cooldown counted from the last accepted signal."""
    path = spy_slice(tmp_path, "2019-01-02", 200)
    return RunConfig(
        strategies=(
            StrategySpec("sma-cross", {"fast": 2, "slow": 4}),
            StrategySpec("macd-cross", {"fast": 3, "slow": 6, "signal": 2}),
        ),
        symbols=("SPY",),
        source=SourceConfig("replay", files={"SPY": str(path)}, replay_from=date(2019, 2, 1)),
        sizing=SizingConfig(percent=Decimal(20)),
        risk=RiskConfig(allow_short=True, exposure_cap_percent=None, cooldown_bars=3),
    )


def _ledger(service: PortfolioService, pid: int) -> dict[str, Any]:
    """What the ticks wrote, without the wall-clock times of their recording."""
    return {
        "ticks": [(t.strategy, t.ts_bar, t.outcome, t.summary) for t in service.tick_runs(pid)],
        "signals": [
            (s.strategy, s.ts_bar, s.direction, s.reason, s.status, s.rejection)
            for s in service.signals(pid)
        ],
        "orders": service.orders(pid),
        "fills": service.fills(pid),
        "positions": service.show(pid).positions,
    }


def test_containers_taking_turns_write_what_reading_the_rows_every_tick_writes(
    database_url: str, tmp_path: Path
) -> None:
    first, second = Database(database_url), Database(database_url)
    reference_folder = tmp_path / "reference"
    reference_folder.mkdir()
    reference = Database(f"sqlite:///{reference_folder / 'reference.db'}")
    try:
        services = PortfolioService(first), PortfolioService(second)
        alone = PortfolioService(reference)
        settings = _settings(tmp_path)
        pid = services[0].create_portfolio("turns", Decimal(50000), settings=settings)
        alone_pid = alone.create_portfolio("turns", Decimal(50000), settings=settings)
        for _ in range(3):
            for turn, strategies in TURNS:
                services[turn].tick(pid, "SPY", strategies=strategies, catch_up=False)
                tick_memory(reference).clear()  # the reference reads the facts every tick
                alone.tick(alone_pid, "SPY", strategies=strategies, catch_up=False)
        assert _ledger(services[0], pid) == _ledger(alone, alone_pid)
        ledger = _ledger(services[0], pid)
        assert any(outcome == "skipped" for _, _, outcome, _ in ledger["ticks"])
        assert any(status == "rejected" for *_, status, _ in ledger["signals"])
        assert ledger["fills"]
        for database in (first, second):
            memory = tick_memory(database)
            assert memory.hits > 0, "each container ticked after its own tick"
            assert memory.misses > 0, "each container ticked after the other one's"
        check_ledger(first, pid)
    finally:
        for database in (first, second, reference):
            database.close()


@contextmanager
def _statements(database: Database) -> Iterator[list[str]]:
    sent: list[str] = []

    def count(*arguments: Any) -> None:
        sent.append(" ".join(str(arguments[2]).split()))

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(database.engine, "before_cursor_execute", count)


def _reads_tick_facts(statements: list[str]) -> bool:
    reads = [s for s in statements if s.startswith("SELECT")]
    return any(
        f"FROM {table} " in s or s.endswith(f"FROM {table}")
        for s in reads
        for table in ("market_cursors", "tick_runs", "signals")
    )


def test_a_tick_after_its_own_reads_no_tick_facts(database: Database, tmp_path: Path) -> None:
    other = Database(database.url)
    try:
        mine, theirs = PortfolioService(database), PortfolioService(other)
        pid = mine.create_portfolio("reads", Decimal(50000), settings=_settings(tmp_path))
        mine.tick(pid, "SPY")
        with _statements(database) as sent:
            (tick,) = mine.tick(pid, "SPY", catch_up=False)
        assert tick.processed
        assert not _reads_tick_facts(sent), sent
        # the one read before the lock names the cursor's table in a join, nothing else does
        assert sum("market_cursors" in s for s in sent if s.startswith("SELECT")) == 1
        writes = [s for s in sent if s.startswith(("INSERT", "UPDATE", "WITH"))]
        # the cursor is written once (on PostgreSQL by the statement that also inserts the
        # tick's audit entry and snapshot, store/tick_rows.py)
        assert sum("market_cursors" in s for s in writes) == 1
        assert sum(s.startswith("UPDATE market_cursors") for s in writes) == (
            database.dialect == "sqlite"
        )
        assert sum(s.startswith("INSERT INTO tick_runs") for s in writes) == 1

        theirs.tick(pid, "SPY", catch_up=False)
        misses = tick_memory(database).misses
        with _statements(database) as sent:
            (tick,) = mine.tick(pid, "SPY", catch_up=False)
        assert tick.processed
        assert tick_memory(database).misses == misses + 1
        assert _reads_tick_facts(sent), "the other container ticked: the facts are read"
        served = [t.ts_bar for t in mine.tick_runs(pid) if t.strategy == "sma-cross"]
        assert len(served) == len(set(served)) == 4, "each tick served the next bar, once"
    finally:
        other.close()


def test_a_dry_run_neither_uses_nor_keeps_the_facts(database: Database, tmp_path: Path) -> None:
    service = PortfolioService(database)
    pid = service.create_portfolio("dry", Decimal(50000), settings=_settings(tmp_path))
    memory = tick_memory(database)
    (dry,) = service.tick(pid, "SPY", dry_run=True)
    assert dry.processed
    assert len(memory) == 0
    service.tick(pid, "SPY")
    kept = len(memory)
    hits, misses = memory.hits, memory.misses
    service.tick(pid, "SPY", dry_run=True)
    assert (memory.hits, memory.misses, len(memory)) == (hits, misses, kept)
