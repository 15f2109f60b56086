"""Portfolios over the REST API: create with run-file keys, list, show, archive; every refusal
names the field and changes nothing."""

from __future__ import annotations

import json

import pytest
from api_fixtures import API, Harness, api, assert_refused
from shared_ledger import Ledger, empty, ledger, shared_ledger_fixture

__all__ = ["api", "ledger"]

# the refused portfolios share one empty ledger per database (shared_ledger)
shared_ledger = shared_ledger_fixture(empty)


def test_healthz_needs_no_key(api: Harness) -> None:
    response = api.client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_openapi_document_is_served_under_the_version(api: Harness) -> None:
    document = api.client.get(f"{API}/openapi.json").json()
    paths = document["paths"]
    assert f"{API}/portfolios/{{portfolio_id}}/orders" in paths
    assert set(paths[f"{API}/portfolios/{{portfolio_id}}/orders/{{order_id}}"]) == {
        "get",
        "delete",
        "patch",
    }
    cash = document["components"]["schemas"]["SummaryOut"]["properties"]["cash"]
    assert cash["type"] == "string"  # money goes out as a decimal string


def test_create_portfolio_takes_the_run_file_keys(api: Harness) -> None:
    body = {
        "name": "api desk",
        "cash": "25000.50",
        "currency": "usd",
        "strategies": ["sma-cross"],
        "params": ["fast=5", "slow=20"],
        "symbols": ["spy"],
        "settings": {"commission": "per-share:0.005:min=1", "size-pct": "10", "exposure_cap": 50},
    }
    response = api.post("/portfolios", body)
    assert response.status_code == 201, response.text
    created = response.json()
    summary = created["summary"]
    assert summary["name"] == "api desk"
    assert summary["base_currency"] == "USD"
    assert (summary["starting_cash"], summary["cash"], summary["equity"]) == ("25000.50",) * 3
    assert summary["ts_created"].endswith("Z")
    settings = created["settings"]
    assert settings["symbols"] == ["SPY"]
    assert settings["strategies"] == [{"name": "sma-cross", "params": {"fast": 5, "slow": 20}}]
    assert settings["execution"]["commission"] == "per-share:0.005:min=1"
    assert settings["sizing"]["percent"] == "10"
    assert settings["risk"]["exposure_cap_percent"] == "50"
    stored = api.services.portfolios.settings(summary["id"])  # what the service stored
    assert stored.to_json() == settings


def test_list_show_and_archive(api: Harness) -> None:
    first = api.create_portfolio(name="one")
    second = api.create_portfolio(name="two", cash="5000")
    listed = api.get("/portfolios", api.reader).json()
    assert [(p["id"], p["name"], p["cash"]) for p in listed] == [
        (first, "one", "10000"),
        (second, "two", "5000"),
    ]
    shown = api.get(f"/portfolios/{second}", api.reader).json()
    assert shown["summary"]["equity"] == "5000"
    assert shown["positions"] == []
    assert shown["open_orders"] == []
    archived = api.post(f"/portfolios/{second}/archive")
    assert archived.status_code == 200
    assert archived.json()["summary"]["status"] == "archived"
    assert [p["id"] for p in api.get("/portfolios").json()] == [first]
    every = api.get("/portfolios", params={"include_archived": "true"}).json()
    assert [p["id"] for p in every] == [first, second]


@pytest.mark.parametrize(
    ("body", "code", "named"),
    [
        ({"name": "x", "cash": "-5"}, "validation_error", "body.cash"),
        ({"name": "x", "cash": "NaN"}, "validation_error", "body.cash"),
        ({"name": "x", "cash": "lots"}, "validation_error", "body.cash"),
        ({"name": "", "cash": "100"}, "validation_error", "body.name"),
        ({"cash": "100"}, "validation_error", "body.name"),
        ({"name": "x", "cash": "100", "colour": "red"}, "validation_error", "body.colour"),
        ({"name": "x", "cash": "100", "currency": "XYZ"}, "invalid_option", "XYZ"),
        (  # a EUR book of a USD stock: its dollars would be booked as euros
            {"name": "x", "cash": "100", "currency": "EUR", "symbols": ["SPY"]},
            "invalid_option",
            "'SPY' is quoted in USD but the portfolio keeps its books in EUR",
        ),
        ({"name": "a\tb", "cash": "100"}, "invalid_input", "printable"),
        ({"name": "x", "cash": "100", "strategies": ["nope"]}, "unknown_name", "nope"),
        ({"name": "x", "cash": "100", "symbols": ["NOSUCH"]}, "unknown_name", "NOSUCH"),
        (
            {"name": "x", "cash": "100", "settings": {"size_pct": "-3"}},
            "invalid_option",
            "size_pct",
        ),
        ({"name": "x", "cash": "100", "settings": {"colour": 1}}, "invalid_option", "colour"),
        (
            {"name": "x", "cash": "100", "settings": {"data": "/etc/passwd"}},
            "server_path_refused",
            "settings.data",
        ),
        (
            {"name": "x", "cash": "100", "settings": {"strategy_path": "/tmp/x.py"}},
            "server_path_refused",
            "settings.strategy_path",
        ),
        ({"name": "x", "cash": "100", "params": ["fast"]}, "invalid_option", "fast"),
    ],
)
def test_a_bad_portfolio_is_refused_naming_the_field(
    ledger: Ledger, body: dict[str, object], code: str, named: str
) -> None:
    response = ledger.harness.post("/portfolios", body)
    assert_refused(ledger.harness, response, 422, code, named, before=ledger.before)
    ledger.proven_unchanged = True


def test_unknown_portfolio_is_not_found_without_listing_the_others(api: Harness) -> None:
    api.create_portfolio()
    before = api.dump()
    response = api.get("/portfolios/999")
    assert_refused(api, response, 404, "not_found", "no portfolio with id 999", before=before)
    assert "portfolios:" not in response.json()["message"]  # the service's hint lists ids
    archive = api.post("/portfolios/999/archive")
    assert_refused(api, archive, 404, "not_found", before=before)
    assert api.get("/portfolios/abc").status_code == 422


def test_archiving_a_portfolio_with_open_orders_is_refused(api: Harness) -> None:
    portfolio_id = api.create_portfolio()
    placed = api.post(
        f"/portfolios/{portfolio_id}/orders", {"symbol": "SPY", "side": "buy", "quantity": "1"}
    )
    assert placed.status_code == 201, placed.text
    before = api.dump()
    response = api.post(f"/portfolios/{portfolio_id}/archive")
    assert_refused(api, response, 409, "portfolio_not_empty", "open orders", before=before)
    api.delete(f"/portfolios/{portfolio_id}/orders/O1")
    assert api.post(f"/portfolios/{portfolio_id}/archive").status_code == 200
    again = api.dump()
    twice = api.post(f"/portfolios/{portfolio_id}/archive")
    assert_refused(api, twice, 409, "portfolio_archived", "already archived", before=again)


@pytest.mark.parametrize(
    "settings",
    [
        {"commission": 5},
        {"commission": "percent:-1"},
        {"timeframe": []},
        {"timeframe": "7x"},
        {"source": {"kind": "replay"}},
        {"source": "carrier-pigeon"},
        {"replay_from": "yesterday"},
        {"exposure_cap": "lots"},
        {"slippage_bps": -1},
        {"size_pct": float("nan")},
        {"fill": "whenever"},
        {"account": "offshore"},
        {"leverage": "0"},
        {"benchmark": "NOSUCH"},
    ],
)
def test_odd_settings_values_are_refused_and_never_reach_the_catch_all(
    ledger: Ledger, settings: dict[str, object]
) -> None:
    api = ledger.harness
    body = {"name": "odd", "cash": "1000", "symbols": ["SPY"], "settings": settings}
    content = json.dumps(body).replace("NaN", "1e400")  # JSON's way to say infinity
    headers = {**api.headers(api.trader), "Content-Type": "application/json"}
    # a 500 would raise here (the test client re-raises server errors)
    response = api.client.post(f"{API}/portfolios", content=content, headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["code"] in {"invalid_option", "invalid_input", "unknown_name"}
    assert api.dump() == ledger.before
    ledger.proven_unchanged = True


def test_a_null_setting_means_its_default(api: Harness) -> None:
    body = {"name": "nulls", "cash": "1000", "symbols": ["SPY"], "settings": {"exposure_cap": None}}
    response = api.post("/portfolios", body)
    assert response.status_code == 201, response.text
    assert response.json()["settings"]["risk"]["exposure_cap_percent"] == "80"
