"""``paperdesk data providers``: status, persisted quota use and circuit state, with no network."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from paperdesk.cli import app
from paperdesk.cli import data as data_cli
from paperdesk.data.providers import (
    InMemoryQuotaStore,
    JsonFileQuotaStore,
    ProviderAggregator,
    Usage,
)
from paperdesk.service.market_data import MarketDataService
from paperdesk.settings import Settings

runner = CliRunner()
KEYS = ("TWELVEDATA", "FINNHUB", "ALPHAVANTAGE", "POLYGON")


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any name lookup or socket connection fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a test tried to open a network connection: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path))
    monkeypatch.delenv("PAPERDESK_PROVIDERS", raising=False)
    for name in KEYS:
        monkeypatch.delenv(f"PAPERDESK_{name}_API_KEY", raising=False)
    monkeypatch.setenv("PAPERDESK_FINNHUB_API_KEY", "test-key")
    return tmp_path


def rows_by_provider(out: str) -> dict[str, str]:
    """Each provider's row (the table has no vertical rules: a row starts with its name)."""
    names = ("yahoo", "finnhub", "ccxt:binance", "twelvedata", "alphavantage", "polygon")
    return {
        line.split()[0]: line
        for line in out.splitlines()
        if line.split()[:1] in [[n] for n in names]
    }


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["data", *args], env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def test_table_shows_enabled_skipped_and_persisted_quota(home: Path) -> None:
    now = datetime.now(UTC)
    store = JsonFileQuotaStore(home / "provider_quotas.json")
    store.put("finnhub", Usage(day=now.date().isoformat(), day_count=120))
    code, out, err = invoke("providers")
    assert code == 0, err
    lines = rows_by_provider(out)
    assert list(lines) == ["yahoo", "finnhub", "ccxt:binance", "twelvedata", "alphavantage",
                           "polygon"]  # fmt: skip
    assert "enabled" in lines["finnhub"]
    assert "120 / 3,600" in lines["finnhub"]
    assert "3,480" in lines["finnhub"]
    assert "0 / 60" in lines["finnhub"]
    assert "closed" in lines["finnhub"]
    assert "unlimited" in lines["yahoo"]
    assert "skipped: no API key (set PAPERDESK_TWELVEDATA_API_KEY)" in lines["twelvedata"]


def test_json_output(home: Path) -> None:
    code, out, _ = invoke("providers", "--json")
    assert code == 0
    document = json.loads(out)
    by_name = {row["name"]: row for row in document["providers"]}
    assert by_name["finnhub"] == {
        "name": "finnhub",
        "enabled": True,
        "skipped_reason": None,
        "blocked_reason": None,
        "per_day": 3600,
        "used_today": 0,
        "left_today": 3600,
        "per_minute": 60,
        "used_this_minute": 0,
        "circuit": "closed",
        "open_until": None,
        "last_error": None,
    }
    assert by_name["polygon"]["enabled"] is False
    assert by_name["polygon"]["skipped_reason"] == "no API key (set PAPERDESK_POLYGON_API_KEY)"
    assert by_name["polygon"]["circuit"] is None


def test_status_does_not_create_or_change_the_quota_file(home: Path) -> None:
    assert invoke("providers")[0] == 0
    assert not (home / "provider_quotas.json").exists()


def test_open_circuit_and_spent_quota_are_shown(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = datetime(2024, 1, 8, 15, 0, tzinfo=UTC)
    settings = Settings(
        providers="yahoo,finnhub", finnhub_api_key="k", home=home
    ).provider_settings()
    store = InMemoryQuotaStore()
    store.put("finnhub", Usage(day="2024-01-08", day_count=3600, minute="2024-01-08T15:00",
                               minute_count=7))  # fmt: skip
    aggregator = ProviderAggregator.from_settings(settings, quota_store=store, clock=lambda: now)
    aggregator.breakers["yahoo"].record_failure(now, "rate limited: HTTP 429", retry_after=120)
    service = MarketDataService(aggregator=aggregator)
    monkeypatch.setattr(data_cli, "market_data_service", lambda: service)
    code, out, _ = invoke("providers")
    assert code == 0
    lines = rows_by_provider(out)
    until = (now + timedelta(seconds=120)).strftime("%Y-%m-%d %H:%M:%S")
    assert f"open until {until} UTC (rate limited: HTTP 429)" in lines["yahoo"]
    assert "waiting: daily quota used (3600/3600)" in lines["finnhub"]
    assert "3,600 / 3,600" in lines["finnhub"]
    assert "7 / 60" in lines["finnhub"]
    document = json.loads(invoke("providers", "--json")[1])
    yahoo = document["providers"][0]
    assert yahoo["circuit"] == "open"
    assert yahoo["open_until"] == "2024-01-08T15:02:00+00:00"
    assert document["providers"][1]["left_today"] == 0


def test_bad_provider_setting_is_one_line_error(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERDESK_PROVIDERS", "yahoo,bloomberg")
    code, out, err = invoke("providers")
    assert code == 1
    assert out == ""
    assert err.startswith("error: PAPERDESK_PROVIDERS names unknown providers ['bloomberg']")
    assert len(err.strip().splitlines()) == 1


def test_data_without_a_subcommand_shows_help(home: Path) -> None:
    result = runner.invoke(app, ["data"])
    assert "providers" in result.stdout
