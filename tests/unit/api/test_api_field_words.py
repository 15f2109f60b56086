"""The API's errors name the request's JSON fields, never the command line's options, for the
messages the service and data layers share with the CLI (``domain.fields``): orders,
portfolios created and edited, prices and quality, data import, plans and walk-forwards. (The
test client refuses any error answer that names a ``--option``: see ``answer_words``.)"""

from __future__ import annotations

from typing import Any

import pytest
from api_fixtures import API, Harness, api, assert_refused

from answer_words import options_named

__all__ = ["api"]


def refused_naming(api: Harness, response: Any, code: str, *named: str) -> None:
    """A 422 ``code`` whose message names ``named`` (the JSON fields) and no option."""
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == code, body
    for text in named:
        assert text in body["message"], body
    assert options_named(response.text) == []


def test_the_word_check_finds_options_and_unrendered_marks() -> None:
    assert options_named("use --type limit or stop-limit") == ["--type"]
    assert options_named("a \ue000limit_price\ue002 mark") == ["\ue000", "\ue002"]
    assert options_named("use type limit or stop-limit, -5, x--y, 2021-03-01") == []


@pytest.mark.parametrize(
    ("order", "named"),
    [
        ({"limit_price": "300"}, ("invalid value for limit_price: '300'", "use type limit")),
        ({"stop_price": "300"}, ("invalid value for stop_price: '300'", "use type stop")),
        ({"client_order_id": "a b"}, ("invalid value for client_order_id: 'a b'",)),
    ],
)
def test_an_order_error_names_the_orders_fields(
    api: Harness, order: dict[str, str], named: tuple[str, ...]
) -> None:
    portfolio = api.create_portfolio()
    before = api.dump()
    body = {"symbol": "SPY", "side": "buy", "quantity": "1", **order}
    response = api.post(f"/portfolios/{portfolio}/orders", body)
    assert_refused(api, response, 422, "invalid_option", *named, before=before)


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (
            {"settings": {"replay_from": "2021-01-04"}},
            ("settings.replay_from only applies to settings.source replay",),
        ),
        (
            {"settings": {"account": "cash", "leverage": "2"}},
            ("settings.leverage 2 applies only to settings.account margin",),
        ),
        ({"params": ["fast"]}, ("invalid value for params: 'fast'",)),
        (
            {"strategies": ["sma-cross", "sma-cross"]},
            ("invalid value for strategies: 'sma-cross' is given twice", "with params"),
        ),
        ({"settings": {"from": "2021-03-01", "to": "2021-02-01"}}, ("settings.from 2021-03-01",)),
    ],
)
def test_a_new_portfolios_error_names_its_fields(
    api: Harness, body: dict[str, Any], named: tuple[str, ...]
) -> None:
    before = api.dump()
    response = api.post("/portfolios", {"name": "p", "cash": "10000", **body})
    assert_refused(api, response, 422, "invalid_option", *named, before=before)


def test_an_edit_names_the_settings_and_the_watch_list(api: Harness) -> None:
    portfolio = api.create_portfolio(symbols=["SPY", "AAPL"])
    placed = api.post(
        f"/portfolios/{portfolio}/orders",
        {"symbol": "SPY", "side": "buy", "quantity": "1", "type": "limit", "limit_price": "1"},
    )
    assert placed.status_code == 201, placed.text
    before = api.dump()
    for edit, named in (
        ({"symbols": ["AAPL"]}, "invalid value for symbols: portfolio"),
        ({"settings": {"timeframe": "1h"}}, "invalid value for settings.timeframe: '1h'"),
        ({"settings": {"source": "replay"}}, "invalid value for settings.source: 'replay'"),
    ):
        response = api.client.patch(
            f"{API}/portfolios/{portfolio}", json=edit, headers=api.headers(api.trader)
        )
        assert_refused(api, response, 422, "invalid_option", named, before=before)


def test_periods_name_start_and_end(api: Harness) -> None:
    before = api.dump()
    quality = api.get("/market-data/SPY/quality?start=2021-03-05&end=2021-03-01")
    assert_refused(api, quality, 422, "invalid_input", "start 2021-03-05", "end", before=before)
    candles = api.get("/prices/SPY/ohlc?start=2021-03-05&end=2021-03-01")
    assert_refused(api, candles, 422, "invalid_input", "start 2021-03-05", "end", before=before)


def test_an_import_names_its_form_fields(api: Harness) -> None:
    twice = "timestamp,open,high,low,close,volume\n" + "2024-01-03,1,1,1,1,1\n" * 2
    before = api.dump()
    response = api.client.post(
        f"{API}/market-data/import",
        files={"file": ("bars.csv", twice.encode(), "text/csv")},
        data={"symbol": "ACME", "timeframe": "1d", "asset_class": "equity"},
        headers=api.headers(api.admin),
    )
    assert_refused(api, response, 422, "invalid_csv", "drop_duplicates keeps", before=before)
    reasons = [problem["reason"] for problem in response.json()["problems"]]
    assert any("drop_duplicates keeps the first" in reason for reason in reasons), reasons
    unknown = api.client.post(
        f"{API}/market-data/import",
        files={"file": ("bars.csv", twice.encode(), "text/csv")},
        data={"symbol": "NOSUCH", "timeframe": "1d"},
        headers=api.headers(api.admin),
    )
    assert_refused(api, unknown, 422, "unknown_name", "with asset_class", before=before)


def test_a_plan_filter_names_its_fields(api: Harness) -> None:
    plan = "ticker,side,qty,entry_price,take_profit,stop_loss\nSPY,buy,1,390,400,380\n"
    before = api.dump()
    response = api.post("/plans/filter", {"plan": plan, "max_position": "2"})
    assert_refused(api, response, 422, "invalid_option", "max_position: '2'", before=before)


def test_a_walk_forward_names_its_fields(api: Harness) -> None:
    body = {
        "strategy": "sma-cross",
        "symbols": ["SPY"],
        "start": "2021-03-05",
        "end": "2021-03-01",
    }
    response = api.post("/walkforwards", body)
    refused_naming(api, response, "invalid_option", "end 2021-03-01 is before start 2021-03-05")
