"""Rotation with recorded responses: quotas, circuit breakers and the stale fallback."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import httpx
import pandas as pd
import pytest
import respx
from provider_replay import FakeClock, respond, utc

from paperdesk.data.providers import (
    AllProvidersFailed,
    InMemoryQuotaStore,
    JsonFileQuotaStore,
    Limits,
    ProviderAggregator,
    ProviderSettings,
    QuotaStore,
)

YAHOO = "https://query1.finance.yahoo.com/v8/finance/chart/AAPL"
TWELVE = "https://api.twelvedata.com/time_series"
FINNHUB = "https://finnhub.io/api/v1/stock/candle"
ALPHA = "https://www.alphavantage.co/query"
START, END = utc(2024, 1, 2), utc(2024, 1, 5)
KEYS = {"twelvedata": "TD", "finnhub": "FH", "alphavantage": "AV"}


def make(
    http: httpx.Client,
    clock: FakeClock,
    *,
    store: QuotaStore | None = None,
    limits: dict[str, Limits] | None = None,
    order: tuple[str, ...] = ("yahoo", "twelvedata", "finnhub", "alphavantage"),
    fallback=None,
    keys: dict[str, str] | None = None,
) -> ProviderAggregator:
    settings = ProviderSettings(
        order=order,
        api_keys=KEYS if keys is None else keys,
        limits=limits
        or {
            "yahoo": Limits(per_day=None, per_minute=60),
            "twelvedata": Limits(per_day=800, per_minute=8),
            "finnhub": Limits(per_day=3600, per_minute=60),
            "alphavantage": Limits(per_day=25, per_minute=5),
        },
        home=Path("unused"),  # the quota store is given
    )
    return ProviderAggregator.from_settings(
        settings,
        client=http,
        quota_store=store or InMemoryQuotaStore(),
        clock=clock,
        fallback=fallback,
        cooldown=60.0,
    )


def outcomes(result) -> list[tuple[str, str]]:
    return [(a.provider, a.outcome) for a in result.attempts]


def test_first_provider_serves_and_every_bar_remembers_it(
    router: respx.MockRouter, http: httpx.Client, clock: FakeClock
):
    router.get(YAHOO).mock(return_value=respond("yahoo_chart_aapl_1d"))
    result = make(http, clock).fetch_bars("AAPL", "1d", START, END)
    assert result.provider == "yahoo"
    assert not result.stale
    assert outcomes(result) == [("yahoo", "ok")]
    assert set(result.bars["provider"]) == {"yahoo"}


def test_quota_exhaustion_moves_to_the_next_provider(
    router: respx.MockRouter, http: httpx.Client, clock: FakeClock
):
    yahoo = router.get(YAHOO).mock(return_value=respond("yahoo_chart_aapl_1d"))
    router.get(TWELVE).mock(return_value=respond("twelvedata_time_series_aapl_1day"))
    limits = {"yahoo": Limits(per_day=2), "twelvedata": Limits(per_day=800, per_minute=8)}
    aggregator = make(http, clock, limits=limits, order=("yahoo", "twelvedata"))
    for _ in range(2):
        assert aggregator.fetch_bars("AAPL", "1d", START, END).provider == "yahoo"
    third = aggregator.fetch_bars("AAPL", "1d", START, END)
    assert third.provider == "twelvedata"
    assert outcomes(third) == [("yahoo", "skipped"), ("twelvedata", "ok")]
    assert "daily quota used (2/2)" in third.attempts[0].reason
    assert yahoo.call_count == 2
    assert set(third.bars["provider"]) == {"twelvedata"}
    # The day rolls over at 00:00 UTC.
    clock.now = utc(2024, 1, 9, 0, 0)
    assert aggregator.fetch_bars("AAPL", "1d", START, END).provider == "yahoo"


def test_per_minute_limit_skips_until_the_next_minute(
    router: respx.MockRouter, http: httpx.Client, clock: FakeClock
):
    router.get(TWELVE).mock(return_value=respond("twelvedata_time_series_aapl_1day"))
    router.get(FINNHUB).mock(return_value=respond("finnhub_stock_candle_aapl_d"))
    aggregator = make(http, clock, order=("twelvedata", "finnhub"))
    served = [aggregator.fetch_bars("AAPL", "1d", START, END).provider for _ in range(9)]
    assert served == ["twelvedata"] * 8 + ["finnhub"]
    clock.advance(60)
    assert aggregator.fetch_bars("AAPL", "1d", START, END).provider == "twelvedata"


@pytest.mark.parametrize(
    "failure",
    [
        respond("yahoo_rate_limited"),
        httpx.Response(503, text="Service Unavailable"),
        httpx.ReadTimeout("read timed out"),
    ],
    ids=["429", "5xx", "timeout"],
)
def test_failure_trips_the_breaker_and_half_open_retries_after_the_cooldown(
    router: respx.MockRouter, http: httpx.Client, clock: FakeClock, failure: object
):
    yahoo = router.get(YAHOO)
    if isinstance(failure, httpx.Response):
        yahoo.mock(return_value=failure)
    else:
        yahoo.mock(side_effect=failure)
    router.get(TWELVE).mock(return_value=respond("twelvedata_time_series_aapl_1day"))
    aggregator = make(http, clock, order=("yahoo", "twelvedata"))

    first = aggregator.fetch_bars("AAPL", "1d", START, END)
    assert outcomes(first) == [("yahoo", "failed"), ("twelvedata", "ok")]
    assert first.provider == "twelvedata"

    second = aggregator.fetch_bars("AAPL", "1d", START, END)
    assert outcomes(second) == [("yahoo", "skipped"), ("twelvedata", "ok")]
    assert "circuit open" in second.attempts[0].reason
    assert yahoo.call_count == 1
    assert _circuit(aggregator, "yahoo") == "open"

    clock.advance(61)
    assert _circuit(aggregator, "yahoo") == "half-open"
    yahoo.mock(return_value=respond("yahoo_chart_aapl_1d"), side_effect=None)
    third = aggregator.fetch_bars("AAPL", "1d", START, END)
    assert third.provider == "yahoo"
    assert yahoo.call_count == 2
    assert _circuit(aggregator, "yahoo") == "closed"


def test_failed_half_open_trial_reopens_with_a_longer_cooldown(
    router: respx.MockRouter, http: httpx.Client, clock: FakeClock
):
    router.get(YAHOO).mock(return_value=httpx.Response(500, text="boom"))
    router.get(TWELVE).mock(return_value=respond("twelvedata_time_series_aapl_1day"))
    aggregator = make(http, clock, order=("yahoo", "twelvedata"))
    aggregator.fetch_bars("AAPL", "1d", START, END)
    clock.advance(61)
    trial = aggregator.fetch_bars("AAPL", "1d", START, END)
    assert outcomes(trial)[0] == ("yahoo", "failed")
    clock.advance(61)  # the second cool-down is 120 s
    assert _circuit(aggregator, "yahoo") == "open"
    clock.advance(60)
    assert _circuit(aggregator, "yahoo") == "half-open"


def test_unknown_symbol_does_not_trip_the_breaker(
    router: respx.MockRouter, http: httpx.Client, clock: FakeClock
):
    router.get(YAHOO).mock(return_value=respond("yahoo_not_found"))
    router.get(TWELVE).mock(return_value=respond("twelvedata_time_series_aapl_1day"))
    aggregator = make(http, clock, order=("yahoo", "twelvedata"))
    assert aggregator.fetch_bars("AAPL", "1d", START, END).provider == "twelvedata"
    assert _circuit(aggregator, "yahoo") == "closed"


def test_daily_limit_message_marks_the_day_spent(
    router: respx.MockRouter, http: httpx.Client, clock: FakeClock
):
    router.get(ALPHA).mock(return_value=respond("alphavantage_rate_limited_daily"))
    aggregator = make(http, clock, order=("alphavantage",), fallback=lambda *a: None)
    with pytest.raises(AllProvidersFailed, match="25 requests per day"):
        aggregator.fetch_bars("IBM", "1d", START, END)
    clock.advance(3600)  # well past the breaker's cool-down
    with pytest.raises(AllProvidersFailed, match="reported spent"):
        aggregator.fetch_bars("IBM", "1d", START, END)
    row = aggregator.status()[0]
    assert (row.used_today, row.left_today) == (1, 0)


def test_all_failing_serves_stored_bars_marked_stale(
    router: respx.MockRouter, http: httpx.Client, clock: FakeClock
):
    router.get(YAHOO).mock(return_value=httpx.Response(502, text="Bad Gateway"))
    router.get(TWELVE).mock(return_value=respond("twelvedata_rate_limited"))
    router.get(FINNHUB).mock(side_effect=httpx.ConnectTimeout("timed out"))
    router.get(ALPHA).mock(return_value=respond("alphavantage_rate_limited_note"))
    stored = _stored_bars()
    calls: list[tuple[str, str, datetime, datetime]] = []

    def fallback(symbol: str, timeframe: str, start: datetime, end: datetime) -> pd.DataFrame:
        calls.append((symbol, timeframe, start, end))
        return stored

    result = make(http, clock, fallback=fallback).fetch_bars("AAPL", "1d", START, END)
    assert result.stale
    assert result.provider is None
    assert result.bars.attrs["stale"] is True
    assert list(result.bars["provider"]) == ["yahoo", "yahoo"]  # provenance kept from storage
    assert result.bars["close"].tolist() == stored["close"].tolist()
    assert outcomes(result) == [
        ("yahoo", "failed"),
        ("twelvedata", "failed"),
        ("finnhub", "failed"),
        ("alphavantage", "failed"),
    ]
    assert calls == [("AAPL", "1d", START, END)]


def test_all_failing_without_stored_bars_raises(
    router: respx.MockRouter, http: httpx.Client, clock: FakeClock
):
    router.get(YAHOO).mock(return_value=httpx.Response(502, text="Bad Gateway"))
    aggregator = make(http, clock, order=("yahoo",), fallback=lambda *a: None)
    with pytest.raises(AllProvidersFailed) as caught:
        aggregator.fetch_bars("AAPL", "1d", START, END)
    assert [a.outcome for a in caught.value.attempts] == ["failed"]


def test_quotas_survive_a_restart(
    router: respx.MockRouter, http: httpx.Client, clock: FakeClock, tmp_path
):
    router.get(YAHOO).mock(return_value=respond("yahoo_chart_aapl_1d"))
    router.get(TWELVE).mock(return_value=respond("twelvedata_time_series_aapl_1day"))
    path = tmp_path / "home" / "provider_quotas.json"
    limits = {"yahoo": Limits(per_day=2), "twelvedata": Limits(per_day=800, per_minute=8)}
    first = make(
        http, clock, store=JsonFileQuotaStore(path), limits=limits, order=("yahoo", "twelvedata")
    )
    first.fetch_bars("AAPL", "1d", START, END)
    first.fetch_bars("AAPL", "1d", START, END)

    restarted = make(
        http, clock, store=JsonFileQuotaStore(path), limits=limits, order=("yahoo", "twelvedata")
    )
    yahoo_row = restarted.status()[0]
    assert (yahoo_row.name, yahoo_row.used_today, yahoo_row.left_today) == ("yahoo", 2, 0)
    assert restarted.fetch_bars("AAPL", "1d", START, END).provider == "twelvedata"
    # no temporary files left behind (the .lock file is the cross-process lock, kept)
    names = sorted(p.name for p in path.parent.iterdir())
    assert names == ["provider_quotas.json", "provider_quotas.json.lock"]


def test_status_lists_quotas_circuits_and_skipped_providers(
    router: respx.MockRouter, http: httpx.Client, clock: FakeClock
):
    router.get(YAHOO).mock(return_value=httpx.Response(500, text="boom"))
    router.get(TWELVE).mock(return_value=respond("twelvedata_time_series_aapl_1day"))
    aggregator = make(http, clock, keys={"twelvedata": "TD"})
    aggregator.fetch_bars("AAPL", "1d", START, END)
    rows = {row.name: row for row in aggregator.status()}
    assert rows["yahoo"].circuit == "open"
    assert rows["yahoo"].last_error is not None
    assert "HTTP 500" in rows["yahoo"].last_error
    assert rows["twelvedata"].used_today == 1
    assert rows["twelvedata"].left_today == 799
    assert rows["twelvedata"].used_this_minute == 1
    assert not rows["finnhub"].enabled
    assert rows["finnhub"].skipped_reason == "no API key (set PAPERDESK_FINNHUB_API_KEY)"
    assert not rows["alphavantage"].enabled


def test_latest_price_rotates_too(router: respx.MockRouter, http: httpx.Client, clock: FakeClock):
    router.get(YAHOO).mock(return_value=respond("yahoo_rate_limited"))
    router.get("https://api.twelvedata.com/price").mock(
        return_value=httpx.Response(200, json={"price": "181.18000"})
    )
    result = make(http, clock, order=("yahoo", "twelvedata")).latest_price("AAPL")
    assert result.provider == "twelvedata"
    assert str(result.price.price) == "181.18000"


def test_naive_datetimes_are_rejected(http: httpx.Client, clock: FakeClock):
    with pytest.raises(ValueError, match="timezone-aware"):
        make(http, clock).fetch_bars("AAPL", "1d", datetime(2024, 1, 2), datetime(2024, 1, 5))


def _circuit(aggregator: ProviderAggregator, name: str) -> str:
    return next(row.circuit for row in aggregator.status() if row.name == name)


def _stored_bars() -> pd.DataFrame:
    index = pd.DatetimeIndex(["2024-01-02", "2024-01-03"], tz="UTC", name="ts")
    frame = pd.DataFrame(
        {"open": [187.15, 184.22], "high": [188.44, 185.88], "low": [183.885, 183.43],
         "close": [185.64, 184.25], "volume": [82488700.0, 58414500.0]},
        index=index,
    )  # fmt: skip
    frame["ts_close"] = index + pd.Timedelta(hours=21)
    frame["provider"] = "yahoo"
    return frame
