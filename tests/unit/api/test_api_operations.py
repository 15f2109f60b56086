"""Operations: /readyz names what is down; /metrics counts requests by route template, and
ticks, orders and fills from the committed outbox; every response and log record of a request
carries its request id."""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from api_fixtures import API, Harness, api
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from paperdesk.api import create_app
from paperdesk.config import RunConfig, SourceConfig
from paperdesk.service import Services
from paperdesk.service.logs import LogSetup, configure_logging
from paperdesk.service.metrics import record_delivered
from paperdesk.settings import Settings
from paperdesk.store import Database
from quiet_strategy import QUIET

__all__ = ["api"]

UNREACHABLE_POSTGRES = "postgresql://postgres@127.0.0.1:1/nothing?connect_timeout=2"


def samples(harness: Harness) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample /metrics shows, by name and labels."""
    response = harness.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(table: dict, name: str, **labels: str) -> float:
    return float(table.get((name, frozenset(labels.items())), 0.0))


def test_ready_when_the_database_answers(api: Harness) -> None:
    response = api.client.get("/readyz")
    assert response.status_code == 200
    checks = [{"name": "database", "ok": True, "detail": "ok"}]
    if api.services.settings.redis_url is not None:  # CI sets REDIS_URL: Redis is checked too
        checks.append({"name": "redis", "ok": True, "detail": "ok"})
    assert response.json() == {"status": "ready", "checks": checks}


def test_not_ready_names_the_database_that_does_not_answer() -> None:
    unreachable = Database(UNREACHABLE_POSTGRES, migrate=False)
    services = Services(Settings(redis_url=None), database=unreachable)
    client = TestClient(create_app(services))
    response = client.get("/readyz")
    assert response.status_code == 503
    [check] = response.json()["checks"]
    assert (check["name"], check["ok"]) == ("database", False)
    assert "cannot use the database" in check["detail"]
    assert client.get("/metrics").status_code == 200  # counters still served
    services.database.close()


def test_readiness_checks_redis_when_configured(database: Database, redis_server: str) -> None:
    up = TestClient(create_app(Services(Settings(redis_url=redis_server), database=database)))
    assert up.get("/readyz").json()["checks"][1] == {"name": "redis", "ok": True, "detail": "ok"}
    down_url = "redis://:hunter2@127.0.0.1:1/0"
    down = TestClient(create_app(Services(Settings(redis_url=down_url), database=database)))
    response = down.get("/readyz")
    assert response.status_code == 503
    database_check, redis_check = response.json()["checks"]
    assert database_check["ok"] is True
    assert (redis_check["name"], redis_check["ok"]) == ("redis", False)
    assert "127.0.0.1:1" in redis_check["detail"]
    assert "hunter2" not in response.text  # the password never shows


def test_requests_are_counted_by_route_template(api: Harness) -> None:
    portfolio = api.create_portfolio()
    before = samples(api)
    for _ in range(3):
        assert api.get(f"/portfolios/{portfolio}", api.reader).status_code == 200
    assert api.get("/portfolios/999", api.reader).status_code == 404
    assert api.client.get(f"{API}/no/such/thing/42").status_code == 404
    after = samples(api)
    route = f"{API}/portfolios/{{portfolio_id}}"

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    requests = "paperdesk_http_requests_total"
    assert delta(requests, method="GET", route=route, status="200") == 3
    assert delta(requests, method="GET", route=route, status="404") == 1
    assert delta(requests, method="GET", route="unmatched", status="404") == 1
    routes = {dict(labels)["route"] for _, labels in after if "route" in dict(labels)}
    assert not [r for r in routes if re.search(r"/\d+(/|$)", r)]  # no raw ids: no series per id
    latency = "paperdesk_http_request_duration_seconds_count"
    assert delta(latency, method="GET", route=route) == 4


def test_ticks_orders_and_fills_are_counted_from_the_committed_outbox(api: Harness) -> None:
    settings = RunConfig(
        symbols=("SPY",), source=SourceConfig("replay", replay_from=date(2020, 1, 2)), **QUIET
    )
    portfolio = api.services.portfolios.create_portfolio(
        "replay", Decimal(10000), settings=settings
    )
    before = samples(api)
    api.services.portfolios.tick(portfolio, "SPY")
    order = {"symbol": "SPY", "side": "buy", "quantity": "3"}
    assert api.post(f"/portfolios/{portfolio}/orders", order).status_code == 201
    too_big = {"symbol": "SPY", "side": "buy", "quantity": "1000000"}
    assert api.post(f"/portfolios/{portfolio}/orders", too_big).status_code in (409, 422)
    api.services.portfolios.tick(portfolio, "SPY")
    after = samples(api)
    with api.services.database.reading() as repository:
        entries = repository.outbox()
    kinds = Counter(entry.kind for entry in entries)
    assert kinds["order.filled"] == 1  # the test means something: a fill happened

    def delta(name: str) -> float:
        return value(after, name) - value(before, name)

    created = Counter(e.kind for e in entries if e.sequence <= before_sequence(before))
    assert delta("paperdesk_ticks_total") == kinds["tick.processed"] - created["tick.processed"]
    assert delta("paperdesk_ticks_total") == 2
    assert delta("paperdesk_orders_total") == kinds["order.accepted"] - created["order.accepted"]
    assert delta("paperdesk_fills_total") == 1
    assert value(after, "paperdesk_outbox_last_sequence") == entries[-1].sequence
    record_delivered("test-consumer", entries[-1].sequence - 2)
    lagging = samples(api)
    assert value(lagging, "paperdesk_outbox_lag_events", consumer="test-consumer") == 2


def before_sequence(table: dict) -> int:
    return int(value(table, "paperdesk_outbox_last_sequence"))


def test_a_request_id_is_echoed_or_made_and_names_error_bodies(api: Harness) -> None:
    given = api.client.get("/healthz", headers={"X-Request-ID": "trace-42.a_b:c"})
    assert given.headers["X-Request-ID"] == "trace-42.a_b:c"
    made = api.client.get("/healthz").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    hostile = api.client.get("/healthz", headers={"X-Request-ID": 'a b"<script>' + "x" * 200})
    assert hostile.headers["X-Request-ID"] != 'a b"<script>' + "x" * 200
    assert len(hostile.headers["X-Request-ID"]) == 32
    refused = api.client.get(f"{API}/portfolios", headers={"X-Request-ID": "req-1"})
    assert refused.status_code == 401
    assert refused.json()["request_id"] == "req-1" == refused.headers["X-Request-ID"]
    invalid = api.post("/portfolios", {"name": 1}, api.trader, **{"X-Request-ID": "req-2"})
    assert (invalid.status_code, invalid.json()["request_id"]) == (422, "req-2")


def test_every_log_record_of_a_request_carries_its_id(
    api: Harness, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def noisy(**_: object) -> list[object]:
        logging.getLogger("paperdesk.service.portfolios").warning("listing %s", "portfolios")
        return []

    monkeypatch.setattr(api.services.portfolios, "list_portfolios", noisy)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        configure_logging(LogSetup("INFO", "json"))
        capsys.readouterr()
        headers = {**api.headers(api.reader), "X-Request-ID": "req-log-1"}
        assert api.client.get(f"{API}/portfolios", headers=headers).status_code == 200
        logging.getLogger("paperdesk").warning("outside any request")
        lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]
    finally:
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)
    inside = [line for line in lines if line.get("request_id") == "req-log-1"]
    assert {line["message"] for line in inside} >= {"listing portfolios"}
    assert any(line["logger"] == "paperdesk.api.access" for line in inside)  # the access line
    [outside] = [line for line in lines if line["message"] == "outside any request"]
    assert "request_id" not in outside
