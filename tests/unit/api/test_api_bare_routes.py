"""Placing and cancelling an order take the bare path (``api/bare_routes.py``: no FastAPI
dependency solving) and answer every request as FastAPI's own path does: the same status,
body and headers for refusals of every kind (body, path, key, scope, visibility, rate limit,
idempotency, the service's rules), the same result for accepted ones, with the request's id in
the endpoint's thread and the route's metrics (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import fastapi.routing
import pytest
from api_fixtures import API, Harness, api

from paperdesk.api import bare_routes
from paperdesk.api.metrics import HTTP_REQUESTS
from paperdesk.api.rate_limit import InProcessLimiter, Limit
from paperdesk.service.logs import request_id

__all__ = ["api"]

LIMIT = {"symbol": "SPY", "side": "buy", "quantity": "1", "type": "limit", "limit_price": "50"}
HEADERS = ("allow", "retry-after", "www-authenticate", "x-request-id", "content-type")
HEADERS += ("idempotent-replayed",)
# what differs between two accepted placements: the order's id and the clock
VARYING = ("order_id", "client_order_id", "ts_submitted", "ts_updated", "ts_expire")


@pytest.fixture
def solved(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The requests FastAPI solved the dependencies of (its path, not the bare one)."""
    calls: list[str] = []
    real = fastapi.routing.solve_dependencies

    async def counted(*, request: Any, **arguments: Any) -> Any:
        calls.append(f"{request.method} {request.url.path}")
        return await real(request=request, **arguments)

    monkeypatch.setattr(fastapi.routing, "solve_dependencies", counted)
    return calls


def _both(monkeypatch: pytest.MonkeyPatch, send: Callable[[], Any]) -> tuple[Any, Any]:
    """``send()`` on FastAPI's path, then on the bare path."""
    monkeypatch.setattr(bare_routes, "ENABLED", False)
    fastapi_answer = send()
    monkeypatch.setattr(bare_routes, "ENABLED", True)
    return fastapi_answer, send()


def _same(first: Any, second: Any) -> None:
    assert first.status_code == second.status_code, (first.text, second.text)
    assert first.content == second.content
    for name in HEADERS:
        assert first.headers.get(name) == second.headers.get(name), name


def _accepted(body: Any) -> Any:
    if isinstance(body, dict):
        return {k: (None if k in VARYING else _accepted(v)) for k, v in body.items()}
    if isinstance(body, list):
        return [_accepted(item) for item in body]
    return body


def refusing(api: Harness) -> tuple[int, int, list[str | None]]:
    """A portfolio with order O1 placed and canceled, an archived portfolio, and the callers:
    the trading key, a read key, a key limited to another portfolio, a revoked key, an unknown
    key and none."""
    portfolio = api.create_portfolio()
    other = api.create_portfolio(name="other")
    archived = api.create_portfolio(name="old")
    api.services.portfolios.archive_portfolio(archived)
    keys = api.services.api_keys
    limited = keys.create("limited", "trade", [other]).token
    revoked = keys.create("revoked", "trade")
    keys.revoke(revoked.record.id)
    assert api.post(f"/portfolios/{portfolio}/orders", LIMIT).status_code == 201  # O1
    assert api.delete(f"/portfolios/{portfolio}/orders/O1").status_code == 200
    return portfolio, archived, [api.trader, api.reader, limited, revoked.token, "nope", None]


def broken_orders(api: Harness, monkeypatch: pytest.MonkeyPatch) -> str:
    """The path of a portfolio's orders (O1 placed) whose placements and cancels then raise an
    unexpected error in the service."""
    portfolio = api.create_portfolio()
    path = f"/portfolios/{portfolio}/orders"
    assert api.post(path, LIMIT).status_code == 201  # O1

    def broken(*arguments: Any) -> Any:
        raise RuntimeError("a bug")

    service = api.services.portfolios
    monkeypatch.setattr(service, "place_order", broken)
    monkeypatch.setattr(service, "cancel_order", broken)
    return path


def test_a_placement_and_a_cancel_are_served_without_fastapis_dependency_solver(
    api: Harness, solved: list[str]
) -> None:
    portfolio = api.create_portfolio()
    path = f"/portfolios/{portfolio}/orders"
    solved.clear()
    assert api.post(path, LIMIT).status_code == 201
    assert api.delete(f"{path}/O1").status_code == 200
    assert api.post(path, LIMIT, **{"Idempotency-Key": "k-1"}).status_code == 201
    assert solved == []
    assert api.get(f"{path}/O1").status_code == 200  # the other routes: FastAPI's path
    assert solved == [f"GET {API}{path}/O1"]


def test_a_request_the_bare_path_does_not_take_is_served_by_fastapi(
    api: Harness, solved: list[str]
) -> None:
    """A body FastAPI would refuse or parse another way goes to FastAPI with its bytes."""
    portfolio = api.create_portfolio()
    url = f"{API}/portfolios/{portfolio}/orders"
    headers = api.headers(api.trader, **{"Content-Type": "application/json; charset=utf-8"})
    solved.clear()
    placed = api.client.post(url, json=LIMIT, headers=headers)
    assert placed.status_code == 201, placed.text  # the body replayed to FastAPI's path
    assert solved == [f"POST {url}"]


def test_every_refusal_answers_as_on_fastapis_path(
    api: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    portfolio, archived, tokens = refusing(api)
    orders = f"{API}/portfolios/{portfolio}/orders"
    json_type = {"Content-Type": "application/json"}
    bad = {**LIMIT, "quantity": "-1"}
    cases: list[tuple[str, str, dict[str, str], Any]] = [
        # (method, url, headers, json body or raw bytes)
        ("POST", orders, json_type, b'{"symbol": '),  # not JSON
        ("POST", orders, json_type, b"\xff\xfe"),  # not UTF-8
        ("POST", orders, json_type, b""),  # no body
        ("POST", orders, {}, b'{"symbol": "SPY"}'),  # no content type
        ("POST", orders, {"Content-Type": "text/plain"}, b"{}"),
        ("POST", orders, {}, []),
        ("POST", orders, {}, "SPY"),
        ("POST", orders, {}, {"symbol": "SPY"}),  # fields missing
        ("POST", orders, {}, bad),
        ("POST", orders, {}, {**LIMIT, "type": "sideways", "extra": 1}),
        ("POST", orders, {}, {**LIMIT, "symbol": "NOPE"}),  # the service's refusal
        ("POST", orders, {}, {**LIMIT, "quantity": "100000000"}),  # insufficient cash
        ("POST", f"{API}/portfolios/0/orders", {}, LIMIT),
        ("POST", f"{API}/portfolios/abc/orders", {}, bad),
        ("POST", f"{API}/portfolios/{2**63}/orders", {}, LIMIT),
        ("POST", f"{API}/portfolios/999999/orders", {}, LIMIT),  # unknown: 404
        ("POST", f"{API}/portfolios/{archived}/orders", {}, LIMIT),  # archived: 409
        ("POST", f"{API}/portfolios/{archived}/orders", {}, bad),
        ("POST", orders, {"Idempotency-Key": "x" * 300}, LIMIT),  # the key's own limit
        ("DELETE", f"{orders}/O1", {}, None),  # canceled already: 409
        ("DELETE", f"{orders}/O404", {}, None),
        ("DELETE", f"{orders}/{'O' * 65}", {}, None),
        ("DELETE", f"{API}/portfolios/0/orders/O1", {}, None),
        ("DELETE", f"{API}/portfolios/{archived}/orders/O1", {}, None),
        ("PUT", orders, {}, LIMIT),  # 405
        ("PATCH", f"{orders}/O1", {}, {"quantity": "2"}),  # the trading router's route
    ]
    before = api.dump()
    for method, url, extra, body in cases:
        for token in tokens:
            headers = {"X-Request-ID": "same-id", **extra}
            if token is not None:
                headers["Authorization"] = f"Bearer {token}"
            content = body if isinstance(body, bytes) else None
            document = None if isinstance(body, bytes) else body

            def send(
                method: str = method,
                url: str = url,
                headers: dict[str, str] = headers,
                content: bytes | None = content,
                document: Any = document,
            ) -> Any:
                return api.client.request(
                    method, url, headers=headers, content=content, json=document
                )

            fastapi_answer, bare_answer = _both(monkeypatch, send)
            assert fastapi_answer.status_code >= 400, (method, url, token)
            _same(fastapi_answer, bare_answer)
    assert api.dump() == before


def test_the_rate_limit_answers_429_with_retry_after_as_on_fastapis_path(
    api: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    portfolio = api.create_portfolio()
    url = f"{API}/portfolios/{portfolio}/orders"
    headers = api.headers(api.trader, **{"X-Request-ID": "same-id"})
    answers = []
    for enabled in (False, True):
        monkeypatch.setattr(bare_routes, "ENABLED", enabled)
        api.client.app.state.rate_limiter = InProcessLimiter(Limit(1, 1))  # type: ignore[attr-defined]
        first = api.client.post(url, json={**LIMIT, "quantity": "-1"}, headers=headers)
        assert first.status_code == 422
        answers.append(api.client.post(url, json=LIMIT, headers=headers))
    assert answers[0].status_code == 429
    assert answers[0].headers["Retry-After"]
    _same(*answers)


def test_an_accepted_placement_and_cancel_and_their_replays_answer_as_on_fastapis_path(
    api: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    portfolio = api.create_portfolio()
    path = f"/portfolios/{portfolio}/orders"
    placed = _both(monkeypatch, lambda: api.post(path, LIMIT))  # O1, O2
    named = _both(  # O3, O4
        monkeypatch,
        lambda: api.post(path, {**LIMIT, "client_order_id": f"c-{bare_routes.ENABLED}"}),
    )
    for pair in (placed, named):
        assert [answer.status_code for answer in pair] == [201, 201]
        assert _accepted(pair[0].json()) == _accepted(pair[1].json())
    assert named[1].json()["orders"][0]["client_order_id"] == "c-True"
    order_ids = iter(["O1", "O2"])
    canceled = _both(monkeypatch, lambda: api.delete(f"{path}/{next(order_ids)}"))
    assert [answer.status_code for answer in canceled] == [200, 200]
    assert _accepted(canceled[0].json()) == _accepted(canceled[1].json())
    # a key used on FastAPI's path is replayed by the bare path, and refused for another body
    monkeypatch.setattr(bare_routes, "ENABLED", False)
    first = api.post(path, LIMIT, **{"Idempotency-Key": "k-1"})
    cancel_first = api.delete(f"{path}/O5", **{"Idempotency-Key": "k-2"})
    monkeypatch.setattr(bare_routes, "ENABLED", True)
    before = api.dump()
    replayed = api.post(path, LIMIT, **{"Idempotency-Key": "k-1"})
    assert (replayed.status_code, replayed.json()) == (201, first.json())
    assert replayed.headers["Idempotent-Replayed"] == "true"
    cancel_replayed = api.delete(f"{path}/O5", **{"Idempotency-Key": "k-2"})
    assert (cancel_replayed.status_code, cancel_replayed.json()) == (200, cancel_first.json())
    reused = _both(
        monkeypatch,
        lambda: api.post(path, {**LIMIT, "quantity": "2"}, **{"Idempotency-Key": "k-1"}),
    )
    assert reused[0].status_code == 422
    assert reused[0].json()["code"] == "idempotency_key_reused"
    assert (reused[0].json()["message"], reused[0].status_code) == (
        reused[1].json()["message"],
        reused[1].status_code,
    )
    assert api.dump() == before


def test_the_endpoint_runs_in_a_thread_with_the_requests_id(
    api: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Log records written by the service carry the request's id (its context goes along)."""
    portfolio = api.create_portfolio()
    seen: list[str | None] = []
    service = api.services.portfolios
    place, cancel = service.place_order, service.cancel_order
    monkeypatch.setattr(
        service, "place_order", lambda *a: seen.append(request_id.get()) or place(*a)
    )
    monkeypatch.setattr(
        service, "cancel_order", lambda *a: seen.append(request_id.get()) or cancel(*a)
    )
    path = f"/portfolios/{portfolio}/orders"
    assert api.post(path, LIMIT, **{"X-Request-ID": "place-1"}).status_code == 201
    assert api.delete(f"{path}/O1", **{"X-Request-ID": "cancel-1"}).status_code == 200
    assert seen == ["place-1", "cancel-1"]


def test_the_routes_metrics_count_the_bare_paths_requests(api: Harness) -> None:
    portfolio = api.create_portfolio()
    route = f"{API}/portfolios/{{portfolio_id}}/orders"

    def count(method: str, template: str, status: str) -> float:
        return HTTP_REQUESTS.labels(method=method, route=template, status=status)._value.get()

    placed, canceled = count("POST", route, "201"), count("DELETE", f"{route}/{{order_id}}", "200")
    assert api.post(f"/portfolios/{portfolio}/orders", LIMIT).status_code == 201
    assert api.delete(f"/portfolios/{portfolio}/orders/O1").status_code == 200
    assert count("POST", route, "201") == placed + 1
    assert count("DELETE", f"{route}/{{order_id}}", "200") == canceled + 1
