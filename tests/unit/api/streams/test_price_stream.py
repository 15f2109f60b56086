"""``/ws/prices`` over a real socket: the bars ticks processed, only for the symbols the client
subscribed to, each bar of a symbol once however many portfolios trade it, with the bundled
bar's exact prices; subscriptions change while the stream runs."""

from __future__ import annotations

import json
from typing import Any

from ledger_support import position_of
from paperdesk.config import SourceConfig
from paperdesk.live.sources import BarSource
from paperdesk.store import Database
from stream_support import DAYS, HISTORY, client, create, desk, events, receive, serving, subscribed

AAPL = BarSource().history("AAPL", "1d", SourceConfig())


def _bar(message: dict[str, Any]) -> tuple[str, str, str, str, str, str]:
    data = message["data"]
    return (
        data["symbol"],
        data["bar_open"],
        data["open"],
        data["high"],
        data["low"],
        data["close"],
    )


def _bundled(symbol: str, day: str) -> tuple[str, str, str, str, str, str]:
    history = HISTORY if symbol == "SPY" else AAPL
    row = history.iloc[position_of(history, day)]
    opened = history.index[position_of(history, day)].isoformat()
    return (symbol, opened, *(_cents(str(row[name])) for name in ("open", "high", "low", "close")))


def _cents(text: str) -> str:
    """A bundled price with at least a cent's two decimals, as the streams write a US equity's
    (the prices API's form: ``320.5`` is ``320.50``, ``322.125`` stays)."""
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction.ljust(2, '0')}"


def test_prices_come_for_subscribed_symbols_once_per_bar(database: Database) -> None:
    trading = desk(database)
    services = trading.services
    twin = create(services, "twin", "SPY")  # the same SPY bars: each still sent once
    apple = create(services, "apple", "AAPL")
    reader = services.api_keys.create("reader", "read").token
    with serving(services) as url, client(url, "/ws/prices", reader) as connection:
        connection.send(json.dumps({"action": "subscribe", "symbols": ["spy"]}))
        subscribed(connection)
        for _ in range(2):
            trading.tick()
            trading.tick(twin, next_day=False)
            trading.tick(apple, "AAPL", next_day=False)
        spy_only = events(connection, 2)
        connection.send(json.dumps({"action": "subscribe", "symbols": ["AAPL"]}))
        assert _symbols(receive(connection)) == ["AAPL", "SPY"]
        trading.tick()
        trading.tick(apple, "AAPL", next_day=False)
        both = events(connection, 2)
        connection.send(json.dumps({"action": "unsubscribe", "symbols": ["SPY"]}))
        assert _symbols(receive(connection)) == ["AAPL"]
        trading.tick()  # SPY only: nothing for this client
        trading.tick(apple, "AAPL", next_day=False)
        (last,) = events(connection, 1)

    assert {m["type"] for m in spy_only + both + [last]} == {"price_update"}
    assert [_bar(m) for m in spy_only] == [_bundled("SPY", day) for day in DAYS[:2]]
    assert [_bar(m) for m in both] == [_bundled("SPY", DAYS[2]), _bundled("AAPL", DAYS[2])]
    assert _bar(last) == _bundled("AAPL", DAYS[3])


def _symbols(message: dict[str, Any]) -> list[str]:
    """The symbols a ``symbols`` acknowledgement lists."""
    assert message["type"] == "symbols", message
    symbols: list[str] = message["data"]["symbols"]
    return symbols


def test_a_bad_subscription_is_answered_and_the_stream_goes_on(database: Database) -> None:
    trading = desk(database)
    reader = trading.services.api_keys.create("reader", "read").token
    with serving(trading.services) as url, client(url, "/ws/prices", reader, symbols="SPY") as ws:
        subscribed(ws)
        ws.send(json.dumps({"action": "subscribe", "symbols": ["../etc/passwd"]}))
        refusal = receive(ws)
        ws.send("not json")
        not_json = receive(ws)
        ws.send(b"\x00binary")
        binary = receive(ws)
        trading.tick()
        (price,) = events(ws, 1)
    assert refusal["type"] == "error"
    assert "symbols" in refusal["data"]["message"]
    assert not_json["type"] == "error"
    assert "JSON" in not_json["data"]["message"]
    assert binary["type"] == "error"
    assert "binary" in binary["data"]["message"]
    assert _bar(price) == _bundled("SPY", DAYS[0])


def test_prices_come_only_from_the_portfolios_the_key_sees(database: Database) -> None:
    trading = desk(database)
    services = trading.services
    apple = create(services, "apple", "AAPL")
    limited = services.api_keys.create("apple only", "read", [apple]).token
    with serving(services) as url, client(url, "/ws/prices", limited, symbols="SPY,AAPL") as ws:
        subscribed(ws)
        trading.tick()  # SPY, in a portfolio this key does not see
        trading.tick(apple, "AAPL", next_day=False)
        (price,) = events(ws, 1)
    assert price["portfolio_id"] == apple
    assert _bar(price) == _bundled("AAPL", DAYS[0])
