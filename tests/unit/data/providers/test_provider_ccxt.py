from __future__ import annotations

import pandas as pd
import pytest
from provider_replay import recorded, utc

from paperdesk.data.providers import CcxtProvider, RateLimited, SymbolNotFound

INFO = "https://api.binance.com/api/v3/exchangeInfo"
KLINES = "https://api.binance.com/api/v3/klines"


def _provider(replay_session, klines: str) -> tuple[CcxtProvider, object]:
    session, adapter = replay_session({INFO: ["binance_exchange_info"], KLINES: [klines]})
    provider = CcxtProvider("binance", session=session)
    provider.exchange.options["fetchMarkets"] = {"types": ["spot"]}
    provider.exchange.enableRateLimit = False
    return provider, adapter


def test_binance_klines_parse_into_the_bar_frame(replay_session):
    provider, adapter = _provider(replay_session, "binance_klines_btcusdt_1d")
    bars = provider.fetch_bars("BTCUSDT", "1d", utc(2024, 1, 1), utc(2024, 1, 3))
    rows = recorded("binance_klines_btcusdt_1d")["json"]
    assert provider.name == "ccxt:binance"
    assert list(bars.index) == [pd.Timestamp(f"2024-01-0{d}", tz="UTC") for d in (1, 2, 3)]
    assert bars["close"].tolist() == [float(row[4]) for row in rows]
    assert bars.loc["2024-01-03", "low"] == 40750.0
    assert bars["ts_close"].iloc[0] == pd.Timestamp("2024-01-02", tz="UTC")
    assert any("symbol=BTCUSDT" in url and "interval=1d" in url for url in adapter.requests)


def test_429_is_rate_limited(replay_session):
    provider, _ = _provider(replay_session, "binance_rate_limited")
    with pytest.raises(RateLimited, match="Too many requests"):
        provider.fetch_bars("BTC/USDT", "1d", utc(2024, 1, 1), utc(2024, 1, 3))


def test_unknown_market_is_symbol_not_found(replay_session):
    provider, _ = _provider(replay_session, "binance_klines_btcusdt_1d")
    with pytest.raises(SymbolNotFound):
        provider.fetch_bars("XRPUSDT", "1d", utc(2024, 1, 1), utc(2024, 1, 3))


def test_only_crypto_is_served(replay_session):
    provider, _ = _provider(replay_session, "binance_klines_btcusdt_1d")
    assert provider.unsupported_reason("AAPL", "1d") == "ccxt:binance serves crypto only"
    assert provider.unsupported_reason("BTCUSDT", "1h") is None
