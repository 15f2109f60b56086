from __future__ import annotations

import httpx
import pandas as pd
import pytest
import respx
from provider_replay import respond, utc

from paperdesk.data.providers import (
    AlphaVantageProvider,
    BadResponse,
    RateLimited,
    SymbolNotFound,
)

QUERY = "https://www.alphavantage.co/query"


def test_intraday_keys_are_new_york_open_times(router: respx.MockRouter, http: httpx.Client):
    route = router.get(QUERY).mock(return_value=respond("alphavantage_intraday_ibm_5min"))
    bars = AlphaVantageProvider("KEY", client=http).fetch_bars(
        "IBM", "5m", utc(2024, 1, 5), utc(2024, 1, 7)
    )
    params = route.calls.last.request.url.params
    assert params["function"] == "TIME_SERIES_INTRADAY"
    assert params["interval"] == "5min"
    # 19:45 US/Eastern in January is 00:45 UTC the next day; the frame is sorted ascending.
    assert list(bars.index) == [
        pd.Timestamp("2024-01-06 00:45", tz="UTC"),
        pd.Timestamp("2024-01-06 00:50", tz="UTC"),
        pd.Timestamp("2024-01-06 00:55", tz="UTC"),
    ]
    assert bars["close"].tolist() == [159.95, 159.9, 160.0]
    assert bars["volume"].tolist() == [148.0, 310.0, 1022.0]


def test_fx_daily_has_no_volume(router: respx.MockRouter, http: httpx.Client):
    route = router.get(QUERY).mock(return_value=respond("alphavantage_fx_daily_eurusd"))
    bars = AlphaVantageProvider("KEY", client=http).fetch_bars(
        "EURUSD", "1d", utc(2024, 1, 3), utc(2024, 1, 4)
    )
    assert route.calls.last.request.url.params["from_symbol"] == "EUR"
    assert list(bars.index) == [
        pd.Timestamp("2024-01-03", tz="UTC"),
        pd.Timestamp("2024-01-04", tz="UTC"),
    ]
    assert bars.loc["2024-01-04", "close"] == 1.0945
    assert bars["volume"].tolist() == [0.0, 0.0]


@pytest.mark.parametrize(
    ("fixture", "error", "text"),
    [
        ("alphavantage_rate_limited_daily", RateLimited, "25 requests per day"),
        ("alphavantage_rate_limited_note", RateLimited, "5 calls per minute"),
        ("alphavantage_invalid_symbol", SymbolNotFound, "Invalid API call"),
        ("alphavantage_premium", BadResponse, "premium endpoint"),
    ],
)
def test_http_200_error_payloads_map_to_typed_errors(
    router: respx.MockRouter, http: httpx.Client, fixture: str, error: type, text: str
):
    router.get(QUERY).mock(return_value=respond(fixture))
    with pytest.raises(error, match=text):
        AlphaVantageProvider("KEY", client=http).fetch_bars(
            "IBM", "1d", utc(2024, 1, 2), utc(2024, 1, 5)
        )


def test_crypto_is_not_served():
    assert AlphaVantageProvider("KEY").unsupported_reason("BTCUSDT", "1d") is not None
