"""``paperdesk order place`` meets the daily loss limit as a tick does (SQLite and
PostgreSQL): after a loss beyond the limit today an entry is one ``error:`` line naming the
rule and the day's start, and writes nothing; an exit of the held position is still placed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from paper_cli_helpers import fails, json_of

from daily_loss_scenario import HELD, LIMIT, FallenPortfolio, money_words, replay_with_a_loss
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database
from table_dump import dump_all_tables


@pytest.fixture
def fallen(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FallenPortfolio]:
    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", database_url)
    database = Database(database_url)
    try:
        yield replay_with_a_loss(PortfolioService(database=database), LIMIT)
    finally:
        database.close()


def test_an_entry_is_refused_and_an_exit_placed_after_a_loss_beyond_the_limit(
    fallen: FallenPortfolio, database_url: str
) -> None:
    portfolio = str(fallen.portfolio_id)
    before = dump_all_tables(database_url)
    line = fails("order", "place", portfolio, "SPY", "buy", "1")
    assert f"below the day's start {money_words(fallen.day_start)}" in line
    assert f"the daily loss limit is {LIMIT}%" in line
    assert dump_all_tables(database_url) == before
    placed = json_of("order", "place", portfolio, "SPY", "sell", str(HELD))
    (order,) = placed["orders"]
    assert (order["side"], order["role"], order["status"]) == ("sell", "exit", "accepted")
