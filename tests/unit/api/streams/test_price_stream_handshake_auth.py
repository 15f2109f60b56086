"""A ``/ws/prices`` client with its key in the handshake that sends the auth message first all
the same (as api-streams.md shows for a client without one) gets the resume ``/ws/trading``
gives it: its ``after`` is honoured, before the stream starts (no ``?symbols=``: the stream
starts there) or once it started live (``?symbols=``: a second ``subscribed``, the replay, then
live). Another key, another ``after`` than the URL's, or an ``after`` that comes once live
entries were sent are refused with the trading stream's close codes and reasons."""

from __future__ import annotations

import json

from paperdesk.store import Database
from stream_support import Desk, client, closed, desk, events, receive, serving, subscribed


def _prices(trading: Desk, after: int) -> list[int]:
    """The sequences of the SPY bars ticked after ``after`` (each a ``price_update``)."""
    return [e.sequence for e in trading.entries(after=after) if e.kind == "tick.processed"]


def test_the_auth_message_after_a_handshake_key_replays_then_goes_live(database: Database) -> None:
    trading = desk(database)
    trading.tick()
    trading.tick()
    reader = trading.services.api_keys.create("reader", "read").token
    with serving(trading.services) as url:
        for message in (
            {"action": "auth", "key": reader, "after": 0},
            {"action": "auth", "after": 0},
        ):
            replay = _prices(trading, 0)
            last = trading.entries(after=0)[-1].sequence
            with client(url, "/ws/prices", reader, symbols="SPY") as connection:
                connection.send(json.dumps(message))
                live = subscribed(connection)  # ?symbols=: the stream starts live at once
                assert live["data"]["after"] == live["sequence"] == last
                resumed = subscribed(connection)  # then the auth message's resume point
                assert (resumed["data"]["after"], resumed["sequence"]) == (0, last)
                assert [m["sequence"] for m in events(connection, len(replay))] == replay
                trading.tick()
                later = _prices(trading, last)
                assert [m["sequence"] for m in events(connection, len(later))] == later


def test_an_auth_message_before_the_subscribe_starts_the_stream_at_its_after(
    database: Database,
) -> None:
    trading = desk(database)
    trading.tick()
    trading.tick()
    replay = _prices(trading, 0)
    last = trading.entries(after=0)[-1].sequence
    reader = trading.services.api_keys.create("reader", "read").token
    with serving(trading.services) as url, client(url, "/ws/prices", reader) as connection:
        connection.send(json.dumps({"action": "auth", "after": 0}))
        connection.send(json.dumps({"action": "subscribe", "symbols": ["SPY"]}))
        start = subscribed(connection)  # one subscribed: the stream starts at the resume point
        assert (start["data"]["after"], start["sequence"]) == (0, last)
        assert [m["sequence"] for m in events(connection, len(replay))] == replay
        trading.tick()
        later = _prices(trading, last)
        assert [m["sequence"] for m in events(connection, len(later))] == later


def test_a_different_key_in_the_auth_message_is_refused(database: Database) -> None:
    trading = desk(database)
    keys = trading.services.api_keys
    reader, other = keys.create("reader", "read").token, keys.create("other", "read").token
    with serving(trading.services) as url:
        for query in ({"symbols": "SPY"}, {}):
            with client(url, "/ws/prices", reader, **query) as connection:
                connection.send(json.dumps({"action": "auth", "key": other, "after": 0}))
                assert closed(connection) == (1008, "conflicting_api_key")


def test_an_after_in_the_message_and_another_in_the_url_are_refused(database: Database) -> None:
    trading = desk(database)
    trading.tick()
    last = trading.entries(after=0)[-1].sequence
    reader = trading.services.api_keys.create("reader", "read").token
    refusal = (4400, f"after=0 in the auth message differs from after={last} in the URL; give one")
    with serving(trading.services) as url:
        for query in ({"symbols": "SPY"}, {}):
            with client(url, "/ws/prices", reader, after=last, **query) as connection:
                connection.send(json.dumps({"action": "auth", "after": 0}))
                assert closed(connection) == refusal
        # the same resume point twice is one resume point: one replay, nothing refused
        replay = _prices(trading, 0)
        with client(url, "/ws/prices", reader, after=0, symbols="SPY") as connection:
            connection.send(json.dumps({"action": "auth", "key": reader, "after": 0}))
            assert subscribed(connection)["data"]["after"] == 0
            assert [m["sequence"] for m in events(connection, len(replay))] == replay
            trading.tick()
            assert receive(connection)["sequence"] == _prices(trading, last)[0]  # no subscribed


def test_an_after_that_comes_once_live_entries_were_sent_is_refused(database: Database) -> None:
    trading = desk(database)
    trading.tick()
    reader = trading.services.api_keys.create("reader", "read").token
    with (
        serving(trading.services) as url,
        client(url, "/ws/prices", reader, symbols="SPY") as connection,
    ):
        start = subscribed(connection)["sequence"]
        trading.tick()
        assert events(connection, 1)[0]["sequence"] == _prices(trading, start)[0]
        connection.send(json.dumps({"action": "auth", "after": 0}))
        reason = f"after=0 came once live entries after {start} were sent; reconnect with after=0"
        assert closed(connection) == (4400, reason)
