"""Polygon.io aggregates: ``/v2/aggs/ticker/{ticker}/range/{multiplier}/{timespan}/{from}/{to}``.

Success: ``{"ticker": "AAPL", "queryCount": 3, "resultsCount": 3, "adjusted": true, "results":
[{"v": ..., "vw": ..., "o": ..., "c": ..., "h": ..., "l": ..., "t": 1704171600000, "n": ...}],
"status": "OK", "request_id": "..."}`` (``t`` ms at the window start; daily stock bars start at
00:00 New York, crypto and forex at 00:00 UTC; ``results`` omitted when empty; ``status``
``DELAYED`` on plans with delayed data). Errors: HTTP 429 ``{"status": "ERROR", "request_id":
"...", "error": "You've exceeded the maximum requests per minute, please wait or upgrade your
subscription to continue. https://polygon.io/pricing"}``; HTTP 401 ``"Unknown API Key"``; HTTP 403
``{"status": "NOT_AUTHORIZED", "message": "You are not entitled to this data..."}``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd

from paperdesk.data.providers.base import (
    HttpProvider,
    LatestPrice,
    asset_class,
    parse_timeframe,
    split_pair,
    to_decimal,
)
from paperdesk.data.providers.errors import BadResponse, SymbolNotFound
from paperdesk.data.providers.frames import build_frame, date_labels, empty_frame, epoch_index
from paperdesk.domain import AssetClass

TIMESPANS = {"m": "minute", "h": "hour", "d": "day", "w": "week", "mo": "month"}
_FIELDS = {"open": "o", "high": "h", "low": "l", "close": "c", "volume": "v"}


class PolygonProvider(HttpProvider):
    name = "polygon"
    base_url = "https://api.polygon.io"

    def ticker(self, symbol: str) -> str:
        kind = asset_class(symbol)
        if kind in (AssetClass.FOREX, AssetClass.CRYPTO):
            base, quote = split_pair(symbol)
            if kind is AssetClass.CRYPTO and quote in ("USDT", "USDC", "BUSD"):
                quote = "USD"
            return f"{'C' if kind is AssetClass.FOREX else 'X'}:{base}{quote}"
        return symbol.strip().upper()

    def unsupported_reason(self, symbol: str, timeframe: str) -> str | None:
        return None

    def fetch_bars(
        self, symbol: str, timeframe: str, start: datetime, end: datetime
    ) -> pd.DataFrame:
        frame = parse_timeframe(timeframe)
        span = TIMESPANS[frame.unit]
        path = (
            f"/v2/aggs/ticker/{self.ticker(symbol)}/range/{frame.count}/{span}/"
            f"{int(start.timestamp() * 1000)}/{int(end.timestamp() * 1000)}"
        )
        params = {"adjusted": "true", "sort": "asc", "limit": 50000, "apiKey": self.api_key}
        payload = self.get_json(path, params)
        if not isinstance(payload, dict) or payload.get("status") not in ("OK", "DELAYED"):
            raise BadResponse(self.name, f"aggregates status {_status(payload)!r}")
        results: list[dict[str, Any]] = payload.get("results") or []
        if not results:
            return empty_frame()
        instants = epoch_index([row["t"] for row in results], unit="ms")
        if not frame.is_intraday:
            equity = asset_class(symbol) is AssetClass.EQUITY
            instants = date_labels(instants, "America/New_York" if equity else "UTC")
        columns = {name: [row.get(key) for row in results] for name, key in _FIELDS.items()}
        return build_frame(
            instants, columns, symbol=symbol, timeframe=timeframe, provider=self.name,
            start=start, end=end,
        )  # fmt: skip

    def latest_price(self, symbol: str) -> LatestPrice:
        """The previous session's close (``/prev``, available on the free plan)."""
        payload = self.get_json(
            f"/v2/aggs/ticker/{self.ticker(symbol)}/prev",
            {"adjusted": "true", "apiKey": self.api_key},
        )
        results = payload.get("results") if isinstance(payload, dict) else None
        if not results:
            raise SymbolNotFound(self.name, f"no previous close for {symbol}")
        row = results[0]
        ts = datetime.fromtimestamp(int(row["t"]) / 1000, UTC)
        return LatestPrice(symbol, to_decimal(self.name, row["c"]), ts, self.name)


def _status(payload: Any) -> object:
    return payload.get("status") if isinstance(payload, dict) else payload
