"""``/ws/trading`` over a real socket (uvicorn on 127.0.0.1, the ``websockets`` client), on
SQLite and PostgreSQL: a tick's events arrive whole and in sequence, exactly as the outbox holds
them; a reconnect with a sequence gets exactly what it missed, then the live stream."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import httpx

from ledger_support import position_of
from paperdesk.api.streams.messages import MESSAGE_TYPES
from paperdesk.domain.records import OutboxEntry, delivered_payload
from paperdesk.service import Services
from paperdesk.store import Database
from stream_support import (
    DAYS,
    HISTORY,
    Desk,
    client,
    desk,
    events,
    events_through,
    serving,
    subscribed,
)
from webhook_fixtures import both_ways_portfolio, round_trip, short_round_trip


def _expected(entry: OutboxEntry) -> dict[str, object]:
    return {
        "type": MESSAGE_TYPES[entry.kind],
        "sequence": entry.sequence,
        "portfolio_id": entry.portfolio_id,
        "event": entry.kind,
        "data": delivered_payload(entry),  # the payload, a closed trade's direction added
    }


def _without_timestamp(message: dict[str, object]) -> dict[str, object]:
    return {name: value for name, value in message.items() if name != "timestamp"}


def test_a_ticks_events_arrive_in_sequence_exactly_as_committed(database: Database) -> None:
    trading = desk(database)
    reader = trading.services.api_keys.create("reader", "read").token
    with serving(trading.services) as url, client(url, "/ws/trading", reader) as connection:
        start = subscribed(connection)["sequence"]
        for _ in range(4):  # buy, sell, the round trip closes, equity marks
            trading.tick()
        committed = trading.entries(after=start)
        received = events(connection, len(committed))

    assert [_without_timestamp(m) for m in received] == [_expected(e) for e in committed]
    sequences = [m["sequence"] for m in received]
    assert sequences == list(range(start + 1, start + 1 + len(committed))), "a gap or a repeat"
    types = {m["type"] for m in received}
    wanted = {"price_update", "signal_alert", "order_update", "trade_execution", "trade_closed"}
    assert wanted | {"equity_update"} <= types, types
    for message, entry in zip(received, committed, strict=True):
        stamp = message["timestamp"]
        assert isinstance(stamp, str)
        assert stamp.endswith("Z"), stamp  # the API's one form of a UTC time (api.times)
        assert abs(entry.ts_event - datetime.fromisoformat(stamp)) == timedelta(0)
    fills = trading.services.portfolios.fills(trading.portfolio_id)
    executions = [m["data"]["fill"] for m in received if m["type"] == "trade_execution"]
    assert [(f["price"], f["quantity"]) for f in executions] == [
        (str(f.price), str(f.quantity)) for f in fills
    ]
    closes = [m["data"]["close"] for m in received if m["type"] == "price_update"]
    assert closes == [str(c) for c in _spy_closes(trading)]


def test_a_reconnect_with_its_last_sequence_gets_exactly_what_it_missed(database: Database) -> None:
    trading = desk(database)
    reader = trading.services.api_keys.create("reader", "read").token
    with serving(trading.services) as url:
        with client(url, "/ws/trading", reader) as connection:
            subscribed(connection)
            trading.tick()
            first = events_through(connection, trading.entries(after=0)[-1].sequence)
        last_seen = first[-1]["sequence"]
        trading.tick()  # missed while disconnected
        trading.tick()
        missed = trading.entries(after=last_seen)
        with client(url, "/ws/trading", reader, after=last_seen) as connection:
            assert subscribed(connection)["data"]["after"] == last_seen
            connection.send(b"\x00")  # what a trading client sends is ignored, even bytes
            connection.send("{not json")
            replayed = events(connection, len(missed))
            trading.tick()  # live, after the replay: no gap and no repeat at the seam
            live = trading.entries(after=missed[-1].sequence)
            streamed = events(connection, len(live))

    assert [m["sequence"] for m in replayed] == [e.sequence for e in missed]
    assert [m["sequence"] for m in streamed] == [e.sequence for e in live]
    assert replayed[0]["sequence"] == last_seen + 1


def test_a_resume_from_zero_replays_the_whole_history_then_goes_live(database: Database) -> None:
    trading = desk(database)
    trading.tick()
    trading.tick()
    history = trading.entries(after=0)
    reader = trading.services.api_keys.create("reader", "read").token
    with serving(trading.services) as url, client(url, "/ws/trading", reader, after=0) as socket:
        replayed = events(socket, len(history))
        trading.tick()
        live = trading.entries(after=history[-1].sequence)
        streamed = events(socket, len(live))
    assert [m["sequence"] for m in replayed + streamed] == [e.sequence for e in history + live]


def _spy_closes(trading: Desk) -> list[Decimal]:
    """The bundled closes of the days the desk ticked."""
    return [
        Decimal(str(HISTORY["close"].iloc[position_of(HISTORY, day)]))
        for day in DAYS[: trading.day + 1]
    ]


def test_a_closed_trade_says_its_direction_in_the_trades_apis_words(database: Database) -> None:
    """``trade_closed``'s ``data.trade.direction`` is what ``GET /portfolios/{id}/trades`` calls
    the round trip (``long``/``short``); ``data.trade.side`` stays the opening order's."""
    services = Services(database=database)  # the wall clock: the replay keeps its own
    try:
        portfolio = both_ways_portfolio(services)
        reader = services.api_keys.create("reader", "read").token
        with serving(services) as url, client(url, "/ws/trading", reader) as connection:
            start = subscribed(connection)["sequence"]
            round_trip(services, portfolio)
            short_round_trip(services, portfolio)
            committed = services.outbox.entries(after=start, limit=10**6)
            received = events(connection, len(committed))
            answer = httpx.get(
                f"{url.replace('ws://', 'http://')}/api/v1/portfolios/{portfolio}/trades",
                headers={"Authorization": f"Bearer {reader}"},
            )
    finally:
        services.close()
    rest = answer.json()["items"]
    assert [t["side"] for t in rest] == ["long", "short"]
    sent = [m["data"]["trade"] for m in received if m["type"] == "trade_closed"]
    assert [t["direction"] for t in sent] == [t["side"] for t in rest]
    assert [t["side"] for t in sent] == ["buy", "sell"]  # as before: existing clients keep it
