"""Rate limits per API key: a burst, then one request per interval; 429 ``rate_limited`` with
``Retry-After``; shared through the real Redis by two applications; health, readiness and
metrics are never limited; a Redis that does not answer lets requests through."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from api_fixtures import Harness, assert_refused
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from paperdesk.api import create_app
from paperdesk.api.rate_limit import (
    InProcessLimiter,
    Limit,
    NoLimit,
    RedisLimiter,
    build_limiter,
)
from paperdesk.service import Services
from paperdesk.settings import Settings
from paperdesk.store import Database

ONE_A_SECOND_BURST_THREE = Limit(per_minute=60, burst=3)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def harness(services: Services) -> Harness:
    keys = services.api_keys
    return Harness(
        client=TestClient(create_app(services)),
        services=services,
        url=services.database.url,
        admin=keys.create("admin", "admin").token,
        trader=keys.create("trader", "trade").token,
        reader=keys.create("reader", "read").token,
    )


@pytest.fixture
def limited(database: Database, clock: FakeClock) -> Iterator[Harness]:
    services = Services(
        Settings(rate_limit_per_minute=60, rate_limit_burst=3, redis_url=None), database=database
    )
    limited = harness(services)
    assert isinstance(limited.client.app.state.rate_limiter, InProcessLimiter)  # type: ignore[attr-defined]
    limited.client.app.state.rate_limiter = InProcessLimiter(ONE_A_SECOND_BURST_THREE, clock)  # type: ignore[attr-defined]
    with limited.client:
        yield limited


def test_the_limiter_allows_a_burst_then_one_request_per_interval(clock: FakeClock) -> None:
    limiter = InProcessLimiter(Limit(per_minute=30, burst=4), clock)  # one every 2 s
    assert [limiter.hit(1).allowed for _ in range(5)] == [True, True, True, True, False]
    refused = limiter.hit(1)
    assert refused.retry_after == pytest.approx(2.0)
    assert refused.retry_after_header == "2"
    assert limiter.hit(2).allowed  # another key has its own bucket
    clock.now += 1.5
    assert not limiter.hit(1).allowed
    assert limiter.hit(1).retry_after == pytest.approx(0.5)
    assert limiter.hit(1).retry_after_header == "1"  # never 0: a client waits at least a second
    clock.now += 0.5
    assert limiter.hit(1).allowed
    assert not limiter.hit(1).allowed
    clock.now += 600  # a long pause refills the bucket, no further than the burst
    assert [limiter.hit(1).allowed for _ in range(5)] == [True, True, True, True, False]


def test_no_limit_when_the_rate_is_zero() -> None:
    assert isinstance(build_limiter(Limit(0, 1), None, "p:"), NoLimit)
    assert all(NoLimit().hit(1).allowed for _ in range(1000))


def test_a_key_over_its_limit_gets_429_with_retry_after(limited: Harness, clock: FakeClock) -> None:
    for _ in range(3):
        assert limited.get("/portfolios", limited.reader).status_code == 200
    before = limited.dump()
    refused_before = REGISTRY.get_sample_value("paperdesk_rate_limited_total") or 0.0
    refused = limited.get("/portfolios", limited.reader)
    assert_refused(limited, refused, 429, "rate_limited", "rate limit", before=before)
    assert refused.headers["Retry-After"] == "1"
    order = {"symbol": "SPY", "side": "buy", "quantity": "1"}
    writes = limited.post("/portfolios", {"name": "x", "cash": "1"}, limited.reader)
    assert_refused(limited, writes, 429, "rate_limited", before=before)  # before any scope check
    assert REGISTRY.get_sample_value("paperdesk_rate_limited_total") == refused_before + 2
    assert limited.get("/portfolios", limited.trader).status_code == 200  # per key
    for path in ("/healthz", "/readyz", "/metrics"):  # operations take no key: never limited
        for _ in range(5):
            assert limited.client.get(path).status_code == 200
    clock.now += 1.0
    assert limited.get("/portfolios", limited.reader).status_code == 200
    assert limited.post("/portfolios/1/orders", order, limited.reader).status_code == 429


def test_redis_is_used_when_configured(database: Database, redis_server: str) -> None:
    settings = Settings(redis_url=redis_server, rate_limit_per_minute=60, rate_limit_burst=3)
    app = create_app(Services(settings, database=database))
    assert isinstance(app.state.rate_limiter, RedisLimiter)


def test_two_applications_share_a_key_s_limit_through_redis(
    database: Database, redis_server: str, clock: FakeClock
) -> None:
    prefix = f"paperdesk-test:{uuid.uuid4().hex}:"
    settings = Settings(redis_url=redis_server, redis_prefix=prefix)
    first = harness(Services(settings, database=database))
    second_client = TestClient(create_app(Services(settings, database=database)))
    for client in (first.client, second_client):
        client.app.state.rate_limiter = build_limiter(  # type: ignore[attr-defined]
            ONE_A_SECOND_BURST_THREE, redis_server, prefix, clock
        )
    tokens = (first.admin, first.trader, first.reader)
    second = Harness(second_client, first.services, first.url, *tokens)
    with first.client, second.client:
        assert first.get("/portfolios", first.reader).status_code == 200
        assert second.get("/portfolios", first.reader).status_code == 200
        assert first.get("/portfolios", first.reader).status_code == 200
        before = first.dump()
        for app in (second, first):  # the burst of 3 is spent across both processes
            refused = app.get("/portfolios", first.reader)
            assert_refused(first, refused, 429, "rate_limited", before=before)
            assert refused.headers["Retry-After"] == "1"
        assert second.get("/portfolios", first.trader).status_code == 200
        clock.now += 1.0
        assert second.get("/portfolios", first.reader).status_code == 200
        assert first.get("/portfolios", first.reader).status_code == 429


def test_a_redis_that_does_not_answer_lets_requests_through(clock: FakeClock) -> None:
    limiter = build_limiter(Limit(60, 1), "redis://127.0.0.1:1/0", "p:", clock)
    assert isinstance(limiter, RedisLimiter)
    errors_before = REGISTRY.get_sample_value("paperdesk_rate_limiter_errors_total") or 0.0
    assert [limiter.hit(1).allowed for _ in range(3)] == [True, True, True]
    assert REGISTRY.get_sample_value("paperdesk_rate_limiter_errors_total") == errors_before + 3


def test_a_spent_bucket_outlives_a_slow_caller_in_redis(
    redis_server: str, clock: FakeClock
) -> None:
    """The key's expiry is measured by Redis's own clock, not the caller's: a bucket spent up to
    its burst must survive well past the seconds its arrival time runs ahead (a slow process, or
    a test's fake clock, would otherwise find a full bucket again; CI once did)."""
    import redis

    prefix = f"paperdesk-test:{uuid.uuid4().hex}:"
    client = redis.Redis.from_url(redis_server)
    limiter = RedisLimiter(client, prefix, ONE_A_SECOND_BURST_THREE, clock)
    try:
        for _ in range(3):
            assert limiter.hit(7).allowed
        assert not limiter.hit(7).allowed
        remaining_ms = client.pttl(f"{prefix}ratelimit:7")
        assert remaining_ms > 30_000  # far beyond the 3 s the arrival time runs ahead
    finally:
        client.delete(f"{prefix}ratelimit:7")
        client.close()
