"""A portfolio that watches no symbol trades the symbols it is asked to, on every path: it is
created (and its watch list emptied) as before, a manual order for a symbol with bars is placed
and one for a symbol no data holds is refused saying why, and ``POST .../ticks`` ticks the
symbol it names as the runner (``paperdesk trade``) does, where it was refused as "not
watched (watched: none)"; a tick naming no symbol is refused (it ticked nothing and said
nothing), and nothing changes. SQLite and PostgreSQL."""

from __future__ import annotations

from api_fixtures import API, Harness, api, assert_refused

from ledger_support import set_watch_list

__all__ = ["api"]


def _order(symbol: str) -> dict[str, str]:
    return {"symbol": symbol, "side": "buy", "quantity": "1"}


def test_a_portfolio_watching_no_symbol_ticks_the_symbol_it_is_asked_to(api: Harness) -> None:
    portfolio = api.create_portfolio(symbols=[])
    assert api.get(f"/portfolios/{portfolio}").json()["settings"]["symbols"] == []
    path = f"/portfolios/{portfolio}"
    assert api.post(f"{path}/orders", _order("SPY")).status_code == 201
    before = api.dump()
    refused = api.post(f"{path}/orders", _order("NOPE"))
    assert_refused(api, refused, 422, "unknown_name", "no bundled data for 'NOPE'", before=before)
    unnamed = api.post(f"{path}/ticks", {})
    named = f"symbol: portfolio {portfolio} watches no symbol, so a tick names the symbol to tick"
    assert_refused(api, unnamed, 422, "symbol_required", named, before=before)
    ticked = api.post(f"{path}/ticks", {"symbol": "SPY"})
    assert ticked.status_code == 200, ticked.text
    assert ticked.json()["processed"] == 1
    assert [t["symbol"] for t in ticked.json()["ticks"]] == ["SPY"]
    # a symbol no data holds: the runner says so, and nothing changes
    before = api.dump()
    unknown = api.post(f"{path}/ticks", {"symbol": "NOPE"})
    assert_refused(api, unknown, 422, "unknown_name", "NOPE", before=before)


def test_a_watch_list_still_limits_the_ticks(api: Harness) -> None:
    portfolio = api.create_portfolio(symbols=["SPY"])
    before = api.dump()
    refused = api.post(f"/portfolios/{portfolio}/ticks", {"symbol": "AAPL"})
    named = f"symbol: AAPL is not watched by portfolio {portfolio} (watched: SPY)"
    assert_refused(api, refused, 422, "unknown_symbol", named, before=before)
    # emptying the watch list (no position, no order) lifts the limit
    emptied = api.client.patch(
        f"{API}/portfolios/{portfolio}", json={"symbols": []}, headers=api.headers(api.trader)
    )
    assert emptied.status_code == 200, emptied.text
    ticked = api.post(f"/portfolios/{portfolio}/ticks", {"symbol": "AAPL"})
    assert ticked.status_code == 200, ticked.text
    assert [t["symbol"] for t in ticked.json()["ticks"]] == ["AAPL"]


def test_a_symbol_ordered_outside_the_watch_list_is_ticked(api: Harness) -> None:
    portfolio = api.create_portfolio(symbols=[])
    path = f"/portfolios/{portfolio}"
    assert api.post(f"{path}/orders", _order("AAPL")).status_code == 201
    before = api.dump()  # a watch list without the ordered symbol is refused now
    watched = api.client.patch(
        f"{API}{path}", json={"symbols": ["SPY"]}, headers=api.headers(api.trader)
    )
    held = f"portfolio {portfolio} still has positions or open orders in AAPL"
    assert_refused(api, watched, 422, "invalid_option", held, before=before)
    # a ledger written before that rule may hold such a list: its AAPL order still works
    set_watch_list(api.services.database, portfolio, ("SPY",))
    ticked = api.post(f"{path}/ticks", {"symbol": "AAPL"})  # its order needs AAPL's bars
    assert ticked.status_code == 200, ticked.text
    assert [t["symbol"] for t in ticked.json()["ticks"]] == ["AAPL"]
    assert ticked.json()["processed"] == 1
    before = api.dump()  # neither watched nor traded: refused as before
    refused = api.post(f"{path}/ticks", {"symbol": "MSFT"})
    named = f"symbol: MSFT is not watched by portfolio {portfolio} (watched: SPY)"
    assert_refused(api, refused, 422, "unknown_symbol", named, before=before)
