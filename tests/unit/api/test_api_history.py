"""Closed trades, signals and the audit log of a portfolio over the REST API: filtered, paged
with a cursor, every refusal changing nothing."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest
from api_fixtures import API, Harness, api
from portfolio_scenario import spy_closes, traded_portfolio

__all__ = ["api"]


def _all(api: Harness, path: str, limit: int, **params: str) -> list[list[dict[str, object]]]:
    """Every page of ``path``, following the cursors."""
    pages: list[list[dict[str, object]]] = []
    cursor = None
    while True:
        query = {"limit": str(limit), **params, **({"cursor": cursor} if cursor else {})}
        body = api.get(path, api.reader, params=query).json()
        pages.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


def test_history_of_a_portfolio_that_traded(api: Harness) -> None:
    portfolio = traded_portfolio(api)
    base = f"/portfolios/{portfolio}"

    # closed trades: the one round trip, its P&L from its own prices
    [trade] = api.get(f"{base}/trades", api.reader).json()["items"]
    fills = api.get(f"{base}/fills").json()["items"]
    assert [(f["side"], f["price"]) for f in fills] == [("buy", "321.36"), ("sell", "320.27")]
    quantity = Decimal(trade["quantity"])
    # a round trip is long or short, as `paperdesk trades --json` says; its fills buy and sell
    assert (trade["side"], trade["entry_price"]) == ("long", "321.36")
    assert trade["exit_price"] == "320.27"
    gross = (Decimal("320.27") - Decimal("321.36")) * quantity
    assert Decimal(trade["pnl"]) == gross - Decimal(trade["fees"])
    assert trade["strategy"] == "macd-cross"
    assert api.get(f"{base}/trades", params={"symbol": "aapl"}).json()["items"] == []
    assert len(api.get(f"{base}/trades", params={"strategy": "macd-cross"}).json()["items"]) == 1

    # signals: entry is the bar's close in the bundled file; reward-to-risk from the levels
    signals = [s for page in _all(api, f"{base}/signals", 2) for s in page]
    assert [(s["direction"], s["decision"]) for s in signals] == [
        (1, "accepted"),
        (-1, "accepted"),
        (1, "rejected"),
    ]
    closes = spy_closes()
    for signal in signals:
        moment = pd.Timestamp(signal["ts"])
        assert Decimal(signal["entry"]) == Decimal(str(closes[moment])), signal
        entry, stop, target = (Decimal(signal[k]) for k in ("entry", "stop", "target"))
        expected = float(abs(target - entry) / abs(entry - stop))
        assert signal["reward_to_risk"] == pytest.approx(expected)
        assert (stop < entry < target) == (signal["direction"] == 1)
    rejected = signals[2]
    assert rejected["ts"].startswith("2020-01-08")
    assert "below the minimum 0.60" in rejected["decision_reason"]
    assert signals[0]["decision_reason"] is None
    only_rejected = api.get(f"{base}/signals", params={"decision": "rejected"}).json()
    assert [s["id"] for s in only_rejected["items"]] == [rejected["id"]]
    assert api.get(f"{base}/signals", params={"strategy": "sma-cross"}).json()["items"] == []

    # the audit log, paged: every entry once, in order
    pages = _all(api, f"{base}/audit", 3)
    entries = [e for page in pages for e in page]
    assert all(len(page) == 3 for page in pages[:-1])
    stored = api.services.portfolios.audit(portfolio)
    assert [e["id"] for e in entries] == [a.id for a in stored]
    assert entries[0]["kind"] == "portfolio.created"
    created = api.get(f"{base}/audit", params={"kind": "portfolio.created"}).json()["items"]
    assert [e["id"] for e in created] == [entries[0]["id"]]
    prefix = api.get(f"{base}/audit", params={"kind": "portfolio."}).json()["items"]
    assert {e["kind"].split(".")[0] for e in prefix} == {"portfolio"}


def test_a_round_trips_side_is_long_or_short_in_the_openapi_document(api: Harness) -> None:
    schemas = api.client.get(f"{API}/openapi.json").json()["components"]["schemas"]
    assert schemas["TradeOut"]["properties"]["side"]["enum"] == ["long", "short"]
    assert schemas["FillOut"]["properties"]["side"] == {"$ref": "#/components/schemas/Side"}
    assert schemas["Side"]["enum"] == ["buy", "sell"]  # an order's and a fill's side


def test_history_refusals_change_nothing(api: Harness) -> None:
    portfolio = api.create_portfolio()
    other = api.create_portfolio(name="other")
    limited = api.services.api_keys.create("limited", "read", portfolio_ids=[other]).token
    before = api.dump()
    for resource in ("trades", "signals", "audit"):
        path = f"/portfolios/{portfolio}/{resource}"
        refusals = [
            (api.get(f"/portfolios/404/{resource}"), 404, "not_found", "404"),
            (api.get(path, limited), 404, "not_found", str(portfolio)),
            (api.get(path, params={"cursor": "bm90LW91cnM"}), 422, "invalid_cursor", "cursor"),
            (api.get(path, params={"limit": "0"}), 422, "validation_error", "query.limit"),
            (api.get(path, params={"limit": "501"}), 422, "validation_error", "query.limit"),
        ]
        if resource != "audit":
            response = api.get(path, params={"symbol": ""})
            refusals.append((response, 422, "validation_error", "query.symbol"))
        if resource == "signals":
            response = api.get(path, params={"decision": "maybe"})
            refusals.append((response, 422, "validation_error", "query.decision"))
        for response, status, code, named in refusals:
            assert response.status_code == status, (resource, response.text)
            assert response.json()["code"] == code, (resource, response.json())
            assert named in response.json()["message"], (resource, response.json())
        if resource != "audit":  # the audit log holds the portfolio's creation
            assert api.get(path, api.reader).json() == {"items": [], "next_cursor": None}
    assert api.dump() == before  # a change by any of them would still be there


def test_the_audit_log_names_each_orders_type_and_prices_once(api: Harness) -> None:
    """One order of each type: its audit message says its terms once (it said "limit limit
    300.50" and "stop stop 290")."""
    portfolio = api.create_portfolio()
    orders = [
        {"type": "market"},
        {"type": "limit", "limit_price": "300.50"},
        {"type": "stop", "stop_price": "400"},
        {"type": "stop_limit", "stop_price": "400", "limit_price": "401"},
    ]
    for terms in orders:
        body = {"symbol": "SPY", "side": "buy", "quantity": "2", **terms}
        assert api.post(f"/portfolios/{portfolio}/orders", body).status_code == 201
    entries = api.get(
        f"/portfolios/{portfolio}/audit", api.reader, params={"kind": "order.accepted"}
    ).json()["items"]
    assert [entry["message"] for entry in entries] == [
        "accepted buy 2 SPY market (entry, O1)",
        "accepted buy 2 SPY limit 300.50 (entry, O2)",
        "accepted buy 2 SPY stop 400 (entry, O3)",
        "accepted buy 2 SPY stop 400 limit 401 (entry, O4)",
    ]
