"""The tick's own writes in the ledger writer: a cursor saved is one UPDATE (an INSERT the first
time) that bumps the portfolio's revision even when nothing in the row changes (what lets a
process keep a tick's facts by revision, ``paperdesk.live.tick_memory``), and a tick's records
are inserted together, the first one's id returned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from ledger_support import bare_portfolio
from paperdesk.config import RunConfig
from paperdesk.store import Database, TickRun

CREATED = datetime(2024, 1, 2, tzinfo=UTC)


def _revision(database: Database, portfolio_id: int) -> int:
    with database.reading() as repository:
        return repository.portfolio(portfolio_id).revision


def test_every_saved_cursor_bumps_the_revision_even_unchanged(database: Database) -> None:
    pid = bare_portfolio(
        database, datetime(2024, 1, 2, tzinfo=UTC), "cursor", RunConfig().to_json()
    )
    opened = datetime(2024, 1, 2, 14, 30, tzinfo=UTC)
    closed = opened + timedelta(hours=1)
    revisions = [_revision(database, pid)]
    for bar, price in (
        ((opened, closed, 7), Decimal("101.25")),  # the first save inserts the row
        ((opened, closed, 7), Decimal("101.25")),  # the same values again
        (None, Decimal("101.50")),  # a late tick: the mark alone
    ):
        with database.transaction() as repository:
            repository.writer.save_cursor(
                pid, "SPY", "1h", last_price=price, bar=bar, replay_index=None
            )
        revisions.append(_revision(database, pid))
    assert revisions == sorted(set(revisions)), f"each save bumps the revision: {revisions}"
    with database.reading() as repository:
        cursor = repository.cursor(pid, "SPY")
    assert cursor is not None
    assert (cursor.ts_bar, cursor.ts_bar_close, cursor.bar_index) == (opened, closed, 7)
    assert (cursor.timeframe, cursor.last_price, cursor.replay_index) == (
        "1h",
        Decimal("101.50"),
        None,
    )


def test_a_ticks_records_are_written_together_and_the_first_id_returned(
    database: Database,
) -> None:
    pid = bare_portfolio(
        database, datetime(2024, 1, 2, tzinfo=UTC), "cursor", RunConfig().to_json()
    )
    opened = datetime(2024, 1, 2, 14, 30, tzinfo=UTC)
    runs = [
        TickRun(name, "SPY", "1h", opened, opened + timedelta(hours=1), "neutral", "none")
        for name in ("macd-cross", "tsi-momentum", "rsi-divergence")
    ]
    recorded = datetime(2024, 1, 2, 16, tzinfo=UTC)
    with database.transaction() as repository:
        first = repository.writer.record_ticks(pid, runs, recorded)
    with database.reading() as repository:
        stored = repository.tick_runs(pid)
    assert [view.strategy for view in stored] == [run.strategy for run in runs]
    assert stored[0].id == first
    assert [view.id for view in stored] == list(range(first, first + 3))
