from __future__ import annotations

import httpx
import pandas as pd
import pytest
import respx
from provider_replay import recorded, respond, utc

from paperdesk.data.providers import (
    ProviderUnavailable,
    RateLimited,
    SymbolNotFound,
    TwelveDataProvider,
)

SERIES = "https://api.twelvedata.com/time_series"


def test_intraday_forex_series_parses_into_the_bar_frame(
    router: respx.MockRouter, http: httpx.Client
):
    route = router.get(SERIES).mock(return_value=respond("twelvedata_time_series_eurusd_1h"))
    bars = TwelveDataProvider("KEY", client=http).fetch_bars(
        "EURUSD", "1h", utc(2024, 1, 4), utc(2024, 1, 5)
    )
    params = route.calls.last.request.url.params
    assert params["symbol"] == "EUR/USD"
    assert params["interval"] == "1h"
    assert params["timezone"] == "UTC"
    assert params["apikey"] == "KEY"
    assert bars.index[0] == pd.Timestamp("2024-01-04 15:00", tz="UTC")
    assert bars["high"].tolist() == [1.09421, 1.09468, 1.09511]
    assert bars["volume"].tolist() == [0.0, 0.0, 0.0]  # forex series carry no volume
    assert set(bars["provider"]) == {"twelvedata"}


def test_daily_series_values_match_the_fixture(router: respx.MockRouter, http: httpx.Client):
    router.get(SERIES).mock(return_value=respond("twelvedata_time_series_aapl_1day"))
    bars = TwelveDataProvider("KEY", client=http).fetch_bars(
        "AAPL", "1d", utc(2024, 1, 2), utc(2024, 1, 5)
    )
    values = recorded("twelvedata_time_series_aapl_1day")["json"]["values"]
    assert len(bars) == 4
    assert bars.loc["2024-01-03", "close"] == float(values[1]["close"]) == 184.25
    assert bars.loc["2024-01-05", "volume"] == 62303300.0


def test_rate_limit_payload_is_rate_limited(router: respx.MockRouter, http: httpx.Client):
    router.get(SERIES).mock(return_value=respond("twelvedata_rate_limited"))
    with pytest.raises(RateLimited, match="run out of API credits"):
        TwelveDataProvider("KEY", client=http).fetch_bars(
            "AAPL", "1d", utc(2024, 1, 2), utc(2024, 1, 5)
        )


def test_not_found_in_a_200_body_is_symbol_not_found(router: respx.MockRouter, http: httpx.Client):
    router.get(SERIES).mock(return_value=respond("twelvedata_symbol_not_found"))
    with pytest.raises(SymbolNotFound, match="not found"):
        TwelveDataProvider("KEY", client=http).fetch_bars(
            "NOSUCHTICKER", "1d", utc(2024, 1, 2), utc(2024, 1, 5)
        )


def test_server_error_is_unavailable(router: respx.MockRouter, http: httpx.Client):
    router.get(SERIES).mock(return_value=respond("twelvedata_server_error"))
    with pytest.raises(ProviderUnavailable):
        TwelveDataProvider("KEY", client=http).fetch_bars(
            "AAPL", "1d", utc(2024, 1, 2), utc(2024, 1, 5)
        )


def test_latest_price(router: respx.MockRouter, http: httpx.Client, clock):
    router.get("https://api.twelvedata.com/price").mock(
        return_value=httpx.Response(200, json={"price": "181.17999"})
    )
    latest = TwelveDataProvider("KEY", client=http, clock=clock).latest_price("AAPL")
    assert str(latest.price) == "181.17999"
    assert latest.ts == clock.now
