from __future__ import annotations

import httpx
import pandas as pd
import pytest
import respx
from provider_replay import recorded, respond, utc

from paperdesk.data.providers import (
    PriceProvider,
    ProviderUnavailable,
    RateLimited,
    SymbolNotFound,
    YahooProvider,
)

CHART = "https://query1.finance.yahoo.com/v8/finance/chart/"


def test_daily_chart_parses_into_the_bar_frame(router: respx.MockRouter, http: httpx.Client):
    route = router.get(CHART + "AAPL").mock(return_value=respond("yahoo_chart_aapl_1d"))
    provider = YahooProvider(client=http)
    assert isinstance(provider, PriceProvider)

    bars = provider.fetch_bars("AAPL", "1d", utc(2024, 1, 2), utc(2024, 1, 5))

    params = route.calls.last.request.url.params
    assert params["interval"] == "1d"
    assert params["period1"] == str(int(utc(2024, 1, 2).timestamp()))
    quote = recorded("yahoo_chart_aapl_1d")["json"]["chart"]["result"][0]["indicators"]["quote"][0]
    assert list(bars.index) == [pd.Timestamp(f"2024-01-0{d}", tz="UTC") for d in (2, 3, 4, 5)]
    assert bars.index.name == "ts"
    assert bars["open"].tolist() == quote["open"]
    assert bars["close"].tolist() == quote["close"]
    assert bars["volume"].tolist() == [float(v) for v in quote["volume"]]
    assert bars.loc["2024-01-04", "low"] == 180.88
    assert {str(bars[c].dtype) for c in ("open", "high", "low", "close", "volume")} == {"float64"}
    # Daily XNYS bars close at the session close (16:00 New York = 21:00 UTC in January).
    assert bars["ts_close"].iloc[0] == pd.Timestamp("2024-01-02 21:00", tz="UTC")
    assert set(bars["provider"]) == {"yahoo"}
    assert bars.attrs["provider"] == "yahoo"


def test_forex_symbol_mapping_and_null_rows_dropped(router: respx.MockRouter, http: httpx.Client):
    router.get(CHART + "EURUSD=X").mock(return_value=respond("yahoo_chart_eurusd_1h"))
    bars = YahooProvider(client=http).fetch_bars("EURUSD", "1h", utc(2024, 1, 4), utc(2024, 1, 5))
    assert list(bars.index) == [
        pd.Timestamp("2024-01-04 15:00", tz="UTC"),
        pd.Timestamp("2024-01-04 17:00", tz="UTC"),
    ]
    assert bars["close"].tolist() == [1.09411, 1.09450]
    assert (bars["ts_close"] - bars.index == pd.Timedelta(hours=1)).all()


def test_latest_price_reads_the_chart_meta(router: respx.MockRouter, http: httpx.Client):
    router.get(CHART + "AAPL").mock(return_value=respond("yahoo_chart_aapl_1d"))
    latest = YahooProvider(client=http).latest_price("AAPL")
    assert str(latest.price) == "181.18"
    assert latest.ts == utc(2024, 1, 5, 21, 0).replace(second=1)
    assert latest.provider == "yahoo"


def test_unknown_symbol_is_symbol_not_found(router: respx.MockRouter, http: httpx.Client):
    router.get(CHART + "NOSUCHTICKER").mock(return_value=respond("yahoo_not_found"))
    with pytest.raises(SymbolNotFound, match="symbol may be delisted"):
        YahooProvider(client=http).fetch_bars(
            "NOSUCHTICKER", "1d", utc(2024, 1, 2), utc(2024, 1, 5)
        )


def test_429_is_rate_limited(router: respx.MockRouter, http: httpx.Client):
    router.get(CHART + "AAPL").mock(return_value=respond("yahoo_rate_limited"))
    with pytest.raises(RateLimited, match="Too Many Requests"):
        YahooProvider(client=http).fetch_bars("AAPL", "1d", utc(2024, 1, 2), utc(2024, 1, 5))


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(502, text="<html>Bad Gateway</html>"),
        httpx.ConnectTimeout("timed out"),
        httpx.ConnectError("connection refused"),
    ],
)
def test_5xx_timeouts_and_connection_errors_are_unavailable(
    router: respx.MockRouter, http: httpx.Client, failure: object
):
    route = router.get(CHART + "AAPL")
    if isinstance(failure, httpx.Response):
        route.mock(return_value=failure)
    else:
        route.mock(side_effect=failure)
    with pytest.raises(ProviderUnavailable):
        YahooProvider(client=http).fetch_bars("AAPL", "1d", utc(2024, 1, 2), utc(2024, 1, 5))


def test_unsupported_interval_is_reported():
    assert YahooProvider(client=httpx.Client()).unsupported_reason("AAPL", "4h") is not None
