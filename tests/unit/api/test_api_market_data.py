"""Market data over the REST API: a CSV upload imported into the bar store as
``paperdesk data import`` imports a file (all or nothing, errors by line and column, a size
limit), the quality report of a series, and the providers without their keys."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from api_fixtures import API, Harness, api, assert_refused

from live_minutes import fake_yahoo  # the live source's fake provider, minutes to now
from paperdesk.api.routers import market_data
from paperdesk.config import RunConfig, SourceConfig
from provider_server import FakeProviders
from quiet_strategy import QUIET

__all__ = ["api", "fake_yahoo"]

HEADER = "timestamp,open,high,low,close,volume\n"
GOOD = HEADER + "2024-01-02,10,11,9,10.5,100\n2024-01-03,10.5,12,10,11.25,200\n"


def upload(
    harness: Harness,
    text: str,
    *,
    filename: str = "acme bars.csv",
    token: str | None = None,
    **form: str,
) -> Any:
    fields = {"symbol": "ACME", "timeframe": "1d", "asset_class": "equity", **form}
    return harness.client.post(
        f"{API}/market-data/import",
        files={"file": (filename, text.encode(), "text/csv")},
        data=fields,
        headers=harness.headers(token or harness.admin),
    )


def test_an_upload_is_imported_and_served_as_prices(api: Harness) -> None:
    imported = upload(api, GOOD)
    assert imported.status_code == 201, imported.text
    report = imported.json()
    assert (report["symbol"], report["timeframe"]) == ("ACME", "1d")
    assert (report["rows_read"], report["rows_written"]) == (2, 2)
    assert report["filename"] == "acme_bars.csv"
    assert "/tmp" not in imported.text  # the server's folder never shows
    candles = api.get("/prices/ACME/ohlc", api.reader).json()["items"]
    closes = [(c["ts_open"][:10], c["close"]) for c in candles]
    assert [(day, float(close)) for day, close in closes] == [
        ("2024-01-02", 10.5),
        ("2024-01-03", 11.25),
    ]
    assert {c["source"] for c in candles} == {"csv:acme_bars.csv"}
    listed = api.services.market_data.list_series()
    assert ("ACME", "1d", "store") in {(s.symbol, s.timeframe, s.where) for s in listed}


def test_a_bad_file_names_line_and_column_and_stores_nothing(api: Harness) -> None:
    before = api.dump()
    bad = HEADER + "2024-01-02,10,11,9,10.5,100\n2024-01-03,10,11,9,x,100\n"
    refused = upload(api, bad)
    assert_refused(api, refused, 422, "invalid_csv", "line 3", "close", "acme_bars.csv",
                   before=before)  # fmt: skip
    assert refused.json()["problems"] == [
        {"line": 3, "column": "close", "reason": "close value 'x' is not a number"}
    ]
    assert "/tmp" not in refused.text
    assert api.get("/prices/ACME/ohlc", api.reader).status_code == 404
    # the request's id, as on every other error (this one had none)
    assert refused.json()["request_id"] == refused.headers["X-Request-ID"]


def test_duplicates_are_refused_unless_dropped_as_the_cli_offers(api: Harness) -> None:
    twice = GOOD + "2024-01-03,10.5,12,10,11.25,200\n"
    before = api.dump()
    refused = upload(api, twice)
    assert_refused(api, refused, 422, "invalid_csv", "duplicate", before=before)
    kept = upload(api, twice, drop_duplicates="true")
    assert kept.status_code == 201, kept.text
    assert kept.json()["rows_written"] == 2


def test_an_upload_over_the_limit_is_refused(api: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(market_data, "MAX_UPLOAD_BYTES", len(GOOD) - 1)
    before = api.dump()
    assert_refused(api, upload(api, GOOD), 413, "upload_too_large", "limit", before=before)
    assert upload(api, GOOD[: len(GOOD) // 2]).status_code == 422  # under the limit: read


def test_bad_imports_are_named_and_change_nothing(api: Harness) -> None:
    before = api.dump()
    cases: list[tuple[dict[str, Any], int, str, str]] = [
        ({"token": api.trader}, 403, "insufficient_scope", "needs an admin key"),
        ({"token": api.reader}, 403, "insufficient_scope", "needs an admin key"),
        ({"timeframe": "2x"}, 422, "invalid_input", "2x"),
        ({"symbol": "AC ME"}, 422, "invalid_option", "symbol"),
        ({"symbol": "NEWCO", "asset_class": ""}, 422, "unknown_name", "NEWCO"),
        ({"asset_class": "bonds"}, 422, "unknown_name", "bonds"),
    ]
    for form, status, code, named in cases:
        refused = upload(api, GOOD, **form)
        assert_refused(api, refused, status, code, named, before=before)
    empty = upload(api, "")
    assert_refused(api, empty, 422, "invalid_csv", "empty", before=before)
    no_file = api.client.post(
        f"{API}/market-data/import", data={"symbol": "ACME", "timeframe": "1d"},
        headers=api.headers(api.admin),
    )  # fmt: skip
    assert_refused(api, no_file, 422, "validation_error", "body.file", before=before)


def test_the_quality_report_of_a_series(api: Harness) -> None:
    report = api.get("/market-data/SPY/quality", api.reader, params={"timeframe": "1d"})
    assert report.status_code == 200, report.text
    body = report.json()
    assert (body["symbol"], body["timeframe"], body["calendar"]) == ("SPY", "1d", "XNYS")
    assert (body["first"], body["last"]) == ("1998-01-02T00:00:00Z", "2021-03-31T00:00:00Z")
    # the bundled file ends in 2021, and no live portfolio trades it: history, not a stale feed
    assert (body["feed_stale"], body["history"]) == (False, True)
    assert not any("stale" in warning for warning in body["warnings"])
    ranged = api.get(
        "/market-data/SPY/quality", params={"start": "2021-03-01", "end": "2021-03-31"}
    ).json()
    assert ranged["bars"] == 23  # the March 2021 sessions
    before = api.dump()
    for params, status, code in [
        ({"timeframe": "1d"}, 404, "not_found"),
        ({"timeframe": "nope"}, 422, "invalid_input"),
        ({"start": "0001-01-01T00:00:00Z", "end": "9999-12-31T00:00:00Z"}, 404, "not_found"),
    ]:
        refused = api.get("/market-data/ZZZZ/quality", params=params)
        assert_refused(api, refused, status, code, before=before)
    far = {"start": "0001-01-01T00:00:00Z", "end": "9999-12-31T00:00:00Z"}
    everything = api.get("/market-data/SPY/quality", params=far)  # beyond nanoseconds' range
    assert everything.status_code == 200, everything.text
    assert everything.json()["bars"] == body["bars"]


def test_a_replay_portfolios_series_says_where_the_replay_stands_not_stale(
    api: Harness, clean_environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # the health view asks for the series of its portfolio: a replay's series is history, so
    # the wall clock's age of its last bar (years) is no staleness; where the replay is, is
    clean_environment.setenv("PAPERDESK_HOME", str(tmp_path / "home"))
    settings = RunConfig(
        symbols=("SPY",), source=SourceConfig("replay", replay_from=date(2021, 3, 1)), **QUIET
    )
    portfolios = api.services.portfolios
    portfolio = portfolios.create_portfolio("replayed", Decimal(10_000), settings=settings)
    portfolios.tick(portfolio, "SPY")  # the bar of 2021-03-01
    params = {"timeframe": "1d", "portfolio": str(portfolio)}
    body = api.get("/market-data/SPY/quality", api.reader, params=params).json()
    assert body["feed_stale"] is False
    assert not any("stale" in warning for warning in body["warnings"])
    assert body["replay"] == {
        "portfolio_id": portfolio,
        "at": "2021-03-01T00:00:00Z",
        "served": 1,
        "remaining": 22,  # the other March 2021 sessions, the last of the bundled file
        "text": f"replay of portfolio {portfolio}: at the bar of 2021-03-01 00:00 UTC, 1 of 23 "
        "bars served, 22 left",
    }
    # without the portfolio (or for a symbol it does not trade) the series is judged as data
    plain = api.get("/market-data/SPY/quality", params={"timeframe": "1d"}).json()
    assert (plain["feed_stale"], plain["history"], plain["replay"]) == (False, True, None)
    other = api.get("/market-data/AAPL/quality", params=params).json()
    assert (other["feed_stale"], other["history"], other["replay"]) == (False, True, None)
    before = api.dump()
    unknown = api.get("/market-data/SPY/quality", params={"portfolio": "999"})
    assert_refused(api, unknown, 404, "not_found", "portfolio", before=before)


def test_a_series_is_a_feed_only_for_keys_that_see_a_live_portfolio_trading_it(
    fake_yahoo: FakeProviders, api: Harness
) -> None:
    # as `paperdesk data check`: a series a live portfolio trades is its feed, whose age the
    # wall clock judges; any other series is history, never stale; for a key limited to another
    # portfolio the feed is history too (whether someone trades it live does not leak)
    settings = RunConfig(symbols=("BTCUSD",), timeframe="1m", source=SourceConfig("live"), **QUIET)
    portfolios = api.services.portfolios
    live = portfolios.create_portfolio("live", Decimal(10_000), settings=settings)
    other = portfolios.create_portfolio(
        "other", Decimal(10_000), settings=RunConfig(symbols=("AAPL",), **QUIET)
    )
    minutes = {"timeframe": "1m"}
    seen = api.get("/market-data/BTCUSD/quality", api.reader, params=minutes).json()
    assert (seen["history"], seen["feed_stale"]) == (False, False)  # its minutes end now
    own = api.services.api_keys.create("own", "read", [live]).token
    assert api.get("/market-data/BTCUSD/quality", own, params=minutes).json()["history"] is False
    limited = api.services.api_keys.create("limited", "read", [other]).token
    blind = api.get("/market-data/BTCUSD/quality", limited, params=minutes).json()
    assert (blind["history"], blind["feed_stale"]) == (True, False)
    # another timeframe of the symbol is no feed of the portfolio
    daily = api.get("/market-data/BTCUSD/quality", params={"timeframe": "1d"}).json()
    assert (daily["history"], daily["feed_stale"]) == (True, False)


def test_providers_show_quotas_and_circuits_but_never_a_key(
    api: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERDESK_TWELVEDATA_API_KEY", "secret-key-value-123")
    api.services.__dict__.pop("settings", None)  # read the environment again
    api.services.__dict__.pop("market_data", None)
    response = api.get("/market-data/providers", api.reader)
    assert response.status_code == 200, response.text
    assert "secret-key-value-123" not in response.text
    by_name = {p["name"]: p for p in response.json()}
    twelve = by_name["twelvedata"]
    assert (twelve["enabled"], twelve["circuit"], twelve["used_today"]) == (True, "closed", 0)
    assert twelve["per_day"] is not None
    assert twelve["left_today"] == twelve["per_day"]
    disabled = [p for p in by_name.values() if not p["enabled"]]
    assert all(p["circuit"] is None and p["skipped_reason"] for p in disabled)
