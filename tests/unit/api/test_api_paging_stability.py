"""Cursor paging a bot relies on: a filtered page's cursor stays put while orders leave the
filter or arrive, an empty ``cursor=`` (the docs' examples) is the first page, and an empty
filter is refused by name."""

from __future__ import annotations

from api_fixtures import Harness, api

__all__ = ["api"]

ORDER = {"symbol": "SPY", "side": "buy", "quantity": "1", "type": "limit", "limit_price": "100"}


def _ids(page: dict[str, object]) -> list[str]:
    items = page["items"]
    assert isinstance(items, list)
    return [o["order_id"] for o in items]


def test_an_open_orders_cursor_skips_nothing_when_an_earlier_order_closes(api: Harness) -> None:
    portfolio = api.create_portfolio()
    path = f"/portfolios/{portfolio}/orders"
    for _ in range(4):
        assert api.post(path, ORDER).status_code == 201
    first = api.get(path, api.reader, params={"status": "open", "limit": 2}).json()
    assert _ids(first) == ["O1", "O2"]
    # while the bot reads page one, O1 is canceled (it leaves the open filter) and O5 arrives
    assert api.delete(f"{path}/O1").status_code == 200
    assert api.post(path, ORDER).status_code == 201
    seen, cursor = [], first["next_cursor"]
    while cursor is not None:
        page = api.get(path, api.reader, params={"status": "open", "limit": 2, "cursor": cursor})
        assert page.status_code == 200, page.text
        seen += _ids(page.json())
        cursor = page.json()["next_cursor"]
    assert seen == ["O3", "O4", "O5"]


def test_an_empty_cursor_is_the_first_page(api: Harness) -> None:
    portfolio = api.create_portfolio()
    path = f"/portfolios/{portfolio}/orders"
    for _ in range(3):
        assert api.post(path, ORDER).status_code == 201
    for listing in (path, f"/portfolios/{portfolio}/fills", f"/portfolios/{portfolio}/audit"):
        with_empty = api.get(listing, params={"limit": 2, "cursor": ""})
        assert with_empty.status_code == 200, with_empty.text
        assert with_empty.json() == api.get(listing, params={"limit": 2}).json()
    # docs/api-trading.md's example: ...&limit=500&cursor=
    candles = "/prices/SPY/ohlc?timeframe=1d&start=2021-03-01&end=2021-03-31&limit=5"
    with_empty = api.get(candles + "&cursor=")
    assert with_empty.status_code == 200, with_empty.text
    assert with_empty.json()["items"] == api.get(candles).json()["items"]


def test_an_empty_symbol_filter_is_refused_by_name(api: Harness) -> None:
    portfolio = api.create_portfolio()
    response = api.get(f"/portfolios/{portfolio}/orders", params={"symbol": ""})
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation_error"
    assert "query.symbol" in response.json()["message"]
