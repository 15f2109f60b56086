"""The market cache: the same behaviour in process and on the real Redis server.

Redis tests use ``REDIS_URL`` (default ``redis://127.0.0.1:6379/0``), a unique key prefix per
test and delete their keys afterwards. An unreachable server skips them with the reason; with
``CI=true`` it fails them instead.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pandas as pd
import pytest
import redis
from tcp_proxy import TcpProxy

from paperdesk.data.bundled import find_bundled
from paperdesk.data.cache import CachedPrice, InProcessCache, MarketCache, open_market_cache
from paperdesk.data.csv_source import load_bars
from paperdesk.data.redis_cache import RedisCache, decode_frame, encode_frame
from paperdesk.domain import InvalidInputError

DEAD_REDIS = "redis://127.0.0.1:1/0"  # port 1: nothing listens there
AT = datetime(2024, 3, 8, 14, 30, 15, 123456, tzinfo=UTC)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Harness:
    cache: InProcessCache | RedisCache
    clock: FakeClock | None = None

    def pass_time(self, seconds: float) -> None:
        if self.clock is not None:
            self.clock.now += seconds
        else:
            time.sleep(seconds)


@pytest.fixture
def redis_cache(redis_server: str) -> Iterator[RedisCache]:
    prefix = f"paperdesk-test:{uuid.uuid4().hex[:12]}:"
    cache = RedisCache(redis_server, prefix=prefix)
    yield cache
    leftovers = list(cache.client.scan_iter(match=f"{prefix}*"))
    if leftovers:
        cache.client.delete(*leftovers)
    cache.close()


@pytest.fixture(params=["in-process", "redis"])
def harness(request: pytest.FixtureRequest) -> Harness:
    if request.param == "in-process":
        clock = FakeClock()
        return Harness(InProcessCache(clock=clock), clock)
    return Harness(request.getfixturevalue("redis_cache"))


@pytest.fixture(scope="module")
def spy_bars() -> pd.DataFrame:
    """Real bundled hourly SPY bars (tz-aware index, ts_close), tagged with a provider."""
    frame = load_bars(find_bundled("SPY", "1h"), symbol="SPY", timeframe="1h").iloc[-500:].copy()
    frame["provider"] = "yahoo"
    frame.attrs.update(symbol="SPY", timeframe="1h", provider="yahoo")
    return frame


def test_both_satisfy_the_protocol(harness: Harness) -> None:
    assert isinstance(harness.cache, MarketCache)


def test_latest_price_round_trip_is_exact(harness: Harness) -> None:
    cache = harness.cache
    assert cache.latest_price("EURUSD") is None
    at = AT.astimezone(timezone(timedelta(hours=-5)))
    cache.put_latest_price("EURUSD", Decimal("1.084250000000000000001"), at, "twelvedata", 30)
    cached = cache.latest_price("EURUSD")
    assert cached == CachedPrice("EURUSD", Decimal("1.084250000000000000001"), at, "twelvedata")
    assert cached is not None
    assert str(cached.price) == "1.084250000000000000001"
    assert cached.at.utcoffset() == timedelta(hours=-5)


def test_bars_round_trip_keeps_index_dtypes_and_ts_close(
    harness: Harness, spy_bars: pd.DataFrame
) -> None:
    cache = harness.cache
    assert cache.recent_bars("SPY", "1h") is None
    cache.put_recent_bars("SPY", "1h", spy_bars, 60)
    cached = cache.recent_bars("SPY", "1h")
    assert cached is not None
    pd.testing.assert_frame_equal(cached, spy_bars, check_exact=True, check_freq=False)
    assert str(cached.index.dtype) == "datetime64[ns, UTC]"
    assert cached.index.name == "ts"
    assert str(cached["ts_close"].dtype) == "datetime64[ns, UTC]"
    assert cached.attrs["provider"] == "yahoo"
    assert cache.recent_bars("SPY", "1d") is None


def test_cached_frames_cannot_be_changed_by_callers(
    harness: Harness, spy_bars: pd.DataFrame
) -> None:
    given = spy_bars.copy()
    harness.cache.put_recent_bars("SPY", "1h", given, 60)
    given.loc[given.index[0], "open"] = -2.0
    first = harness.cache.recent_bars("SPY", "1h")
    assert first is not None
    first.loc[first.index[0], "open"] = -1.0
    again = harness.cache.recent_bars("SPY", "1h")
    assert again is not None
    pd.testing.assert_series_equal(again["open"], spy_bars["open"])


def test_entries_expire_after_their_ttl(harness: Harness, spy_bars: pd.DataFrame) -> None:
    cache = harness.cache
    cache.put_latest_price("SPY", Decimal("512.34"), AT, "yahoo", 0.2)
    cache.put_recent_bars("SPY", "1h", spy_bars.iloc[:5], 0.2)
    cache.put_recent_bars("SPY", "1d", spy_bars.iloc[:5], 60)
    assert cache.latest_price("SPY") is not None
    harness.pass_time(0.3)
    assert cache.latest_price("SPY") is None
    assert cache.recent_bars("SPY", "1h") is None
    assert cache.recent_bars("SPY", "1d") is not None


def test_ttl_is_set_on_every_write(harness: Harness, spy_bars: pd.DataFrame) -> None:
    cache = harness.cache
    cache.put_latest_price("SPY", Decimal("512.34"), AT, "yahoo", 1)
    cache.put_recent_bars("SPY", "1h", spy_bars.iloc[:5], 120)
    price_left = cache.ttl_left("SPY")
    bars_left = cache.ttl_left("SPY", "1h")
    assert price_left is not None
    assert 0 < price_left <= 1
    assert bars_left is not None
    assert 60 < bars_left <= 120
    assert cache.ttl_left("QQQ") is None


def test_redis_sets_a_server_side_expiry(redis_cache: RedisCache) -> None:
    redis_cache.put_latest_price("SPY", Decimal("512.34"), AT, "yahoo", 1)
    key = redis_cache.price_key("SPY")
    assert key.startswith(redis_cache.prefix)
    assert 0 < redis_cache.client.pttl(key) <= 1000


def test_invalidate_one_timeframe_or_everything_for_a_symbol(
    harness: Harness, spy_bars: pd.DataFrame
) -> None:
    cache = harness.cache
    small = spy_bars.iloc[:3]
    cache.put_latest_price("SPY", Decimal("512.34"), AT, "yahoo", 60)
    for timeframe in ("1h", "1d"):
        cache.put_recent_bars("SPY", timeframe, small, 60)
    cache.put_recent_bars("SPY:X", "1h", small, 60)  # a look-alike symbol must survive
    cache.put_latest_price("QQQ", Decimal("440.1"), AT, "yahoo", 60)
    cache.invalidate("SPY", "1h")
    assert cache.recent_bars("SPY", "1h") is None
    assert cache.recent_bars("SPY", "1d") is not None
    assert cache.latest_price("SPY") is not None
    cache.invalidate("SPY")
    assert cache.latest_price("SPY") is None
    assert cache.recent_bars("SPY", "1d") is None
    assert cache.recent_bars("SPY:X", "1h") is not None
    assert cache.latest_price("QQQ") is not None
    cache.invalidate("NOTHING")  # nothing cached: no error


def test_bad_values_are_refused(harness: Harness) -> None:
    cache = harness.cache
    with pytest.raises(InvalidInputError, match="Decimal"):
        cache.put_latest_price("SPY", 512.34, AT, "yahoo", 5)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="finite"):
        cache.put_latest_price("SPY", Decimal("NaN"), AT, "yahoo", 5)
    with pytest.raises(InvalidInputError, match="timezone"):
        cache.put_latest_price("SPY", Decimal(1), datetime(2024, 1, 1), "yahoo", 5)
    with pytest.raises(InvalidInputError, match="ttl"):
        cache.put_latest_price("SPY", Decimal(1), AT, "yahoo", 0)


def test_in_process_cache_evicts_the_least_recently_used() -> None:
    cache = InProcessCache(max_entries=2, clock=FakeClock())
    cache.put_latest_price("A", Decimal(1), AT, "x", 60)
    cache.put_latest_price("B", Decimal(2), AT, "x", 60)
    assert cache.latest_price("A") is not None  # A is now the most recently used
    cache.put_latest_price("C", Decimal(3), AT, "x", 60)
    assert cache.latest_price("B") is None
    assert cache.latest_price("A") is not None
    assert cache.latest_price("C") is not None
    assert len(cache) == 2


def test_in_process_cache_drops_expired_entries_before_live_ones() -> None:
    clock = FakeClock()
    cache = InProcessCache(max_entries=2, clock=clock)
    cache.put_latest_price("OLD", Decimal(1), AT, "x", 60)
    cache.put_latest_price("SHORT", Decimal(2), AT, "x", 1)
    clock.now += 2
    cache.put_latest_price("NEW", Decimal(3), AT, "x", 60)
    assert cache.latest_price("OLD") is not None
    assert cache.latest_price("NEW") is not None


def test_dead_redis_degrades_to_misses_with_a_warning(
    caplog: pytest.LogCaptureFixture, spy_bars: pd.DataFrame
) -> None:
    cache = RedisCache(DEAD_REDIS, timeout=0.2)
    started = time.monotonic()
    with caplog.at_level(logging.DEBUG, logger="paperdesk.data.redis_cache"):
        cache.put_latest_price("SPY", Decimal("512.34"), AT, "yahoo", 5)
        cache.put_recent_bars("SPY", "1h", spy_bars.iloc[:3], 5)
        assert cache.latest_price("SPY") is None
        assert cache.recent_bars("SPY", "1h") is None
        assert cache.ttl_left("SPY") is None
        cache.invalidate("SPY")
    assert time.monotonic() - started < 3
    assert not cache.ping()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1  # one warning per outage, not one per call
    assert "could not store the latest price of SPY" in warnings[0].getMessage()


def test_redis_that_goes_away_mid_run_degrades(
    redis_server: str, caplog: pytest.LogCaptureFixture
) -> None:
    real = redis.Redis.from_url(redis_server).connection_pool.connection_kwargs
    proxy = TcpProxy((real.get("host", "127.0.0.1"), int(real.get("port", 6379))))
    prefix = f"paperdesk-test:{uuid.uuid4().hex[:12]}:"
    via_proxy = f"redis://127.0.0.1:{proxy.port}/{real.get('db', 0)}"
    cache = RedisCache(via_proxy, prefix=prefix, timeout=0.5)
    try:
        cache.put_latest_price("SPY", Decimal("512.34"), AT, "yahoo", 60)
        assert cache.latest_price("SPY") is not None
        proxy.stop()  # the server goes away with a connection open
        with caplog.at_level(logging.WARNING, logger="paperdesk.data.redis_cache"):
            assert cache.latest_price("SPY") is None
            cache.put_latest_price("SPY", Decimal("513"), AT, "yahoo", 60)
        assert "could not read the latest price of SPY" in caplog.text
        proxy = TcpProxy(proxy.upstream, port=proxy.port)  # and comes back
        with caplog.at_level(logging.WARNING, logger="paperdesk.data.redis_cache"):
            cached = cache.latest_price("SPY")
        assert cached is not None
        assert cached.price == Decimal("512.34")
        assert "answering again" in caplog.text
    finally:
        proxy.stop()
        cache.close()
        direct = RedisCache(redis_server, prefix=prefix)
        direct.invalidate("SPY")
        direct.close()


def test_a_damaged_redis_value_is_a_miss(
    redis_cache: RedisCache, caplog: pytest.LogCaptureFixture
) -> None:
    redis_cache.client.set(redis_cache.bars_key("SPY", "1h"), b"not arrow", ex=5)
    redis_cache.client.set(redis_cache.price_key("SPY"), b"{}", ex=5)
    with caplog.at_level(logging.WARNING, logger="paperdesk.data.redis_cache"):
        assert redis_cache.recent_bars("SPY", "1h") is None
        assert redis_cache.latest_price("SPY") is None
    assert "bad value" in caplog.text


def test_frame_encoding_is_compact_and_handles_empty_frames(spy_bars: pd.DataFrame) -> None:
    payload = encode_frame(spy_bars)
    assert len(payload) < len(spy_bars.to_csv().encode()) / 2
    empty = spy_bars.iloc[:0]
    pd.testing.assert_frame_equal(decode_frame(encode_frame(empty)), empty, check_freq=False)


def test_open_market_cache_picks_redis_only_when_reachable(
    redis_server: str, caplog: pytest.LogCaptureFixture
) -> None:
    assert isinstance(open_market_cache(None), InProcessCache)
    chosen = open_market_cache(redis_server)
    assert isinstance(chosen, RedisCache)
    chosen.close()
    with caplog.at_level(logging.WARNING, logger="paperdesk.data.cache"):
        assert isinstance(open_market_cache(DEAD_REDIS), InProcessCache)
        assert isinstance(open_market_cache("not a url"), InProcessCache)
    assert "does not answer" in caplog.text
    assert "not usable" in caplog.text
