"""ccxt is optional (``paperdesk[crypto]``): without it the ccxt provider says how to install it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from provider_replay import utc

from paperdesk.data.providers import CcxtProvider, ProviderSettings, ProviderUnavailable
from paperdesk.data.providers.crypto_exchange import CCXT_MISSING
from paperdesk.data.providers.settings import build_providers

INSTALL = "pip install 'paperdesk[crypto]'"


@pytest.fixture
def without_ccxt(monkeypatch: pytest.MonkeyPatch) -> None:
    """``import ccxt`` fails as it does where the crypto extra is not installed."""
    monkeypatch.setitem(sys.modules, "ccxt", None)


def test_the_message_names_the_extra() -> None:
    assert INSTALL in CCXT_MISSING


@pytest.mark.usefixtures("without_ccxt")
def test_build_providers_skips_ccxt_with_the_install_command(tmp_path: Path) -> None:
    settings = ProviderSettings(order=("yahoo", "ccxt"), home=tmp_path)
    providers, skipped = build_providers(settings)
    assert [provider.name for provider in providers] == ["yahoo"]
    assert INSTALL in skipped["ccxt"]


@pytest.mark.usefixtures("without_ccxt")
def test_the_provider_is_unsupported_with_the_install_command() -> None:
    provider = CcxtProvider("binance")
    assert provider.name == "ccxt:binance"  # made without importing ccxt
    reason = provider.unsupported_reason("BTCUSDT", "1d")
    assert reason is not None
    assert INSTALL in reason
    assert provider.unsupported_reason("AAPL", "1d") == "ccxt:binance serves crypto only"


@pytest.mark.usefixtures("without_ccxt")
def test_using_the_provider_raises_unavailable_not_import_error() -> None:
    provider = CcxtProvider("binance")
    with pytest.raises(ProviderUnavailable, match=r"paperdesk\[crypto\]"):
        provider.fetch_bars("BTCUSDT", "1d", utc(2024, 1, 1), utc(2024, 1, 3))
    with pytest.raises(ProviderUnavailable, match=r"paperdesk\[crypto\]"):
        provider.latest_price("BTCUSDT")
