"""More requests the bare path (``api/bare_routes.py``) must answer as FastAPI's path does:
bodies Python's ``json`` reads but a money field refuses (NaN, Infinity, 1e400, a whole number
past the int parser's limit), duplicate keys, UTF-16 and a byte-order mark, a content type in
capitals or with a suffix, odd path parameters, a body on a cancel, a reused client order id,
and an unexpected exception in the service (the same 500, nothing written), on SQLite and
PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from api_fixtures import API, Harness, api
from test_api_bare_routes import LIMIT, _accepted, _both, _same, broken_orders

__all__ = ["api"]

PLAIN = b'{"symbol":"SPY","side":"buy","quantity":"1","type":"limit","limit_price":"50"}'
JSON = {"Content-Type": "application/json"}


def _body(**raw: bytes) -> bytes:
    """PLAIN with the fields' JSON texts replaced (``raw`` values are JSON, not strings)."""
    body = PLAIN
    for name, text in raw.items():
        start = body.index(f'"{name}":'.encode()) + len(name) + 3
        end = body.index(b",", start) if b"," in body[start:] else body.index(b"}", start)
        body = body[:start] + text + body[end:]
    return body


def _compare(api: Harness, monkeypatch: pytest.MonkeyPatch, cases: list[Any]) -> None:
    for method, url, extra, body in cases:
        for token in (api.trader, None):
            headers = {"X-Request-ID": "same-id", **extra}
            if token is not None:
                headers["Authorization"] = f"Bearer {token}"

            def send(
                method: str = method, url: str = url, headers: Any = headers, body: Any = body
            ) -> Any:
                return api.client.request(method, url, headers=headers, content=body)

            first, second = _both(monkeypatch, send)
            if first.status_code == 201:
                assert second.status_code == 201, second.text
                assert _accepted(first.json()) == _accepted(second.json())
            else:
                assert first.status_code in (400, 401, 404, 409, 422), (url, body, first.text)
                _same(first, second)


def test_odd_bodies_and_paths_answer_as_on_fastapis_path(
    api: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    portfolio = api.create_portfolio()
    orders = f"{API}/portfolios/{portfolio}/orders"
    assert api.post(f"/portfolios/{portfolio}/orders", LIMIT).status_code == 201  # O1
    assert api.delete(f"/portfolios/{portfolio}/orders/O1").status_code == 200
    named = {**LIMIT, "client_order_id": "mine"}
    assert api.post(f"/portfolios/{portfolio}/orders", named).status_code == 201
    cases: list[tuple[str, str, dict[str, str], bytes | None]] = [
        ("POST", orders, JSON, _body(quantity=b"NaN")),
        ("POST", orders, JSON, _body(limit_price=b"Infinity")),
        ("POST", orders, JSON, _body(limit_price=b"-Infinity")),
        ("POST", orders, JSON, _body(quantity=b"1e400")),
        ("POST", orders, JSON, _body(limit_price=b"1e-400")),
        ("POST", orders, JSON, _body(quantity=b"9" * 5000)),  # past int's digit limit: 400
        ("POST", orders, JSON, _body(limit_price=b'"1e999999999"')),
        ("POST", orders, JSON, _body(limit_price=b'"sNaN"')),
        ("POST", orders, JSON, _body(quantity=b"true")),
        ("POST", orders, JSON, PLAIN[:-1] + b',"limit_price":"NaN"}'),  # the last one counts
        ("POST", orders, JSON, PLAIN[:-1] + b',"client_order_id":"\\ud800"}'),
        ("POST", orders, JSON, PLAIN[:-1] + b',"client_order_id":"mine"}'),  # a duplicate
        ("POST", orders, JSON, PLAIN[:-1] + b',"client_order_id":"a\\u0000b"}'),
        ("POST", orders, JSON, PLAIN[:-1] + b',"unknown":[1,{"a":null}]}'),
        ("POST", orders, JSON, b"null"),
        ("POST", orders, JSON, b"  "),
        ("POST", orders, JSON, PLAIN.decode().encode("utf-16")),
        ("POST", orders, JSON, b"\xef\xbb\xbf" + PLAIN),
        ("POST", orders, {"Content-Type": "Application/JSON"}, PLAIN),
        ("POST", orders, {"Content-Type": "application/vnd.paperdesk+json"}, PLAIN),
        ("DELETE", f"{orders}/O%31", {}, None),  # O1, canceled already
        ("DELETE", f"{orders}/O1", JSON, b'{"x":1}'),
        ("DELETE", f"{API}/portfolios/%2B{portfolio}/orders/O1", {}, None),
        ("DELETE", f"{API}/portfolios/{portfolio}.0/orders/O1", {}, None),
        ("DELETE", f"{API}/portfolios/-1/orders/O1", {}, None),
        ("DELETE", f"{API}/portfolios/{'9' * 5000}/orders/O1", {}, None),
        ("DELETE", f"{orders}/%00", {}, None),
    ]
    _compare(api, monkeypatch, cases)


def test_an_unexpected_exception_answers_as_on_fastapis_path_and_writes_nothing(
    api: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = broken_orders(api, monkeypatch)
    monkeypatch.setattr(api.client._transport, "raise_server_exceptions", False)  # type: ignore[attr-defined]
    before = api.dump()
    sends = [
        lambda: api.post(path, LIMIT, **{"X-Request-ID": "r"}),
        lambda: api.post(path, LIMIT, **{"X-Request-ID": "r", "Idempotency-Key": "k"}),
        lambda: api.delete(f"{path}/O1", **{"X-Request-ID": "r"}),
        lambda: api.delete(f"{path}/O1", **{"X-Request-ID": "r", "Idempotency-Key": "c"}),
    ]
    for send in sends:
        first, second = _both(monkeypatch, send)
        assert first.status_code == 500
        assert first.json()["code"] == "internal_error"
        _same(first, second)
    assert api.dump() == before
