from __future__ import annotations

import httpx
import pandas as pd
import pytest
import respx
from provider_replay import recorded, respond, utc

from paperdesk.data.providers import BadResponse, FinnhubProvider, RateLimited

BASE = "https://finnhub.io/api/v1"


def test_stock_candles_parse_into_the_bar_frame(router: respx.MockRouter, http: httpx.Client):
    route = router.get(f"{BASE}/stock/candle").mock(
        return_value=respond("finnhub_stock_candle_aapl_d")
    )
    bars = FinnhubProvider("KEY", client=http).fetch_bars(
        "AAPL", "1d", utc(2024, 1, 2), utc(2024, 1, 5)
    )
    params = route.calls.last.request.url.params
    assert params["resolution"] == "D"
    assert params["token"] == "KEY"
    payload = recorded("finnhub_stock_candle_aapl_d")["json"]
    assert list(bars.index) == [pd.Timestamp(f"2024-01-0{d}", tz="UTC") for d in (2, 3, 4, 5)]
    assert bars["open"].tolist() == payload["o"]
    assert bars["volume"].tolist() == [float(v) for v in payload["v"]]
    assert bars.loc["2024-01-02", "high"] == 188.44


@pytest.mark.parametrize(
    ("symbol", "path", "ticker"),
    [
        ("EURUSD", "/forex/candle", "OANDA:EUR_USD"),
        ("BTC/USDT", "/crypto/candle", "BINANCE:BTCUSDT"),
    ],
)
def test_forex_and_crypto_use_their_candle_endpoints(
    router: respx.MockRouter, http: httpx.Client, symbol: str, path: str, ticker: str
):
    route = router.get(f"{BASE}{path}").mock(return_value=respond("finnhub_no_data"))
    bars = FinnhubProvider("KEY", client=http).fetch_bars(
        symbol, "1h", utc(2024, 1, 2), utc(2024, 1, 3)
    )
    assert bars.empty
    assert route.calls.last.request.url.params["symbol"] == ticker
    assert route.calls.last.request.url.params["resolution"] == "60"


def test_429_is_rate_limited(router: respx.MockRouter, http: httpx.Client):
    router.get(f"{BASE}/stock/candle").mock(return_value=respond("finnhub_rate_limited"))
    with pytest.raises(RateLimited, match="API limit reached"):
        FinnhubProvider("KEY", client=http).fetch_bars(
            "AAPL", "1d", utc(2024, 1, 2), utc(2024, 1, 5)
        )


def test_no_access_is_a_bad_response(router: respx.MockRouter, http: httpx.Client):
    router.get(f"{BASE}/stock/candle").mock(return_value=respond("finnhub_no_access"))
    with pytest.raises(BadResponse, match="don't have access"):
        FinnhubProvider("KEY", client=http).fetch_bars(
            "AAPL", "1d", utc(2024, 1, 2), utc(2024, 1, 5)
        )


def test_latest_price_from_quote(router: respx.MockRouter, http: httpx.Client):
    router.get(f"{BASE}/quote").mock(return_value=respond("finnhub_quote_aapl"))
    latest = FinnhubProvider("KEY", client=http).latest_price("AAPL")
    assert str(latest.price) == "181.18"
    assert latest.ts == utc(2024, 1, 5, 21, 0)
