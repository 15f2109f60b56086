from __future__ import annotations

import json
import multiprocessing
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from provider_replay import utc

from paperdesk.data.providers import (
    CircuitBreaker,
    CircuitState,
    InMemoryQuotaStore,
    JsonFileQuotaStore,
    Limits,
    QuotaTracker,
    Usage,
    build_providers,
)
from paperdesk.domain import InvalidInputError
from paperdesk.settings import Settings


def test_tracker_counts_and_rolls_over_in_utc():
    tracker = QuotaTracker(InMemoryQuotaStore(), {"p": Limits(per_day=2, per_minute=1)})
    now = utc(2024, 1, 8, 23, 59)
    assert tracker.try_acquire("p", now) is None
    assert "per-minute" in (tracker.try_acquire("p", now) or "")
    assert tracker.try_acquire("p", utc(2024, 1, 8, 23, 59).replace(second=59)) is not None
    assert tracker.usage("p", now).day_count == 1  # a refused call is not counted
    assert tracker.try_acquire("p", utc(2024, 1, 9, 0, 0)) is None  # new UTC day
    assert tracker.usage("p", utc(2024, 1, 9, 0, 0)).day_count == 1


def test_json_store_round_trips_and_tolerates_a_damaged_file(tmp_path):
    path = tmp_path / "quotas.json"
    store = JsonFileQuotaStore(path)
    usage = Usage(day="2024-01-08", day_count=3, minute="2024-01-08T15:00", minute_count=1)
    store.put("twelvedata", usage)
    assert JsonFileQuotaStore(path).get("twelvedata") == usage
    assert json.loads(path.read_text())["twelvedata"]["day_count"] == 3
    path.write_text("{not json")
    assert JsonFileQuotaStore(path).get("twelvedata") is None
    store.put("finnhub", usage)
    assert JsonFileQuotaStore(path).get("finnhub") == usage


def test_breaker_opens_half_opens_for_one_trial_and_closes():
    breaker = CircuitBreaker(failure_threshold=2, cooldown=30)
    now = utc(2024, 1, 8, 12, 0)
    breaker.record_failure(now, "first")
    assert breaker.state(now) is CircuitState.CLOSED
    breaker.record_failure(now, "second", retry_after=45)
    assert breaker.state(now) is CircuitState.OPEN
    assert not breaker.allow(now.replace(second=44))
    later = now.replace(second=45)
    assert breaker.allow(later)  # the one half-open trial
    assert not breaker.allow(later)
    breaker.record_success()
    assert breaker.state(later) is CircuitState.CLOSED


def test_settings_from_environment(clean_environment: pytest.MonkeyPatch):
    clean_environment.setenv("PAPERDESK_HOME", "/tmp/x")
    defaults = Settings().provider_settings()
    clean_environment.setenv("PAPERDESK_PROVIDERS", "finnhub, yahoo")
    clean_environment.setenv("PAPERDESK_FINNHUB_API_KEY", "abc")
    clean_environment.setenv("PAPERDESK_TWELVEDATA_API_KEY", "  ")
    clean_environment.setenv("PAPERDESK_HOME", "/tmp/pdhome")
    settings = Settings().provider_settings()
    assert settings.order == ("finnhub", "yahoo")
    assert settings.api_keys == {"finnhub": "abc"}
    assert str(settings.home) == "/tmp/pdhome"
    assert settings.limits_for("twelvedata") == Limits(per_day=800, per_minute=8)
    assert settings.limits_for("ccxt:binance").per_minute == 600
    providers, skipped = build_providers(defaults)
    assert [p.name for p in providers] == ["yahoo", "ccxt:binance"]
    assert skipped["alphavantage"] == "no API key (set PAPERDESK_ALPHAVANTAGE_API_KEY)"


def test_unknown_provider_name_is_rejected(clean_environment: pytest.MonkeyPatch):
    clean_environment.setenv("PAPERDESK_PROVIDERS", "yahoo,bloomberg")
    with pytest.raises(InvalidInputError, match="unknown providers"):
        Settings()


def _acquire_many(path: str, calls: int) -> None:
    tracker = QuotaTracker(JsonFileQuotaStore(path), {"p": Limits(per_day=10_000)})
    moment = datetime(2024, 5, 6, 12, 0, tzinfo=UTC)
    for _ in range(calls):
        assert tracker.try_acquire("p", moment) is None


def test_processes_sharing_a_quota_file_lose_no_count(tmp_path: Path) -> None:
    path = str(tmp_path / "quotas.json")
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_acquire_many, args=(path, 40)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    usage = JsonFileQuotaStore(path).get("p")
    assert usage is not None
    assert usage.day_count == 160


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ((0.0, 2.0, 0.5, 1.0, 10.0), "not positive"),
        ((1.0, 0.5, 0.8, 0.9, 10.0), "high below low"),
        ((3.0, 2.0, 0.5, 1.0, 10.0), "outside the high-low range"),
        ((1.0, 2.0, 0.5, 1.5, -1.0), "negative volume"),
        ((1.0, float("inf"), 0.5, 1.5, 1.0), "not finite"),
    ],
)
def test_impossible_provider_bars_refuse_the_whole_answer(
    row: tuple[float, ...], reason: str
) -> None:
    from paperdesk.data.providers.errors import BadResponse
    from paperdesk.data.providers.frames import build_frame

    ts = pd.DatetimeIndex(["2024-01-02", "2024-01-03"], tz="UTC")
    good = (1.0, 2.0, 0.5, 1.5, 10.0)
    columns = {
        name: [good[i], row[i]] for i, name in enumerate(("open", "high", "low", "close", "volume"))
    }
    with pytest.raises(BadResponse, match=reason):
        build_frame(ts, columns, symbol="SPY", timeframe="1d", provider="yahoo")
