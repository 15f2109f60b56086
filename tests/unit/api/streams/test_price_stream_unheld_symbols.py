"""``/ws/prices`` tells a client which of the symbols it subscribed to no layer holds bars of:
an ``error`` message with the code ``unknown_symbol`` naming them (after ``subscribed``, or
after the ``symbols`` answer of a later subscribe); the subscription stands and the stream goes
on. A subscription to ``NOPE`` was accepted without a word."""

from __future__ import annotations

import json

from paperdesk.store import Database
from stream_support import DAYS, client, desk, events, receive, serving, subscribed


def _unheld(message: dict[str, object]) -> list[str]:
    assert message["type"] == "error", message
    assert message["portfolio_id"] is None, message
    assert message["sequence"] is None, message
    data = message["data"]
    assert isinstance(data, dict)
    assert data["code"] == "unknown_symbol", data
    assert "subscribed all the same" in str(data["message"]), data
    symbols = data["symbols"]
    assert isinstance(symbols, list)
    for symbol in symbols:
        assert symbol in str(data["message"])
    return symbols


def test_symbols_no_layer_holds_are_named_and_the_stream_goes_on(database: Database) -> None:
    trading = desk(database)
    reader = trading.services.api_keys.create("reader", "read").token
    url_symbols = "SPY,NOPE"
    with (
        serving(trading.services) as url,
        client(url, "/ws/prices", reader, symbols=url_symbols) as ws,
    ):
        subscribed(ws)
        assert _unheld(receive(ws)) == ["NOPE"]
        ws.send(json.dumps({"action": "subscribe", "symbols": ["ZZZ9", "AAPL", "QQQX"]}))
        answer = receive(ws)
        assert answer["type"] == "symbols", answer
        assert answer["data"]["symbols"] == ["AAPL", "NOPE", "QQQX", "SPY", "ZZZ9"]
        assert _unheld(receive(ws)) == ["QQQX", "ZZZ9"]
        ws.send(json.dumps({"action": "subscribe", "symbols": ["AAPL"]}))  # held: no notice
        assert receive(ws)["type"] == "symbols"
        trading.tick()
        (price,) = events(ws, 1)
    assert price["type"] == "price_update"
    assert price["data"]["symbol"] == "SPY"
    assert price["data"]["bar_open"].startswith(DAYS[0])
