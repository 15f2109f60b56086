"""Several dispatchers at once on one database (threads; on PostgreSQL the claims take row
locks that skip locked rows): every event reaches every webhook exactly once when nothing
crashes, in sequence order per webhook."""

from __future__ import annotations

import threading
from collections import Counter, defaultdict

from paperdesk.service import Services
from paperdesk.service.webhook_delivery import WebhookDispatcher
from paperdesk.store import Database
from webhook_fixtures import Clock, replay_portfolio, round_trip
from webhook_receiver import running_receiver

DISPATCHERS = 4
WEBHOOKS_PER_PORTFOLIO = 3


def test_concurrent_dispatchers_never_send_an_attempt_twice(database: Database) -> None:
    services = Services(database=database)
    portfolios = [replay_portfolio(services, f"p{n}") for n in range(2)]
    now = Clock().now
    with running_receiver() as receiver:
        for portfolio in portfolios:
            for _ in range(WEBHOOKS_PER_PORTFOLIO):
                services.webhooks.add(portfolio, receiver.url, ["fills", "trades"])
            round_trip(services, portfolio)
        start = threading.Barrier(DISPATCHERS)
        problems: list[BaseException] = []

        def run() -> None:
            dispatcher = WebhookDispatcher(database, batch=1)  # one event per claim: many rounds
            try:
                start.wait()
                while dispatcher.deliver_due(now).webhooks:
                    pass
            except BaseException as error:  # reported below, not lost in the thread
                problems.append(error)
            finally:
                dispatcher.close()

        threads = [threading.Thread(target=run) for _ in range(DISPATCHERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    services.close()
    assert problems == []
    by_webhook: dict[str, list[int]] = defaultdict(list)
    for request in receiver.accepted():
        sequence = int(request.headers["x-paperdesk-event-id"].removeprefix("evt_"))
        by_webhook[request.headers["x-paperdesk-webhook-id"]].append(sequence)
    assert len(by_webhook) == len(portfolios) * WEBHOOKS_PER_PORTFOLIO
    for sequences in by_webhook.values():
        assert len(sequences) == 3  # two fills and one closed trade
        assert sequences == sorted(set(sequences))  # once each, in order
    pairs = Counter(
        (r.headers["x-paperdesk-webhook-id"], r.headers["x-paperdesk-event-id"])
        for r in receiver.requests
    )
    assert max(pairs.values()) == 1


def test_a_receiver_that_hangs_does_not_hold_up_another_webhook(database: Database) -> None:
    """The slow receiver answers only once the other receiver got its events (or gives up
    after a long wait and says so): the two webhooks are served side by side."""
    services = Services(database=database)
    portfolio = replay_portfolio(services)
    other_served = threading.Event()
    waits: list[bool] = []
    with running_receiver() as slow, running_receiver() as fast:
        slow.during_request = lambda: waits.append(other_served.wait(timeout=30))
        fast.during_request = other_served.set
        services.webhooks.add(portfolio, slow.url, ["trades"])
        services.webhooks.add(portfolio, fast.url, ["trades"])
        round_trip(services, portfolio)
        dispatcher = WebhookDispatcher(database)
        report = dispatcher.deliver_due(Clock().now)
        dispatcher.close()
    services.close()
    assert (report.webhooks, report.delivered) == (2, 2)
    assert waits == [True]
