"""``paperdesk webhook add|list|remove|deliver`` on a SQLite ledger in a temporary home, with a
real receiver on 127.0.0.1."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from paper_cli_helpers import fails, ok

from paperdesk.service import Services
from webhook_fixtures import replay_portfolio, round_trip
from webhook_receiver import running_receiver


def test_add_prints_the_secret_once_and_deliver_sends_signed_events(paper_home: Path) -> None:
    services = Services()
    portfolio = replay_portfolio(services)
    with running_receiver(fail_first=1) as receiver:
        added = ok("webhook", "add", str(portfolio), receiver.url, "--events", "fills,trades")
        head, events, secret = added.stdout.strip().splitlines()
        assert head == f"webhook 1 of portfolio {portfolio}: {receiver.url}"
        assert events == "events: order.filled, position.closed"
        assert secret.startswith("whsec_")
        assert secret not in ok("webhook", "list", str(portfolio)).stdout
        round_trip(services, portfolio)

        failed = ok("webhook", "deliver")
        assert failed.stdout.strip() == "delivered 0 events, 1 failed attempts (1 webhooks due)"
        assert "HTTP 500" in failed.stderr
        listed = ok("webhook", "list", str(portfolio), "--wide").stdout
        assert "active, 1 failed attempts, next attempt " in listed
        assert "last error: HTTP 500 Internal Server Error" in listed
        services.webhook_dispatcher.deliver_due(services.clock.now() + timedelta(minutes=1))
    services.close()
    assert [r.document["type"] for r in receiver.accepted()] == [
        "order.filled",
        "order.filled",
        "position.closed",
    ]
    assert all(r.signed_with(secret) for r in receiver.requests)
    [hook] = json.loads(ok("webhook", "list", str(portfolio), "--json").stdout)["webhooks"]
    assert (hook["status"], hook["attempts"], hook["last_error"]) == ("active", 0, None)
    assert ok("webhook", "remove", str(portfolio), "1").stdout.strip() == (
        f"removed webhook 1 ({receiver.url})"
    )
    assert ok("webhook", "list", str(portfolio)).stdout.startswith(
        f"portfolio {portfolio} has no webhooks"
    )


def test_bad_input_is_one_clear_error(paper_home: Path) -> None:
    ok("create-portfolio", "desk", "1000", "--symbol", "SPY")
    assert "scheme must be http or https" in fails("webhook", "add", "1", "file:///etc/passwd")
    assert "unknown event 'everything'" in fails(
        "webhook", "add", "1", "https://example.com/", "--events", "everything"
    )
    assert "secret" in fails("webhook", "add", "1", "https://example.com/", "--secret", "short")
    assert "no portfolio with id 7" in fails("webhook", "add", "7", "https://example.com/")
    assert "has no webhook with id 3" in fails("webhook", "remove", "1", "3")
    assert ok("webhook", "deliver").stdout.strip() == (
        "delivered 0 events, 0 failed attempts (0 webhooks due)"
    )
