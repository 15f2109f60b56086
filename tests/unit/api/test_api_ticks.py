"""POST /portfolios/{id}/ticks: a tick on demand through the exactly-once runner; a closed bar
already processed is reported as such and changes nothing, and a retried request (same
Idempotency-Key) never ticks twice."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from api_fixtures import Harness, api, assert_refused
from portfolio_scenario import MACD, spy_closes

from paperdesk.config import RunConfig, SourceConfig, SourceKind, StrategySpec
from raising_strategy import raised_message, write_raising_strategy

__all__ = ["api"]


def test_a_tick_processes_the_next_closed_bar_and_reports_it(api: Harness) -> None:
    portfolio = api.create_portfolio(**MACD)
    response = api.post(f"/portfolios/{portfolio}/ticks", {"symbol": "spy"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["portfolio_id"], body["processed"]) == (portfolio, 1)
    [tick] = body["ticks"]
    assert (tick["symbol"], tick["status"], tick["strategies"]) == (
        "SPY",
        "processed",
        ["macd-cross"],
    )
    assert tick["ts_bar"] == "2020-01-02T00:00:00Z"
    assert tick["ts_bar_close"] > tick["ts_bar"]  # visible only once closed
    assert Decimal(tick["close"]) == Decimal(
        str(spy_closes()[pd.Timestamp("2020-01-02", tz="UTC")])
    )
    [signal] = tick["signals"]
    assert (signal["direction"], signal["accepted"]) == (1, True)
    assert tick["fills"] == []  # the order fills no earlier than the next bar
    assert {o["status"] for o in tick["orders"]} <= {"accepted", "pending"}
    assert tick["orders"], "the accepted signal places an order"
    stored = api.services.portfolios.tick_runs(portfolio)
    assert [run.ts_bar for run in stored] == [pd.Timestamp("2020-01-02", tz="UTC")]
    second = api.post(f"/portfolios/{portfolio}/ticks").json()  # every watched symbol
    assert second["ticks"][0]["ts_bar"] == "2020-01-03T00:00:00Z"
    assert second["ticks"][0]["fills"][0]["ts"].startswith("2020-01-03")


def test_a_bar_already_processed_is_reported_and_changes_nothing(api: Harness) -> None:
    """A wall-clock portfolio on the bundled file: its newest closed bar is processed once; the
    next tick finds nothing new."""
    portfolio = api.create_portfolio()
    first = api.post(f"/portfolios/{portfolio}/ticks", {"catch_up": False})
    assert first.status_code == 200, first.text
    assert first.json()["processed"] == 1
    before = api.dump()
    again = api.post(f"/portfolios/{portfolio}/ticks", {"catch_up": False})
    assert again.status_code == 200, again.text
    body = again.json()
    assert body["processed"] == 0
    [tick] = body["ticks"]
    assert tick["status"] in {"already-processed", "no-new-bar"}
    assert (tick["orders"], tick["fills"]) == ([], [])
    assert api.dump() == before


def test_a_retried_tick_request_does_not_tick_twice(api: Harness) -> None:
    """A replay advances one bar per tick, so a second tick would show; the retry with the same
    Idempotency-Key returns the first report instead."""
    portfolio = api.create_portfolio(**MACD)
    path = f"/portfolios/{portfolio}/ticks"
    first = api.post(path, {"symbol": "SPY"}, **{"Idempotency-Key": "tick-1"})
    assert first.status_code == 200, first.text
    before = api.dump()
    retry = api.post(path, {"symbol": "SPY"}, **{"Idempotency-Key": "tick-1"})
    assert retry.status_code == 200
    assert retry.headers.get("Idempotent-Replayed") == "true"
    assert retry.json() == first.json()
    assert api.dump() == before
    assert len(api.services.portfolios.tick_runs(portfolio)) == 1


def test_tick_refusals_change_nothing(api: Harness) -> None:
    portfolio = api.create_portfolio()
    archived = api.create_portfolio(name="old")
    api.post(f"/portfolios/{archived}/archive")
    before = api.dump()
    path = f"/portfolios/{portfolio}/ticks"
    unwatched = api.post(path, {"symbol": "AAPL"})
    assert_refused(api, unwatched, 422, "unknown_symbol", "AAPL", before=before)
    bad = api.post(path, {"symbol": "SP Y!"})
    assert_refused(api, bad, 422, "invalid_option", "symbol", before=before)
    extra = api.post(path, {"symbol": "SPY", "when": "now"})
    assert_refused(api, extra, 422, "validation_error", "body.when", before=before)
    wrong_type = api.post(path, {"catch_up": "perhaps"})
    assert_refused(api, wrong_type, 422, "validation_error", "body.catch_up", before=before)
    read_only = api.post(path, {}, api.reader)
    assert_refused(api, read_only, 403, "insufficient_scope", before=before)
    old = api.post(f"/portfolios/{archived}/ticks", {})
    assert_refused(api, old, 409, "portfolio_archived", before=before)
    assert_refused(api, api.post("/portfolios/999/ticks", {}), 404, "not_found", before=before)


def test_a_keyed_tick_of_several_symbols_feeds_them_all_before_its_unit_opens(
    api: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A live portfolio's feed is fetched from the providers; with an Idempotency-Key the
    request's writes are one unit that holds the writer slot (SQLite) or the portfolio's rows
    (PostgreSQL) from its first write, so every symbol is fed before that first write."""
    portfolio = api.create_portfolio(**{**MACD, "symbols": ["SPY", "AAPL"]})
    portfolios, database = api.services.portfolios, api.services.database
    feed = portfolios._refresh_feed
    fed: list[tuple[str, bool]] = []

    def watched_feed(portfolio_id: int, symbol: str, document: Any) -> Any:
        held = database._held()
        fed.append((symbol, held is not None and held.opened))
        return feed(portfolio_id, symbol, document)

    monkeypatch.setattr(portfolios, "_refresh_feed", watched_feed)
    response = api.post(f"/portfolios/{portfolio}/ticks", {}, **{"Idempotency-Key": "feed-1"})
    assert response.status_code == 200, response.text
    assert response.json()["processed"] == 2
    assert fed == [("SPY", False), ("AAPL", False)]  # both fed, neither inside the open unit


@pytest.mark.usefixtures("registry_as_it_was")
def test_a_tick_of_a_raising_user_strategy_is_refused_by_name_and_changes_nothing(
    api: Harness, tmp_path: Path
) -> None:
    """A plug-in's exception answered 500; now 422 naming the strategy and its line."""
    plugin = write_raising_strategy(tmp_path, "api-raises")
    settings = RunConfig(
        strategies=(StrategySpec("api-raises", {}),),
        strategy_paths=(str(plugin),),
        symbols=("SPY",),
        source=SourceConfig(kind=SourceKind.REPLAY, replay_from=date(2020, 1, 2)),
    )
    portfolio = api.services.portfolios.create_portfolio("p", Decimal(10000), settings=settings)
    before = api.dump()
    response = api.post(f"/portfolios/{portfolio}/ticks", {"symbol": "SPY"})
    assert_refused(
        api,
        response,
        422,
        "invalid_input",
        raised_message("api-raises", plugin),
        before=before,
    )
