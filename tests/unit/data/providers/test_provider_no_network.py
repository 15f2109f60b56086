"""The guard in conftest: an unmocked request cannot reach the network."""

from __future__ import annotations

import httpx
import pytest
import requests


def test_httpx_cannot_connect():
    with httpx.Client() as client, pytest.raises(AssertionError, match="network connection"):
        client.get("https://query1.finance.yahoo.com/v8/finance/chart/AAPL")


def test_requests_cannot_connect():
    with pytest.raises(AssertionError, match="network connection"):
        requests.get("https://api.binance.com/api/v3/ping", timeout=1)
