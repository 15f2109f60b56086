"""Who may stream what: the same API keys as the REST API. A missing, unknown or revoked key is
closed with 1008 (policy violation) and its error code; a bad resume point with 4400 naming it;
a key limited to one portfolio never receives another portfolio's events."""

from __future__ import annotations

import json

import pytest

from paperdesk.store import Database
from stream_support import client, closed, create, desk, events, events_through, serving, subscribed


@pytest.mark.parametrize("path", ["/ws/trading", "/ws/prices"])
def test_bad_keys_are_refused_with_a_policy_violation(database: Database, path: str) -> None:
    trading = desk(database)
    keys = trading.services.api_keys
    revoked = keys.create("gone", "read")
    keys.revoke(revoked.record.id)
    with serving(trading.services) as url:
        with client(url, path, "pd_not-a-key") as connection:
            assert closed(connection) == (1008, "invalid_api_key")
        with client(url, path, revoked.token) as connection:
            assert closed(connection) == (1008, "revoked_api_key")
        with client(url, path, token="pd_not-a-key-either") as connection:  # in the query
            assert closed(connection) == (1008, "invalid_api_key")
        with client(url, path) as connection:  # no key, and a first message that is not one
            connection.send(json.dumps({"action": "subscribe", "symbols": ["SPY"]}))
            assert closed(connection) == (1008, "missing_api_key")


def test_a_bad_resume_point_is_refused_naming_it(database: Database) -> None:
    trading = desk(database)
    reader = trading.services.api_keys.create("reader", "read").token
    with serving(trading.services) as url:
        for bad in ("-1", "abc", "1.5", str(2**64)):
            with client(url, "/ws/trading", reader, after=bad) as connection:
                code, reason = closed(connection)
                assert code == 4400
                assert "after" in reason


def test_the_key_may_come_in_the_first_message_with_its_resume_point(database: Database) -> None:
    trading = desk(database)
    trading.tick()
    history = trading.entries(after=0)
    reader = trading.services.api_keys.create("reader", "read").token
    with serving(trading.services) as url, client(url, "/ws/trading") as connection:
        connection.send(json.dumps({"action": "auth", "key": reader, "after": 0}))
        assert subscribed(connection)["data"]["after"] == 0
        replayed = events(connection, len(history))
    assert [m["sequence"] for m in replayed] == [e.sequence for e in history]


def test_a_key_never_receives_another_portfolios_events(database: Database) -> None:
    trading = desk(database)
    services = trading.services
    other = create(services, "other", "SPY")
    mine = services.api_keys.create("mine", "read", [trading.portfolio_id]).token
    with serving(services) as url, client(url, "/ws/trading", mine, after=0) as connection:
        for _ in range(3):
            trading.tick(other)  # the other portfolio ticks first: its entries come earlier
            trading.tick(next_day=False)
        everything = trading.entries(after=0)
        visible = [e for e in everything if e.portfolio_id == trading.portfolio_id]
        received = events_through(connection, visible[-1].sequence)

    assert any(e.portfolio_id == other for e in everything), "the other portfolio published"
    assert [m["sequence"] for m in received] == [e.sequence for e in visible]
    assert {m["portfolio_id"] for m in received} == {trading.portfolio_id}
