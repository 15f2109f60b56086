"""Alpaca's trading stream through the real application (a WebSocket over ASGI): Alpaca's
authenticate and listen handshake, then the key's portfolio's order events from the outbox,
after their commit, in sequence order, each once, with exact decimal strings."""

from __future__ import annotations

from typing import Any

import pytest
from alpaca_fixtures import AlpacaHarness, alpaca
from starlette.testclient import WebSocketTestSession

from paperdesk.api.alpaca import stream

__all__ = ["alpaca"]

LIMIT = {
    "symbol": "SPY",
    "qty": 2,
    "side": "buy",
    "type": "limit",
    "limit_price": 300.5,
    "time_in_force": "gtc",
    "client_order_id": "limit-1",
}
LISTEN = {"action": "listen", "data": {"streams": ["trade_updates"]}}


def authorize(socket: WebSocketTestSession, key: tuple[str, str]) -> dict[str, Any]:
    socket.send_json({"action": "authenticate", "data": {"key_id": key[0], "secret_key": key[1]}})
    answer: dict[str, Any] = socket.receive_json()
    return answer


def test_bad_credentials_are_refused_and_the_stream_closed(alpaca: AlpacaHarness) -> None:
    for key in ((alpaca.trader[0], "pd_wrong"), alpaca.unlimited):
        with alpaca.client.websocket_connect("/alpaca/stream") as socket:
            answer = authorize(socket, key)
            assert answer["stream"] == "authorization"
            assert answer["data"]["status"] == "unauthorized"
            assert socket.receive()["type"] == "websocket.close"


def test_trade_updates_follow_the_orders_after_their_commit(alpaca: AlpacaHarness) -> None:
    before_listening = alpaca.post("/orders", {**LIMIT, "client_order_id": "earlier"})
    assert before_listening.status_code == 200
    with alpaca.client.websocket_connect("/alpaca/stream") as socket:
        key_id, secret = alpaca.reader  # reading is enough to listen
        socket.send_json({"action": "auth", "key": key_id, "secret": secret})
        assert socket.receive_json() == {
            "stream": "authorization",
            "data": {"action": "authenticate", "status": "authorized"},
        }
        socket.send_json(LISTEN)
        assert socket.receive_json() == {
            "stream": "listening",
            "data": {"streams": ["trade_updates"]},
        }
        placed = alpaca.post("/orders", LIMIT).json()
        assert alpaca.patch(f"/orders/{placed['id']}", {"limit_price": "301"}).status_code == 200
        assert alpaca.delete(f"/orders/{placed['id']}").status_code == 204
        updates = [socket.receive_json() for _ in range(3)]
        socket.send_json({"action": "listen", "data": {"streams": []}})
        assert socket.receive_json() == {"stream": "listening", "data": {"streams": []}}
    assert {u["stream"] for u in updates} == {"trade_updates"}
    data = [u["data"] for u in updates]
    assert [(d["event"], d["order"]["client_order_id"]) for d in data] == [
        ("new", "limit-1"),
        ("replaced", "limit-1"),
        ("canceled", "limit-1"),
    ]
    assert [(d["order"]["qty"], d["order"]["limit_price"]) for d in data] == [
        ("2", "300.5"),
        ("2", "301"),
        ("2", "301"),
    ]
    assert {d["order"]["id"] for d in data} == {placed["id"]}
    sequences = [d["paperdesk_sequence"] for d in data]
    assert sequences == sorted(sequences)
    assert len(set(sequences)) == 3


def test_a_listening_stream_closes_once_its_key_is_revoked(
    alpaca: AlpacaHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stream, "RECHECK_SECONDS", 0.0)  # check the key at every poll
    created = alpaca.services.api_keys.create("short-lived", "read", [alpaca.portfolio])
    with alpaca.client.websocket_connect("/alpaca/stream") as socket:
        assert authorize(socket, ("short-lived", created.token))["data"]["status"] == "authorized"
        socket.send_json(LISTEN)
        assert socket.receive_json()["stream"] == "listening"
        alpaca.services.api_keys.revoke(created.record.id)
        answer = socket.receive_json()
        assert answer["data"]["status"] == "unauthorized"
        assert "revoked" in answer["data"]["message"]
        assert socket.receive()["type"] == "websocket.close"
