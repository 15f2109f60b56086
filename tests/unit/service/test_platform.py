"""``paperdesk up``'s demo: one portfolio and one key, made once; a restart resumes the paced
replay at the next bar instead of trading every bar that fell due while it was stopped."""

from __future__ import annotations

import stat
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from paperdesk.data import find_bundled, load_bars
from paperdesk.data.clock import SimulatedClock
from paperdesk.domain.errors import OptionError
from paperdesk.domain.ticks import TickStatus
from paperdesk.service.api_keys import ApiKeyService
from paperdesk.service.container import Services
from paperdesk.service.platform import (
    KEY_FILE,
    PLATFORM_PORTFOLIO_NAME,
    PlatformDemo,
    ensure_demo_key,
    ensure_platform_portfolio,
    prepare_demo,
    replay_interval_option,
)
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database

TWO_SECONDS = Decimal("2")
START = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def _bundled_from_2019(symbol: str, count: int) -> list[pd.Timestamp]:
    """The first ``count`` bundled daily bars on or after the demo's first day, read from the
    CSV itself (not through the runner)."""
    bars = load_bars(find_bundled(symbol, "1d"), symbol=symbol, timeframe="1d")
    return list(bars.index[bars.index >= pd.Timestamp("2019-01-02", tz="UTC")][:count])


def _ticked_bars(service: PortfolioService, portfolio_id: int, symbol: str) -> list[pd.Timestamp]:
    """Each bar the ledger's tick records hold for ``symbol``, once, in order."""
    runs = service.tick_runs(portfolio_id)
    return sorted({pd.Timestamp(run.ts_bar) for run in runs if run.symbol == symbol})


def _tick_all(service: PortfolioService, portfolio_id: int) -> int:
    """Tick both symbols as the worker does (every due bar); the bars processed."""
    processed = 0
    for symbol in ("SPY", "AAPL"):
        ticks = service.tick(portfolio_id, symbol)
        processed += sum(1 for tick in ticks if tick.status is TickStatus.PROCESSED)
    return processed


def test_the_portfolio_is_made_once_and_a_restart_resumes_at_the_next_bar(
    database: Database,
) -> None:
    clock = SimulatedClock(START)
    service = PortfolioService(database, clock=clock)
    first = ensure_platform_portfolio(service, TWO_SECONDS)
    assert (first.created, first.served) == (True, 0)
    clock.advance(3 * 2)  # three whole intervals: bars 0..3 of the replay are due
    assert _tick_all(service, first.portfolio_id) == 2 * 4
    clock.advance(timedelta(hours=1))  # stopped for an hour: 1,800 more bars would be due

    again = ensure_platform_portfolio(service, TWO_SECONDS)
    assert (again.portfolio_id, again.created, again.served) == (first.portfolio_id, False, 4)
    assert again.remaining == first.remaining - 4
    named = [s for s in service.list_portfolios() if s.name == PLATFORM_PORTFOLIO_NAME]
    assert len(named) == 1  # no duplicate
    assert _tick_all(service, first.portfolio_id) == 2  # the next bar of each symbol, no burst
    assert _tick_all(service, first.portfolio_id) == 0  # the one after is due in 2 s
    clock.advance(2)
    assert _tick_all(service, first.portfolio_id) == 2
    for symbol in ("SPY", "AAPL"):  # consecutive bars from 2019-01-02, none skipped or twice
        assert _ticked_bars(service, first.portfolio_id, symbol) == _bundled_from_2019(symbol, 6)
    edits = [e for e in service.audit(first.portfolio_id) if e.kind == "portfolio.edited"]
    assert len(edits) == 1  # the resumed replay clock is recorded like any settings change
    summary = service.show(first.portfolio_id).summary
    assert summary.equity == summary.cash + summary.positions_value


def test_a_restart_with_another_interval_paces_the_replay_by_it(database: Database) -> None:
    clock = SimulatedClock(START)
    service = PortfolioService(database, clock=clock)
    portfolio = ensure_platform_portfolio(service, TWO_SECONDS)
    ensure_platform_portfolio(service, Decimal("60"))
    source = service.settings(portfolio.portfolio_id).source
    assert source.replay_interval == Decimal("60")
    assert source.replay_started_at == START  # nothing served yet: the first bar is due now
    assert _tick_all(service, portfolio.portfolio_id) == 2
    clock.advance(59)
    assert _tick_all(service, portfolio.portfolio_id) == 0
    clock.advance(1)
    assert _tick_all(service, portfolio.portfolio_id) == 2


def test_an_archived_demo_portfolio_is_left_alone_and_a_new_one_made(database: Database) -> None:
    service = PortfolioService(database, clock=SimulatedClock(START))
    old = ensure_platform_portfolio(service, TWO_SECONDS)
    service.archive_portfolio(old.portfolio_id)  # no position yet: it may be archived
    new = ensure_platform_portfolio(service, TWO_SECONDS)
    assert new.created
    assert new.portfolio_id != old.portfolio_id
    assert service.status(old.portfolio_id) == "archived"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_demo_key_is_created_once_kept_owner_only_and_reused(
    database: Database, tmp_path: Path
) -> None:
    keys = ApiKeyService(database)
    path = tmp_path / KEY_FILE
    first = ensure_demo_key(keys, path)
    assert first.created
    assert path.read_text(encoding="utf-8").strip() == first.token
    assert _mode(path) == 0o600
    record = keys.authenticate(first.token)  # stored hashed: found by the token's hash only
    assert record is not None
    assert (record.id, str(record.scope)) == (first.key_id, "trade")
    again = ensure_demo_key(keys, path)
    assert (again.created, again.key_id, again.token) == (False, first.key_id, first.token)
    assert len(keys.list_keys()) == 1


def test_a_revoked_or_unknown_demo_key_is_replaced(database: Database, tmp_path: Path) -> None:
    keys = ApiKeyService(database)
    path = tmp_path / KEY_FILE
    first = ensure_demo_key(keys, path)
    keys.revoke(first.key_id)
    second = ensure_demo_key(keys, path)
    assert second.created
    assert second.token != first.token
    assert path.read_text(encoding="utf-8").strip() == second.token
    path.write_text("pd_not-a-key-of-this-ledger\n", encoding="utf-8")
    path.chmod(0o644)
    third = ensure_demo_key(keys, path)
    assert third.created
    assert third.token not in (first.token, second.token)
    assert _mode(path) == 0o600
    assert len(keys.list_keys()) == 3


def test_a_loosened_key_file_is_made_owner_only_again(database: Database, tmp_path: Path) -> None:
    keys = ApiKeyService(database)
    path = tmp_path / KEY_FILE
    first = ensure_demo_key(keys, path)
    path.chmod(0o644)
    assert ensure_demo_key(keys, path).token == first.token
    assert _mode(path) == 0o600


@pytest.mark.parametrize(
    ("text", "seconds"), [("2s", Decimal("2")), ("0.5s", Decimal("0.5")), ("1m", Decimal("60"))]
)
def test_replay_interval_option_reads_durations(text: str, seconds: Decimal) -> None:
    assert replay_interval_option(text) == seconds


@pytest.mark.parametrize("text", ["manual", "0s", "-1s", "soon"])
def test_replay_interval_option_refuses_what_would_not_pace_the_replay(text: str) -> None:
    with pytest.raises(OptionError, match="--replay-interval"):
        replay_interval_option(text)


def test_two_starts_at_once_make_one_portfolio_and_one_key(
    tmp_path: Path, clean_environment: pytest.MonkeyPatch
) -> None:
    """Each start has its own container, as two processes would; the home's file lock lets
    one make the portfolio and the key and the other find them."""
    clean_environment.setenv("PAPERDESK_HOME", str(tmp_path))
    Services().database.close()  # migrate first: both starts then race for the demo only
    barrier = threading.Barrier(2)
    results: list[PlatformDemo] = []
    errors: list[BaseException] = []

    def start() -> None:
        container = Services()
        try:
            barrier.wait(timeout=60)
            results.append(prepare_demo(container, TWO_SECONDS))
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            container.close()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    assert len({demo.portfolio.portfolio_id for demo in results}) == 1
    assert len({demo.key.token for demo in results}) == 1
    assert sorted(demo.portfolio.created for demo in results) == [False, True]
    container = Services()
    try:
        named = [s.name for s in container.portfolios.list_portfolios()]
        assert named == [PLATFORM_PORTFOLIO_NAME]
        assert len(container.api_keys.list_keys()) == 1
    finally:
        container.close()
