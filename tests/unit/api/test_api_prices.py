"""Latest prices and OHLC history over the REST API, on the real bundled SPY files (read here
independently of the app): exact decimal strings, provenance, closed candles only, and pages
that walk back through history without overlap or gap."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import pytest
from api_fixtures import API, Harness, api, assert_refused
from fastapi.testclient import TestClient

from paperdesk.api import create_app
from paperdesk.data.clock import FixedClock
from paperdesk.service import Services
from paperdesk.store import Database

__all__ = ["api"]


def bundled_rows(file: str) -> list[dict[str, str]]:
    text = resources.files("paperdesk.data.bundled").joinpath(file).read_text()
    return list(csv.DictReader(text.splitlines()))


def cents(text: str) -> str:
    """A price of the file with at least a cent's two decimals, as the API writes SPY's
    (``386.0`` is ``386.00``, ``388.1702`` stays)."""
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction.ljust(2, '0')}"


def prices(rows: list[dict[str, str]]) -> list[tuple[str, ...]]:
    """(day or hour label, open, high, low, close): the file's values, to the cent at least."""
    return [
        (r["timestamp"][:13], *(cents(r[name]) for name in ("open", "high", "low", "close")))
        for r in rows
    ]


def candle_prices(candles: list[dict[str, str]]) -> list[tuple[str, ...]]:
    return [(c["ts_open"][:13], c["open"], c["high"], c["low"], c["close"]) for c in candles]


@pytest.fixture
def mid_session(database: Database) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The API on a clock stopped at 2021-03-31 15:30 UTC, mid-session: the day's bar and the
    15:00 hour are still forming."""
    services = Services(
        database=database, clock=FixedClock(datetime(2021, 3, 31, 15, 30, tzinfo=UTC))
    )
    token = services.api_keys.create("reader", "read").token
    with TestClient(create_app(services)) as client:
        yield client, {"Authorization": f"Bearer {token}"}


def test_the_latest_price_is_the_last_closed_bars_close(api: Harness) -> None:
    last = bundled_rows("lean_SPY_1d.csv")[-1]
    response = api.get("/prices/latest", api.reader, params={"symbols": "SPY,spy,QQQ"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["missing"] == ["QQQ"]
    [spy] = body["items"]
    assert (spy["symbol"], spy["timeframe"], spy["price"]) == ("SPY", "1d", cents(last["close"]))
    assert spy["ts"] == "2021-03-31T20:00:00Z"  # the close of the NYSE session
    assert spy["candle"]["source"] == "bundled:lean_SPY_1d.csv"
    assert spy["candle"]["closed"] is True
    assert spy["provenance"]["origin"] in {"bundled", "cache"}
    assert spy["provenance"]["loaded_from"] == "bundled"


def test_a_forming_bar_is_never_served(mid_session: tuple[TestClient, dict[str, str]]) -> None:
    client, headers = mid_session
    daily = bundled_rows("lean_SPY_1d.csv")
    hourly = [r for r in bundled_rows("lean_SPY_1h.csv") if r["timestamp"] < "2021-03-31T15"]
    latest = client.get(f"{API}/prices/latest", params={"symbols": "SPY"}, headers=headers)
    assert latest.json()["items"][0]["price"] == cents(daily[-2]["close"])  # 03-30, not the 31st
    hours = client.get(
        f"{API}/prices/SPY/ohlc",
        params={"timeframe": "1h", "start": "2021-03-31T00:00:00Z", "limit": 50},
        headers=headers,
    ).json()
    assert candle_prices(hours["items"]) == prices(hourly[-2:])  # 13:00 and 14:00 closed
    assert all(c["closed"] for c in hours["items"])
    assert hours["provenance"]["as_of"] == "2021-03-31T15:30:00Z"


def test_history_pages_back_without_overlap_or_gap(api: Harness) -> None:
    rows = [
        r for r in bundled_rows("lean_SPY_1d.csv") if "2021-02-01" <= r["timestamp"] < "2021-03-20"
    ]
    params: dict[str, object] = {
        "timeframe": "1d",
        "start": "2021-02-01",
        "end": "2021-03-19T00:00:00Z",
        "limit": 10,
    }
    pages: list[list[dict[str, str]]] = []
    while True:
        page = api.get("/prices/SPY/ohlc", api.reader, params=params).json()
        pages.append(page["items"])
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert len(rows) == 34  # sessions from 2021-02-01 to 2021-03-19 in the file
    assert [len(p) for p in pages] == [10, 10, 10, 4]  # the newest page first
    walked = [candle for page in reversed(pages) for candle in page]
    assert candle_prices(walked) == prices(rows)
    assert {c["source"] for c in walked} == {"bundled:lean_SPY_1d.csv"}
    first = pages[0][-1]
    assert (first["ts_open"], first["ts_close"]) == ("2021-03-19T00:00:00Z", "2021-03-19T20:00:00Z")


def test_bad_price_requests_are_named(api: Harness) -> None:
    before = api.dump()
    cases = [
        ("/prices/SPY/ohlc", {"timeframe": "2x"}, 422, "invalid_input", "2x"),
        ("/prices/SPY/ohlc", {"limit": 0}, 422, "validation_error", "query.limit"),
        ("/prices/SPY/ohlc", {"cursor": "nope"}, 422, "invalid_cursor", "nope"),
        ("/prices/SPY/ohlc", {"start": "yesterday"}, 422, "validation_error", "query.start"),
        ("/prices/SPY/ohlc", {"start": "2021-03-02", "end": "2021-03-01"}, 422, "invalid_input",
         "after"),
        ("/prices/ZZZZ/ohlc", {}, 404, "not_found", "ZZZZ"),
        ("/prices/latest", {"symbols": "SP Y"}, 422, "invalid_option", "symbols"),
        ("/prices/latest", {"symbols": ","}, 422, "invalid_input", "symbols"),
        ("/prices/latest", {}, 422, "validation_error", "query.symbols"),
        ("/prices/latest", {"symbols": ",".join(f"S{n}" for n in range(51))}, 422,
         "invalid_input", "at most 50"),
    ]  # fmt: skip
    for path, params, status, code, named in cases:
        response = api.get(path, api.reader, params=params)
        assert_refused(api, response, status, code, named, before=before)
    unauthenticated = api.client.get(f"{API}/prices/latest", params={"symbols": "SPY"})
    assert (unauthenticated.status_code, unauthenticated.json()["code"]) == (401, "missing_api_key")


def test_a_price_is_written_with_its_ticks_decimals_whatever_the_file_wrote(
    api: Harness, tmp_path: Path
) -> None:
    """A bar is kept as its float's shortest text (398.0 for a file's 398.00 or 398): the API
    answers 398.00, as every table prints an SPY price; a volume keeps no trailing zero."""
    path = tmp_path / "SPY.csv"
    path.write_text(
        "timestamp,open,high,low,close,volume\n"
        "2021-03-01,397.50,399.00,397.00,398.00,1000\n"
        "2021-03-02,398,399.255,397,398,1500.0\n"
    )
    api.services.market_data.import_file(path, "SPY", "1d")
    [spy] = api.get("/prices/latest", api.reader, params={"symbols": "SPY"}).json()["items"]
    assert spy["price"] == "398.00"
    candle = spy["candle"]
    assert [candle[name] for name in ("open", "high", "low", "close", "volume")] == [
        "398.00", "399.255", "397.00", "398.00", "1500",
    ]  # fmt: skip
    page = api.get("/prices/SPY/ohlc", api.reader, params={"start": "2021-03-01"}).json()
    assert [c["open"] for c in page["items"]] == ["397.50", "398.00"]


def test_two_day_candles_are_pairs_of_sessions(api: Harness) -> None:
    # two sessions a candle, counted from 1970-01-02 (see tests/unit/data/test_data_resample_days)
    page = api.get(
        "/prices/SPY/ohlc",
        api.reader,
        params={"timeframe": "2d", "start": "2019-11-25", "end": "2019-11-29"},
    )
    assert page.status_code == 200, page.text
    candles = page.json()["items"]
    assert candle_prices(candles) == [
        ("2019-11-25T00", "311.99", "314.28", "311.98", "314.08"),
        ("2019-11-27T00", "314.67", "315.48", "314.06", "314.31"),
    ]
    assert [c["ts_close"] for c in candles] == ["2019-11-26T21:00:00Z", "2019-11-29T18:00:00Z"]
    assert {c["source"] for c in candles} == {"resampled from 1d"}


@pytest.mark.parametrize("base", ["1d", "1h"])
def test_the_timeframes_offered_over_a_bar_length_are_all_served(api: Harness, base: str) -> None:
    """Every timeframe the chart menu is offered over ``base`` bars is a series the OHLC
    endpoint serves, each candle at least as long as a ``base`` bar; ``2d`` and the week and
    month are among them (docs/resampling.md)."""
    response = api.get("/prices/timeframes", api.reader, params={"base": base.upper()})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["base"] == base
    assert body["timeframes"][0] == base
    assert {"2d", "3d", "1w", "1mo"} <= set(body["timeframes"])
    assert base in body["bar_lengths"]
    for timeframe in body["timeframes"]:
        page = api.get("/prices/SPY/ohlc", api.reader, params={"timeframe": timeframe, "limit": 3})
        assert page.status_code == 200, (timeframe, page.text)
        assert page.json()["items"], timeframe


def test_a_timeframe_menu_never_offers_what_its_bars_cannot_form(api: Harness) -> None:
    """Weekly bars do not add up to months nor two-day bars to weeks: those menus offer only
    their own bar length; a bad ``base`` is refused naming it."""
    for base in ("1w", "2d"):
        body = api.get("/prices/timeframes", api.reader, params={"base": base}).json()
        assert body["timeframes"] == [base]
    before = api.dump()
    response = api.get("/prices/timeframes", api.reader, params={"base": "2x"})
    assert_refused(api, response, 422, "invalid_input", "base", "2x", before=before)
    unauthenticated = api.client.get(f"{API}/prices/timeframes")
    assert (unauthenticated.status_code, unauthenticated.json()["code"]) == (401, "missing_api_key")
