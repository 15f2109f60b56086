"""A ``/ws/trading`` client with its key in the handshake that sends the auth message all the
same (as api-streams.md shows for a client without one) gets the same resume: its ``after`` is
honoured. A key in it other than the handshake's, an ``after`` other than the URL's, or an
``after`` that comes once live entries were sent are refused with a close reason saying so."""

from __future__ import annotations

import json

from paperdesk.store import Database
from stream_support import client, closed, desk, events, receive, serving, subscribed


def test_the_auth_message_after_a_handshake_key_replays_then_goes_live(database: Database) -> None:
    trading = desk(database)
    trading.tick()
    history = trading.entries(after=0)
    reader = trading.services.api_keys.create("reader", "read").token
    with serving(trading.services) as url:
        for message in (
            {"action": "auth", "key": reader, "after": 0},
            {"action": "auth", "after": 0},
        ):
            with client(url, "/ws/trading", reader) as connection:
                connection.send(json.dumps(message))
                live = subscribed(connection)  # the stream starts live at once
                assert live["data"]["after"] == live["sequence"] == history[-1].sequence
                resumed = subscribed(connection)  # then the auth message's resume point
                assert resumed["data"]["after"] == 0
                assert resumed["sequence"] == history[-1].sequence
                replayed = events(connection, len(history))
                assert [m["sequence"] for m in replayed] == [e.sequence for e in history]
                trading.tick()
                later = trading.entries(after=history[-1].sequence)
                assert [m["sequence"] for m in events(connection, len(later))] == [
                    e.sequence for e in later
                ]
                history = trading.entries(after=0)


def test_a_different_key_in_the_auth_message_is_refused(database: Database) -> None:
    trading = desk(database)
    keys = trading.services.api_keys
    reader, other = keys.create("reader", "read").token, keys.create("other", "read").token
    with serving(trading.services) as url, client(url, "/ws/trading", reader) as connection:
        connection.send(json.dumps({"action": "auth", "key": other, "after": 0}))
        assert closed(connection) == (1008, "conflicting_api_key")


def test_an_after_in_the_message_and_another_in_the_url_are_refused(database: Database) -> None:
    trading = desk(database)
    trading.tick()
    history = [entry.sequence for entry in trading.entries(after=0)]
    last = history[-1]
    reader = trading.services.api_keys.create("reader", "read").token
    refusal = (4400, f"after=0 in the auth message differs from after={last} in the URL; give one")
    with serving(trading.services) as url:
        with client(url, "/ws/trading", reader, after=last) as connection:
            connection.send(json.dumps({"action": "auth", "after": 0}))
            assert closed(connection) == refusal
        with client(url, "/ws/trading", after=last) as connection:  # no key in the handshake
            connection.send(json.dumps({"action": "auth", "key": reader, "after": 0}))
            assert closed(connection) == refusal
        # the same resume point twice is one resume point: one replay, nothing refused
        with client(url, "/ws/trading", reader, after=0) as connection:
            connection.send(json.dumps({"action": "auth", "key": reader, "after": 0}))
            assert subscribed(connection)["data"]["after"] == 0
            assert [m["sequence"] for m in events(connection, len(history))] == history
            trading.tick()
            assert receive(connection)["sequence"] == last + 1  # no second subscribed


def test_an_after_that_comes_once_live_entries_were_sent_is_refused(database: Database) -> None:
    trading = desk(database)
    trading.tick()
    reader = trading.services.api_keys.create("reader", "read").token
    with serving(trading.services) as url, client(url, "/ws/trading", reader) as connection:
        start = subscribed(connection)["sequence"]
        trading.tick()
        assert events(connection, 1)[0]["sequence"] == start + 1
        connection.send(json.dumps({"action": "auth", "after": 0}))
        reason = f"after=0 came once live entries after {start} were sent; reconnect with after=0"
        assert closed(connection) == (4400, reason)
