"""Webhook delivery to a real receiver on 127.0.0.1, on SQLite and PostgreSQL: at least once, in
sequence order, signed, retried with backoff on a moved clock (no sleeps), never doubled."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from paperdesk.api import create_app
from paperdesk.domain.webhooks import RetryPolicy, WebhookStatus
from paperdesk.service import Services
from paperdesk.service.webhook_delivery import HttpSender, WebhookDispatcher
from paperdesk.store import Database
from webhook_fixtures import (
    SECRET,
    Clock,
    both_ways_portfolio,
    replay_portfolio,
    round_trip,
    short_round_trip,
)
from webhook_receiver import running_receiver

POLICY = RetryPolicy(
    first_delay=timedelta(seconds=10),
    longest_delay=timedelta(seconds=80),
    max_attempts=3,
    jitter=0.2,
)
HALF = 0.5  # the jitter draw: each delay is 90% of its base (1 - 0.2 * 0.5)


@pytest.fixture
def services(database: Database) -> Iterator[Services]:
    container = Services(database=database)
    yield container
    container.close()


def dispatcher(services: Services) -> WebhookDispatcher:
    return WebhookDispatcher(services.database, policy=POLICY, draw=lambda: HALF)


def wanted_events(services: Services, portfolio: int) -> list[tuple[int, str]]:
    """(sequence, kind) of the fills and closed trades in the outbox, read from the ledger."""
    with services.database.reading() as repository:
        entries = repository.outbox(portfolio_id=portfolio, limit=10_000)
    return [(e.sequence, e.kind) for e in entries if e.kind in ("order.filled", "position.closed")]


def test_each_event_arrives_once_after_failures_and_retries_signed_in_order(
    services: Services,
) -> None:
    clock = Clock()
    portfolio = replay_portfolio(services)
    with running_receiver(fail_first=2) as receiver:
        created = services.webhooks.add(portfolio, receiver.url, ["fills", "trades"], SECRET)
        round_trip(services, portfolio)
        expected = wanted_events(services, portfolio)
        assert [kind for _, kind in expected] == ["order.filled", "order.filled", "position.closed"]
        delivery = dispatcher(services)

        first = delivery.deliver_due(clock.now)
        assert (first.delivered, first.failed) == (0, 1)
        [hook] = services.webhooks.list_webhooks(portfolio)
        assert (hook.attempts, hook.status, hook.last_error) == (
            1,
            "active",
            "HTTP 500 Internal Server Error",
        )
        assert hook.next_attempt_at == clock.now + timedelta(seconds=9)  # 10 s * 0.9

        early = delivery.deliver_due(clock.advance(8))
        assert (early.webhooks, len(receiver.requests)) == (0, 1)  # not due yet: not even claimed

        second = delivery.deliver_due(clock.advance(1))
        assert (second.delivered, second.failed) == (0, 1)
        [hook] = services.webhooks.list_webhooks(portfolio)
        assert hook.next_attempt_at == clock.now + timedelta(seconds=18)  # 20 s * 0.9

        third = delivery.deliver_due(clock.advance(18))
        assert (third.delivered, third.failed) == (3, 0)
        assert delivery.deliver_due(clock.advance(3600)).webhooks == 0  # nothing left to send

    sequences = [sequence for sequence, _ in expected]
    assert receiver.accepted_ids() == [f"evt_{s}" for s in sequences]  # once each, in order
    assert [r.answered for r in receiver.requests] == [500, 500, 200, 200, 200]
    for request in receiver.requests:
        assert request.signed_with(created.secret)
        assert not request.signed_with(SECRET + "x")
        assert request.headers["x-paperdesk-timestamp"].isdigit()
    first_fill = receiver.accepted()[0].document
    [buy, _sell] = services.portfolios.fills(portfolio)
    assert first_fill["id"] == f"evt_{sequences[0]}"
    assert (first_fill["sequence"], first_fill["type"], first_fill["portfolio"]) == (
        sequences[0],
        "order.filled",
        portfolio,
    )
    assert first_fill["data"]["fill"]["price"] == str(buy.price)
    assert first_fill["timestamp"].startswith("2020-01-03")
    [hook] = services.webhooks.list_webhooks(portfolio)
    assert (hook.attempts, hook.last_error, hook.next_attempt_at) == (0, None, None)
    assert hook.last_sequence >= sequences[-1]


def test_a_failing_webhook_does_not_hold_up_another_and_recovers(services: Services) -> None:
    clock = Clock()
    portfolio = replay_portfolio(services)
    with running_receiver(always_fail=True) as down, running_receiver() as up:
        broken = services.webhooks.add(portfolio, down.url, ["fills"]).record
        working = services.webhooks.add(portfolio, up.url, ["fills"]).record
        round_trip(services, portfolio)
        delivery = dispatcher(services)
        delays = []
        for _ in range(POLICY.max_attempts):
            report = delivery.deliver_due(clock.now)
            assert report.failed == 1
            [hook, _] = services.webhooks.list_webhooks(portfolio)
            delays.append((hook.next_attempt_at or clock.now) - clock.now)
            clock.now = hook.next_attempt_at or clock.now
        assert delays == [timedelta(seconds=s) for s in (9, 18, 36)]
        assert len(up.accepted()) == 2  # both fills, on the first call
        hooks = {h.id: h for h in services.webhooks.list_webhooks(portfolio)}
        assert hooks[broken.id].status is WebhookStatus.FAILING
        assert hooks[broken.id].attempts == POLICY.max_attempts
        assert hooks[working.id].status is WebhookStatus.ACTIVE
        down.always_fail = False
        recovered = delivery.deliver_due(clock.now)
        assert (recovered.delivered, recovered.failed) == (2, 0)
    assert down.accepted_ids() == up.accepted_ids()
    assert services.webhooks.show(portfolio, broken.id).status is WebhookStatus.ACTIVE


def test_a_claimed_webhook_is_not_sent_by_a_second_dispatcher_until_its_lease_lapses(
    services: Services,
) -> None:
    """While one dispatcher is sending, another finds nothing to claim; a dispatcher that
    dies holding a claim delays delivery by the lease only, and nothing is lost."""
    clock = Clock()
    portfolio = replay_portfolio(services)
    with running_receiver() as receiver:
        services.webhooks.add(portfolio, receiver.url, ["fills", "trades"])
        round_trip(services, portfolio)
        other = dispatcher(services)
        seen_by_other: list[int] = []
        receiver.during_request = lambda: seen_by_other.append(
            other.deliver_due(clock.now).webhooks
        )
        assert dispatcher(services).deliver_due(clock.now).delivered == 3
        assert seen_by_other == [0, 0, 0]
        receiver.during_request = None

        round_trip(services, portfolio)  # three more events
        with services.database.transaction() as repository:  # a dispatcher that then dies
            [claimed] = repository.webhooks.claim_due(
                clock.now, "dead", clock.now + timedelta(minutes=5), 10
            )
        assert other.deliver_due(clock.advance(299)).webhooks == 0
        assert other.deliver_due(clock.advance(1)).delivered == 3
    ids = receiver.accepted_ids()
    assert len(ids) == len(set(ids)) == 6
    assert ids == sorted(ids, key=lambda i: int(i.removeprefix("evt_")))
    assert claimed.record.portfolio_id == portfolio


def test_events_not_asked_for_move_the_cursor_without_a_request(services: Services) -> None:
    clock = Clock()
    portfolio = replay_portfolio(services)
    with running_receiver() as receiver:
        services.webhooks.add(portfolio, receiver.url, ["errors"])
        round_trip(services, portfolio)
        report = dispatcher(services).deliver_due(clock.now)
        assert (report.webhooks, report.delivered, receiver.requests) == (1, 0, [])
        with services.database.reading() as repository:
            newest = repository.outbox(portfolio_id=portfolio, limit=10_000)[-1].sequence
        [hook] = services.webhooks.list_webhooks(portfolio)
        assert hook.last_sequence == newest
        assert dispatcher(services).deliver_due(clock.now).webhooks == 0  # nothing pending


class CrashError(Exception):
    """The dispatcher's process dying right after a receiver accepted an event."""


def test_a_crash_after_an_accepted_event_resends_from_the_saved_cursor_and_loses_nothing(
    services: Services,
) -> None:
    clock = Clock()
    portfolio = replay_portfolio(services)
    with running_receiver() as receiver:
        services.webhooks.add(portfolio, receiver.url, ["fills", "trades"])
        round_trip(services, portfolio)
        expected = [f"evt_{sequence}" for sequence, _ in wanted_events(services, portfolio)]
        http = HttpSender()

        def send_then_die_on_the_third(url: str, body: bytes, headers: Mapping[str, str]) -> None:
            http(url, body, headers)
            if headers["X-Paperdesk-Event-Id"] == expected[2]:
                raise CrashError

        dying = WebhookDispatcher(services.database, send=send_then_die_on_the_third,
                                  checkpoint_every=2)  # fmt: skip
        with pytest.raises(CrashError):
            dying.deliver_due(clock.now)
        http.close()
        [hook] = services.webhooks.list_webhooks(portfolio)
        assert hook.last_sequence == int(expected[1].removeprefix("evt_"))  # the checkpoint
        assert dispatcher(services).deliver_due(clock.now).delivered == 1
    assert receiver.accepted_ids() == [*expected, expected[2]]  # the third twice
    assert list(receiver.deduplicated()) == expected  # a receiver dropping repeats has all


def test_a_closed_trade_says_its_direction_in_the_trades_apis_words(services: Services) -> None:
    """``data.trade.direction`` is what ``GET /portfolios/{id}/trades`` calls a round trip
    (``long``/``short``); ``data.trade.side`` stays its opening order's (``buy``/``sell``)."""
    hooked = both_ways_portfolio(services)
    with running_receiver() as receiver:
        services.webhooks.add(hooked, receiver.url, ["trades"], SECRET)
        round_trip(services, hooked)
        short_round_trip(services, hooked)
        assert dispatcher(services).deliver_due(Clock().now).delivered == 2
    sent = [r.document["data"]["trade"] for r in receiver.accepted()]
    token = services.api_keys.create("reader", "read").token
    with TestClient(create_app(services)) as client:
        answer = client.get(
            f"/api/v1/portfolios/{hooked}/trades", headers={"Authorization": f"Bearer {token}"}
        )
    rest = answer.json()["items"]
    assert [t["side"] for t in rest] == ["long", "short"]
    assert [t["direction"] for t in sent] == [t["side"] for t in rest]
    assert [t["side"] for t in sent] == ["buy", "sell"]  # as before: existing receivers keep it
