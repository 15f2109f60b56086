"""The worker delivers the webhooks its rounds' events made due (``after_round``): a receiver
gets each processed bar of the round once, signed; a failing delivery never stops the worker."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pandas as pd
import pytest
from worker_fixtures import STARTED, replay_settings, seconds, service, ticked_bars, worker

from paperdesk.data.clock import FixedClock
from paperdesk.service import Services
from paperdesk.store import Database
from webhook_fixtures import SECRET
from webhook_receiver import running_receiver


def test_a_round_delivers_its_events_to_the_portfolios_webhook(database: Database) -> None:
    services = Services(database=database)
    clock = FixedClock(STARTED)
    portfolio_id = service(database, clock).create_portfolio(
        "hooked", Decimal(10000), settings=replay_settings(("SPY",))
    )
    with running_receiver() as receiver:
        services.webhooks.add(portfolio_id, receiver.url, ["tick.processed"], SECRET)
        clock.set(STARTED + seconds(2.5))
        deliver = services.webhook_dispatcher.deliver_due
        report = worker(database, clock, after_round=deliver).run_round()

        assert [done.bars for done in report.portfolios] == [3]
        accepted = receiver.accepted()
        assert [r.document["type"] for r in accepted] == ["tick.processed"] * 3
        assert all(r.signed_with(SECRET) for r in accepted)
        labels = [r.document["data"]["bar_open"] for r in accepted]
        ticked = [label for _, _, label in ticked_bars(service(database, clock), portfolio_id)]
        assert [pd.Timestamp(label) for label in labels] == ticked  # each bar once, in order


def test_a_failing_after_round_is_logged_and_the_worker_carries_on(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FixedClock(STARTED)
    service(database, clock).create_portfolio(
        "p", Decimal(10000), settings=replay_settings(("SPY",))
    )
    clock.set(STARTED + seconds(1.5))
    calls: list[datetime] = []

    def broken(now: datetime) -> None:
        calls.append(now)
        raise ConnectionError("the webhook store is unreachable")

    ran = worker(database, clock, after_round=broken).run(max_rounds=2)

    assert ran == 2
    assert calls == [clock.now(), clock.now()]
    assert "after-round work failed" in caplog.text
