"""Caches that cannot go stale: two homes (each with its own Parquet folder and in-process
cache, or one shared Redis) on one database. When one home re-imports corrected prices for
the same timestamps, the other trades the corrected prices at once, with no TTL to wait out."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from paperdesk.config import RunConfig, SourceConfig, StrategySpec
from paperdesk.live import TickStatus
from paperdesk.service import Services
from paperdesk.settings import Settings
from paperdesk.store import Database
from wave_bars import write_wave_csv

STRATEGY = StrategySpec("sma-cross", {"fast": 3, "slow": 8})


def _home(database: Database, home: Path, redis: str | None, prefix: str) -> Services:
    """A home of its own (Parquet folder, in-process cache) or, with ``redis``, one sharing
    the Redis keys under ``prefix`` with the other home."""
    settings = Settings(home=home, redis_url=redis, redis_prefix=prefix)
    return Services(settings, database=database)


@pytest.fixture(params=["in-process", "redis"])
def cache_kind(request: pytest.FixtureRequest) -> str | None:
    return None if request.param == "in-process" else str(request.getfixturevalue("redis_server"))


def test_a_correction_imported_by_one_home_is_what_the_other_home_trades(
    database: Database,
    tmp_path: Path,
    clean_environment: pytest.MonkeyPatch,
    cache_kind: str | None,
) -> None:
    prefix = f"test-{uuid.uuid4().hex}:"  # this test's own keys on the shared Redis
    first = _home(database, tmp_path / "a", cache_kind, prefix)
    second = _home(database, tmp_path / "b", cache_kind, prefix)
    original, corrected = tmp_path / "original.csv", tmp_path / "corrected.csv"
    write_wave_csv(original, 170)
    write_wave_csv(corrected, 170, shift=7.0)

    first.market_data.import_file(original, "ACME", "1d", asset_class="equity")
    before = second.data.get_bars("ACME", "1d")  # fills the second home's caches
    again = second.data.get_bars("ACME", "1d")
    assert again.attrs["origin"] == "cache"  # the caches do answer while nothing changed
    backtest_before = second.backtests.run(
        RunConfig(strategies=(STRATEGY,), symbols=("ACME",), timeframe="1d")
    )
    assert second.settings.parquet_root(database.url).exists()

    first.market_data.import_file(
        corrected, "ACME", "1d", asset_class="equity"
    )  # same timestamps, new prices

    after = second.data.get_bars("ACME", "1d")
    assert list(after.index) == list(before.index)
    assert list(after["close"]) == [close + 7.0 for close in before["close"]]
    assert after.attrs["origin"] == "store"
    backtest_after = second.backtests.run(
        RunConfig(strategies=(STRATEGY,), symbols=("ACME",), timeframe="1d")
    )
    assert backtest_after.fills
    assert [f.price for f in backtest_after.fills] != [f.price for f in backtest_before.fills]
    opens = {ts.to_pydatetime(): Decimal(f"{o:.2f}") for ts, o in after["open"].items()}
    for fill in backtest_after.fills:  # at the corrected opens (plus costs), 7.00 from the old
        assert abs(fill.price - opens[fill.ts]) < Decimal("0.5")

    portfolios = second.portfolios
    settings = RunConfig(
        strategies=(STRATEGY,),
        symbols=("ACME",),
        source=SourceConfig("replay", replay_from=date(2023, 1, 2)),
    )
    portfolio_id = portfolios.create_portfolio("acme", Decimal("10000"), settings=settings)
    while portfolios.tick(portfolio_id, "ACME")[-1].status is TickStatus.PROCESSED:
        pass
    assert [(f.ts, f.price) for f in portfolios.fills(portfolio_id)] == [
        (f.ts, f.price) for f in backtest_after.fills
    ]
    # and the first home, whose own caches were written by the import, agrees
    assert list(first.data.get_bars("ACME", "1d")["close"]) == list(after["close"])
