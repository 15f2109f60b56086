"""The receiver snippet of docs/webhooks.md, run as written against a real delivery: it accepts
what paperdesk signed and refuses a changed body, another secret and a stale timestamp; and
the documented body fields are there."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from paperdesk.service import Services
from paperdesk.service.webhook_delivery import WebhookDispatcher
from paperdesk.store import Database
from webhook_fixtures import SECRET, Clock, replay_portfolio, round_trip
from webhook_receiver import running_receiver

DOCUMENT = Path(__file__).resolve().parents[3] / "docs" / "webhooks.md"


def documented_verify() -> Callable[..., bool]:
    text = DOCUMENT.read_text(encoding="utf-8")
    [block] = re.findall(r"<!-- receiver:[^\n]*-->\n```python\n(.*?)```", text, re.DOTALL)
    namespace: dict[str, Any] = {}
    exec(compile(block, str(DOCUMENT), "exec"), namespace)
    verify: Callable[..., bool] = namespace["verify"]
    return verify


def test_the_documented_receiver_verifies_a_real_delivery(tmp_path: Path) -> None:
    verify = documented_verify()
    database = Database(f"sqlite:///{tmp_path / 'ledger.db'}")
    services = Services(database=database)
    portfolio = replay_portfolio(services)
    with running_receiver() as receiver:
        services.webhooks.add(portfolio, receiver.url, ["trades"], SECRET)
        round_trip(services, portfolio)
        dispatcher = WebhookDispatcher(database)
        assert dispatcher.deliver_due(Clock().now).delivered == 1
        dispatcher.close()
    services.close()
    database.close()
    [request] = receiver.accepted()
    sent_at = int(request.headers["x-paperdesk-timestamp"])
    assert sent_at == int(Clock().now.timestamp())
    assert verify(SECRET, request.headers, request.body, now=sent_at + 60)
    assert not verify(SECRET, request.headers, request.body + b" ", now=sent_at)
    assert not verify(SECRET + "!", request.headers, request.body, now=sent_at)
    assert not verify(SECRET, request.headers, request.body, now=sent_at + 301)
    document = request.document
    assert set(document) == {"id", "sequence", "type", "timestamp", "recorded_at", "portfolio",
                             "data"}  # fmt: skip
    assert document["type"] == "position.closed"
    assert request.headers["x-paperdesk-event-type"] == "position.closed"
    trade = document["data"]["trade"]
    assert (trade["symbol"], trade["quantity"]) == ("SPY", "3")
