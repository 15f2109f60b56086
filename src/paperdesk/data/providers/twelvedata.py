"""Twelve Data ``/time_series`` and ``/price`` (https://twelvedata.com/docs).

Success: ``{"meta": {...}, "values": [{"datetime": "2024-01-02", "open": "187.15", ...}],
"status": "ok"}`` (values newest first unless ``order=asc``; we ask ``timezone=UTC``). Errors come
as ``{"code": 429, "message": "You have run out of API credits for the current minute...",
"status": "error"}`` (HTTP status mirrors ``code``, or is 200 on older deployments); unknown
symbols are ``code`` 404 (400 on older deployments, "**symbol** not found").
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pandas as pd

from paperdesk.data.providers.base import (
    HttpProvider,
    LatestPrice,
    asset_class,
    parse_timeframe,
    split_pair,
    to_decimal,
)
from paperdesk.data.providers.errors import (
    BadResponse,
    ProviderUnavailable,
    RateLimited,
    SymbolNotFound,
)
from paperdesk.data.providers.frames import build_frame, date_labels, empty_frame, local_index
from paperdesk.domain import AssetClass

INTERVALS = {
    "1m": "1min", "5m": "5min", "15m": "15min", "30m": "30min", "45m": "45min", "1h": "1h",
    "2h": "2h", "4h": "4h", "1d": "1day", "1w": "1week", "1mo": "1month",
}  # fmt: skip
MAX_OUTPUT = 5000


class TwelveDataProvider(HttpProvider):
    name = "twelvedata"
    base_url = "https://api.twelvedata.com"

    def td_symbol(self, symbol: str) -> str:
        if asset_class(symbol) in (AssetClass.FOREX, AssetClass.CRYPTO):
            base, quote = split_pair(symbol)
            return f"{base}/{quote}"
        return symbol.strip().upper()

    def unsupported_reason(self, symbol: str, timeframe: str) -> str | None:
        if str(parse_timeframe(timeframe)) not in INTERVALS:
            return f"Twelve Data has no {timeframe} interval"
        return None

    def check_payload(self, response: httpx.Response, payload: Any) -> None:
        if isinstance(payload, dict) and payload.get("status") == "error":
            code = int(payload.get("code") or response.status_code)
            message = str(payload.get("message") or "error")
            if code == 429:
                raise RateLimited(self.name, message)
            if code >= 500:
                raise ProviderUnavailable(self.name, f"code {code}: {message}")
            if code == 404 or "not found" in message.lower():
                raise SymbolNotFound(self.name, message)
            raise BadResponse(self.name, f"code {code}: {message}")
        super().check_payload(response, payload)

    def fetch_bars(
        self, symbol: str, timeframe: str, start: datetime, end: datetime
    ) -> pd.DataFrame:
        frame = parse_timeframe(timeframe)
        params = {
            "symbol": self.td_symbol(symbol),
            "interval": INTERVALS[str(frame)],
            "start_date": _utc_text(start),
            "end_date": _utc_text(end),
            "timezone": "UTC",
            "order": "asc",
            "outputsize": MAX_OUTPUT,
            "apikey": self.api_key,
        }
        payload = self.get_json("/time_series", params)
        values = payload.get("values") if isinstance(payload, dict) else None
        if not isinstance(values, list):
            raise BadResponse(self.name, "time_series response has no values list")
        if not values:
            return empty_frame()
        instants = local_index([row["datetime"] for row in values], "UTC")
        if not frame.is_intraday:
            instants = date_labels(instants)
        columns = {name: [row.get(name) for row in values] for name in _OHLCV}
        if all(value is None for value in columns["volume"]):
            columns["volume"] = [0.0] * len(values)
        return build_frame(
            instants, columns, symbol=symbol, timeframe=timeframe, provider=self.name,
            start=start, end=end,
        )  # fmt: skip

    def latest_price(self, symbol: str) -> LatestPrice:
        payload = self.get_json(
            "/price", {"symbol": self.td_symbol(symbol), "apikey": self.api_key}
        )
        if not isinstance(payload, dict) or "price" not in payload:
            raise BadResponse(self.name, "price response has no price")
        return LatestPrice(symbol, to_decimal(self.name, payload["price"]), self.clock(), self.name)


_OHLCV = ("open", "high", "low", "close", "volume")


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
