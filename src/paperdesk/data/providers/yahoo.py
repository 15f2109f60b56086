"""Yahoo Finance through the v8 chart endpoint that yfinance uses.

``GET https://query1.finance.yahoo.com/v8/finance/chart/{symbol}?period1=&period2=&interval=
&includePrePost=false&events=div,splits`` answers ``{"chart": {"result": [{"meta": {...},
"timestamp": [...], "indicators": {"quote": [{"open": [...], ...}]}}], "error": null}}``; an
unknown symbol is HTTP 404 with ``{"chart": {"result": null, "error": {"code": "Not Found",
"description": "No data found, symbol may be delisted"}}}``; throttling is HTTP 429 with a plain
"Too Many Requests" body. Daily timestamps are the session open in the exchange's time zone.
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
from paperdesk.data.providers.errors import BadResponse, SymbolNotFound
from paperdesk.data.providers.frames import build_frame, date_labels, empty_frame, epoch_index
from paperdesk.domain import AssetClass

INTERVALS = {
    "1m": "1m", "2m": "2m", "5m": "5m", "15m": "15m", "30m": "30m", "1h": "60m", "90m": "90m",
    "1d": "1d", "5d": "5d", "1w": "1wk", "1mo": "1mo", "3mo": "3mo",
}  # fmt: skip


class YahooProvider(HttpProvider):
    name = "yahoo"
    base_url = "https://query1.finance.yahoo.com"

    def yahoo_symbol(self, symbol: str) -> str:
        kind = asset_class(symbol)
        if kind is AssetClass.FOREX:
            base, quote = split_pair(symbol)
            return f"{base}{quote}=X"
        if kind is AssetClass.CRYPTO:
            base, quote = split_pair(symbol)
            return f"{base}-{'USD' if quote in ('USDT', 'USDC', 'BUSD') else quote}"
        return symbol.strip().upper().replace(".", "-").replace("/", "-")

    def unsupported_reason(self, symbol: str, timeframe: str) -> str | None:
        if str(parse_timeframe(timeframe)) not in INTERVALS:
            return f"Yahoo has no {timeframe} interval"
        return None

    def check_payload(self, response: httpx.Response, payload: Any) -> None:
        error = _chart_error(payload)
        if error is not None and response.status_code < 500 and response.status_code != 429:
            description = str(error.get("description") or error)
            if error.get("code") == "Not Found" or response.status_code == 404:
                raise SymbolNotFound(self.name, description)
            raise BadResponse(self.name, f"{error.get('code')}: {description}")
        super().check_payload(response, payload)

    def _chart(self, symbol: str, params: dict[str, Any]) -> dict[str, Any]:
        ticker = self.yahoo_symbol(symbol)
        payload = self.get_json(f"/v8/finance/chart/{ticker}", params)
        try:
            result = payload["chart"]["result"][0]
        except (KeyError, IndexError, TypeError):
            raise BadResponse(self.name, "chart response has no result") from None
        if not isinstance(result, dict):
            raise BadResponse(self.name, "chart result is not an object")
        return result

    def fetch_bars(
        self, symbol: str, timeframe: str, start: datetime, end: datetime
    ) -> pd.DataFrame:
        frame = parse_timeframe(timeframe)
        params = {
            "period1": int(start.timestamp()),
            "period2": int(end.timestamp()) + 1,
            "interval": INTERVALS[str(frame)],
            "includePrePost": "false",
            "events": "div,splits",
        }
        result = self._chart(symbol, params)
        stamps = result.get("timestamp") or []
        if not stamps:
            return empty_frame()
        try:
            quote = result["indicators"]["quote"][0]
        except (KeyError, IndexError, TypeError):
            raise BadResponse(self.name, "chart result has no indicators.quote") from None
        instants = epoch_index(stamps)
        if not frame.is_intraday:
            zone = str(result.get("meta", {}).get("exchangeTimezoneName") or "UTC")
            instants = date_labels(instants, zone)
        return build_frame(
            instants,
            {name: quote.get(name) or [None] * len(stamps) for name in _OHLCV},
            symbol=symbol,
            timeframe=timeframe,
            provider=self.name,
            start=start,
            end=end,
        )

    def latest_price(self, symbol: str) -> LatestPrice:
        meta = self._chart(symbol, {"range": "1d", "interval": "1d"}).get("meta", {})
        price = meta.get("regularMarketPrice")
        if price is None:
            raise BadResponse(self.name, "chart meta has no regularMarketPrice")
        stamp = meta.get("regularMarketTime")
        ts = datetime.fromtimestamp(int(stamp), UTC) if stamp else self.clock()
        return LatestPrice(symbol, to_decimal(self.name, price), ts, self.name)


_OHLCV = ("open", "high", "low", "close", "volume")


def _chart_error(payload: Any) -> dict[str, Any] | None:
    if isinstance(payload, dict) and isinstance(payload.get("chart"), dict):
        error = payload["chart"].get("error")
        if isinstance(error, dict):
            return error
    return None
