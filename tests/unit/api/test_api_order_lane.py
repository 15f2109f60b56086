"""The order lane (``api/order_lane.py``): a placement or a cancel without an
``Idempotency-Key`` is served ahead of the middleware stack, anything unusual by the stack, and
every answer, metric and access log line is the one the stack gives (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from api_fixtures import API, Harness, api
from starlette.middleware.errors import ServerErrorMiddleware
from test_api_bare_routes import LIMIT, _accepted, _same, broken_orders, refusing

from paperdesk.api import order_lane
from paperdesk.api.metrics import HTTP_LATENCY, HTTP_REQUESTS
from paperdesk.api.rate_limit import InProcessLimiter, Limit
from paperdesk.service.logs import request_id

sys.path.insert(0, str(Path(__file__).parents[3] / "benchmarks"))

from bench_order_asgi import call  # the benchmark's requests, as uvicorn sends them

__all__ = ["api"]


@pytest.fixture
def stacked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The HTTP requests the middleware stack (its outermost layer) served."""
    calls: list[str] = []
    real = ServerErrorMiddleware.__call__

    async def counted(self: ServerErrorMiddleware, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            calls.append(f"{scope['method']} {scope['path']}")
        await real(self, scope, receive, send)

    monkeypatch.setattr(ServerErrorMiddleware, "__call__", counted)
    return calls


def _both(
    monkeypatch: pytest.MonkeyPatch, stacked: list[str], send: Callable[[], Any]
) -> tuple[Any, Any]:
    """``send()`` through the stack (its bare route), then on the lane (not the stack)."""
    monkeypatch.setattr(order_lane, "ENABLED", False)
    stacked.clear()
    stack_answer = send()
    assert len(stacked) == 1
    monkeypatch.setattr(order_lane, "ENABLED", True)
    lane_answer = send()
    assert len(stacked) == 1, stacked
    return stack_answer, lane_answer


def test_a_placement_and_a_cancel_skip_the_stack_and_the_unusual_take_it(
    api: Harness, stacked: list[str]
) -> None:
    portfolio = api.create_portfolio()
    path = f"/portfolios/{portfolio}/orders"
    url = API + path
    stacked.clear()
    assert api.post(path, LIMIT).status_code == 201  # O1
    assert api.delete(f"{path}/O1").status_code == 200
    assert stacked == []
    unusual = [
        ("POST", api.post(path, LIMIT, **{"Idempotency-Key": "k-1"}), 201),
        ("POST", api.post(path, LIMIT, **{"idempotency_key": "k-2"}), 201),
        ("POST", api.post(path, {**LIMIT, "quantity": "-1"}), 422),  # the body: FastAPI's 422
        ("POST", api.post(f"/portfolios/{portfolio}x/orders", LIMIT), 422),  # the path's
        ("DELETE", api.delete(f"{path}/{'O' * 65}"), 422),
        ("DELETE", api.delete(f"{path}/O2", **{"Idempotency-Key": "k-3"}), 200),
        ("POST", api.client.post(f"{url}?dry=1", json=LIMIT, headers=api.headers(api.trader)), 422),
        ("DELETE", api.client.delete(f"{url}/O3?now=1", headers=api.headers(api.trader)), 422),
        ("PUT", api.client.put(url, json=LIMIT, headers=api.headers(api.trader)), 405),
    ]
    for method, answer, status in unusual:
        assert answer.status_code == status, (method, answer.text)
    charset = api.headers(api.trader, **{"Content-Type": "application/json; charset=utf-8"})
    assert api.client.post(url, json=LIMIT, headers=charset).status_code == 201
    assert len(stacked) == len(unusual) + 1
    stacked.clear()
    assert api.get(f"{path}/O1").status_code == 200  # every other route: the stack
    assert stacked == [f"GET {url}/O1"]


def test_refusals_metrics_and_the_access_log_are_the_stacks(
    api: Harness,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    stacked: list[str],
) -> None:
    portfolio, archived, tokens = refusing(api)
    orders = f"{API}/portfolios/{portfolio}/orders"
    cases: list[tuple[str, str, Any]] = [
        ("POST", orders, {**LIMIT, "symbol": "NOPE"}),  # the service's refusal: 422
        ("POST", orders, {**LIMIT, "quantity": "100000000"}),  # insufficient cash
        ("POST", f"{API}/portfolios/999999/orders", LIMIT),  # unknown: 404
        ("POST", f"{API}/portfolios/{archived}/orders", LIMIT),  # archived: 409
        ("DELETE", f"{orders}/O1", None),  # canceled already: 409
        ("DELETE", f"{orders}/O404", None),  # unknown order: 404
        ("DELETE", f"{API}/portfolios/{archived}/orders/O1", None),
    ]
    caplog.set_level(logging.INFO, logger="paperdesk.api.access")
    before = api.dump()
    for method, url, body in cases:
        for token in tokens:
            headers = {"X-Request-ID": "same-id"}
            if token is not None:
                headers["Authorization"] = f"Bearer {token}"
            template = f"{API}/portfolios/{{portfolio_id}}/orders"
            template += "/{order_id}" if method == "DELETE" else ""
            answers, counted, logged = _stack_then_lane(
                monkeypatch,
                stacked,
                caplog,
                (method, template),
                lambda m=method, u=url, h=headers, b=body: api.client.request(
                    m, u, headers=h, json=b
                ),
            )
            assert answers[0].status_code in (401, 403, 404, 409, 422), (url, token)
            _same(*answers)
            assert counted[0] == counted[1]
            assert counted[0][0] == {f"status={answers[0].status_code}": 1.0}
            assert counted[0][1] == {"": 1.0}  # one latency observed
            assert logged[0] == logged[1]
            assert [message for _, message, _ in logged[0]] == [
                f"{method} {url} {answers[0].status_code}"
            ]
    assert api.dump() == before


def test_the_rate_limit_and_accepted_answers_are_the_stacks(
    api: Harness, monkeypatch: pytest.MonkeyPatch, stacked: list[str]
) -> None:
    portfolio = api.create_portfolio()
    path = f"/portfolios/{portfolio}/orders"
    placed = _both(monkeypatch, stacked, lambda: api.post(path, LIMIT, **{"X-Request-ID": "p"}))
    assert [answer.status_code for answer in placed] == [201, 201]
    assert _accepted(placed[0].json()) == _accepted(placed[1].json())
    assert placed[0].headers["x-request-id"] == placed[1].headers["x-request-id"] == "p"
    order_ids = iter(["O1", "O2"])
    canceled = _both(monkeypatch, stacked, lambda: api.delete(f"{path}/{next(order_ids)}"))
    assert [answer.status_code for answer in canceled] == [200, 200]
    assert _accepted(canceled[0].json()) == _accepted(canceled[1].json())
    assert canceled[0].headers["content-type"] == canceled[1].headers["content-type"]
    limited = []
    stacked.clear()
    for enabled in (False, True):
        monkeypatch.setattr(order_lane, "ENABLED", enabled)
        api.client.app.state.rate_limiter = InProcessLimiter(Limit(1, 1))  # type: ignore[attr-defined]
        assert api.post(path, {**LIMIT, "symbol": "NOPE"}).status_code == 422
        limited.append(api.post(path, LIMIT, **{"X-Request-ID": "same-id"}))
    assert limited[0].status_code == 429
    assert len(stacked) == 2  # the stack's two requests; the lane's two not
    _same(*limited)


def test_an_unexpected_exception_is_the_stacks_500_and_is_raised_to_the_server(
    api: Harness,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    stacked: list[str],
) -> None:
    path = broken_orders(api, monkeypatch)
    caplog.set_level(logging.INFO, logger="paperdesk.api")
    before = api.dump()
    route = f"{API}/portfolios/{{portfolio_id}}/orders"
    for send, method, template in (
        (lambda: api.post(path, LIMIT, **{"X-Request-ID": "r"}), "POST", route),
        (
            lambda: api.delete(f"{path}/O1", **{"X-Request-ID": "r"}),
            "DELETE",
            route + "/{order_id}",
        ),
    ):
        for enabled in (False, True):
            monkeypatch.setattr(order_lane, "ENABLED", enabled)
            with pytest.raises(RuntimeError, match="a bug"):  # to the server, which logs it
                send()
        monkeypatch.setattr(api.client._transport, "raise_server_exceptions", False)  # type: ignore[attr-defined]
        answers, counted, logged = _stack_then_lane(
            monkeypatch, stacked, caplog, (method, template), send
        )
        monkeypatch.setattr(api.client._transport, "raise_server_exceptions", True)  # type: ignore[attr-defined]
        assert answers[0].status_code == 500
        assert answers[0].json()["code"] == "internal_error"
        _same(*answers)
        assert counted[0] == counted[1]
        assert counted[0][0] == {"status=500": 1.0}
        assert logged[0] == logged[1]
        assert logged[0][1][2] == "r"  # the error's record names the request
        assert [name for name, _, _ in logged[0]] == [
            "paperdesk.api.access",
            "paperdesk.api.errors",
        ]
    assert api.dump() == before


def _stack_then_lane(
    monkeypatch: pytest.MonkeyPatch,
    stacked: list[str],
    caplog: pytest.LogCaptureFixture,
    labels: tuple[str, str],
    send: Callable[[], Any],
) -> tuple[list[Any], list[Any], list[Any]]:
    """``send()`` through the stack, then on the lane (which must not enter the stack): the
    answers, the changes of the requests' counter and latency histogram under ``labels``
    (method, route template), and the API's log records (logger, message without its time,
    the record's request id)."""
    answers, counted, logged = [], [], []
    stacked.clear()
    for enabled in (False, True):
        monkeypatch.setattr(order_lane, "ENABLED", enabled)
        caplog.clear()
        requests, timed = _samples(HTTP_REQUESTS, *labels), _samples(HTTP_LATENCY, *labels)
        answers.append(send())
        counted.append(
            (
                _delta(requests, _samples(HTTP_REQUESTS, *labels)),
                _delta(timed, _samples(HTTP_LATENCY, *labels)),
            )
        )
        logged.append(
            [
                (record.name, _timeless(record), getattr(record, "request_id", None))
                for record in caplog.records
                if record.name.startswith("paperdesk.api")
            ]
        )
    assert len(stacked) == 1  # the lane answered the second
    return answers, counted, logged


def _timeless(record: logging.LogRecord) -> str:
    """The record's message without the access line's time (its last word)."""
    return record.getMessage().rsplit(" ", 1)[0]


def _samples(metric: Any, method: str, route: str) -> dict[str, float]:
    """The metric's counts for ``method`` on ``route`` by their other labels."""
    found: dict[str, float] = {}
    for family in metric.collect():
        for sample in family.samples:
            labels = sample.labels
            if labels.get("method") != method or labels.get("route") != route:
                continue
            if sample.name.endswith(("_created", "_sum", "_bucket")):
                continue
            rest = ",".join(
                f"{k}={v}" for k, v in sorted(labels.items()) if k not in ("method", "route")
            )
            found[rest] = sample.value
    return found


def _delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {k: v - before.get(k, 0.0) for k, v in after.items() if v != before.get(k, 0.0)}


def test_a_request_cancelled_in_its_endpoint_is_counted_and_logged_as_by_the_stack(
    api: Harness,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    stacked: list[str],
) -> None:
    """Whatever ends a request (here a cancellation out of its endpoint), its metrics and log
    line are written once and its id unset, as ``RequestContext``'s ``finally`` does."""
    path = broken_orders(api, monkeypatch)

    def cancelled(*arguments: Any) -> Any:
        raise asyncio.CancelledError

    monkeypatch.setattr(api.services.portfolios, "place_order", cancelled)
    caplog.set_level(logging.INFO, logger="paperdesk.api")
    app = api.client.app
    body = json.dumps(LIMIT).encode()

    async def ended() -> str:
        """How the request sent straight to the application (as uvicorn sends it) ended."""
        try:
            await call(app, "POST", API + path, api.trader, body)
        except asyncio.CancelledError:
            return "cancelled"
        return "answered"

    def send() -> Any:
        outcome = asyncio.run(ended())
        assert request_id.get() is None
        return outcome

    answers, counted, logged = _stack_then_lane(
        monkeypatch, stacked, caplog, ("POST", f"{API}/portfolios/{{portfolio_id}}/orders"), send
    )
    assert answers == ["cancelled", "cancelled"]
    assert counted[0] == counted[1]
    assert counted[0][0] == {"status=500": 1.0}
    assert logged[0] == logged[1] == [("paperdesk.api.access", f"POST {API}{path} 500", None)]
