from __future__ import annotations

import httpx
import pandas as pd
import pytest
import respx
from provider_replay import recorded, respond, utc

from paperdesk.data.providers import BadResponse, PolygonProvider, RateLimited

AGGS = "https://api.polygon.io/v2/aggs/ticker/"


def test_daily_aggregates_parse_into_the_bar_frame(router: respx.MockRouter, http: httpx.Client):
    route = router.get(url__startswith=AGGS + "AAPL/range/1/day/").mock(
        return_value=respond("polygon_aggs_aapl_1day")
    )
    bars = PolygonProvider("KEY", client=http).fetch_bars(
        "AAPL", "1d", utc(2024, 1, 2), utc(2024, 1, 6)
    )
    assert route.calls.last.request.url.params["apiKey"] == "KEY"
    results = recorded("polygon_aggs_aapl_1day")["json"]["results"]
    # Stock day bars start at 00:00 New York (05:00 UTC); labels are the trading dates.
    assert list(bars.index) == [pd.Timestamp(f"2024-01-0{d}", tz="UTC") for d in (2, 3, 4, 5)]
    assert bars["close"].tolist() == [row["c"] for row in results]
    assert bars.loc["2024-01-05", "open"] == 181.99


def test_crypto_ticker_mapping(router: respx.MockRouter, http: httpx.Client):
    route = router.get(url__startswith=AGGS + "X:BTCUSD/range/15/minute/").mock(
        return_value=respond("polygon_unknown_ticker")
    )
    bars = PolygonProvider("KEY", client=http).fetch_bars(
        "BTCUSDT", "15m", utc(2024, 1, 2), utc(2024, 1, 3)
    )
    assert route.called
    assert bars.empty


def test_429_is_rate_limited(router: respx.MockRouter, http: httpx.Client):
    router.get(url__startswith=AGGS).mock(return_value=respond("polygon_rate_limited"))
    with pytest.raises(RateLimited, match="maximum requests per minute"):
        PolygonProvider("KEY", client=http).fetch_bars(
            "AAPL", "1d", utc(2024, 1, 2), utc(2024, 1, 6)
        )


def test_unknown_key_is_a_bad_response(router: respx.MockRouter, http: httpx.Client):
    router.get(url__startswith=AGGS).mock(return_value=respond("polygon_unknown_api_key"))
    with pytest.raises(BadResponse, match="Unknown API Key"):
        PolygonProvider("KEY", client=http).fetch_bars(
            "AAPL", "1d", utc(2024, 1, 2), utc(2024, 1, 6)
        )
