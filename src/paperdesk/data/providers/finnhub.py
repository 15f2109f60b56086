"""Finnhub candles (``/stock/candle``, ``/forex/candle``, ``/crypto/candle``) and ``/quote``.

Success: ``{"c": [...], "h": [...], "l": [...], "o": [...], "s": "ok", "t": [...], "v": [...]}``
(``t`` epoch seconds; daily candles at 00:00 UTC of the date); ``{"s": "no_data"}`` when the range
is empty. Errors: HTTP 429 ``{"error": "API limit reached. Please try again later. Remaining
Limit: 0"}``, HTTP 401/403 ``{"error": "You don't have access to this resource."}`` (candles need
a paid plan for many symbols), HTTP 401 ``{"error": "Invalid API key"}``; an unknown symbol is
just ``{"s": "no_data"}`` (and ``/quote`` answers ``t: 0``). The free plan allows 60 calls a
minute.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
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

RESOLUTIONS = {
    "1m": "1", "5m": "5", "15m": "15", "30m": "30", "1h": "60", "1d": "D", "1w": "W", "1mo": "M",
}  # fmt: skip
_FIELDS = {"open": "o", "high": "h", "low": "l", "close": "c", "volume": "v"}


class FinnhubProvider(HttpProvider):
    name = "finnhub"
    base_url = "https://finnhub.io/api/v1"

    def __init__(
        self,
        api_key: str | None = None,
        *,
        forex_venue: str = "OANDA",
        crypto_venue: str = "BINANCE",
        **kwargs: Any,
    ) -> None:
        super().__init__(api_key, **kwargs)
        self.forex_venue = forex_venue
        self.crypto_venue = crypto_venue

    def endpoint(self, symbol: str) -> tuple[str, str]:
        """The candle path and Finnhub's symbol (``OANDA:EUR_USD``, ``BINANCE:BTCUSDT``)."""
        kind = asset_class(symbol)
        if kind is AssetClass.FOREX:
            base, quote = split_pair(symbol)
            return "/forex/candle", f"{self.forex_venue}:{base}_{quote}"
        if kind is AssetClass.CRYPTO:
            base, quote = split_pair(symbol)
            return "/crypto/candle", f"{self.crypto_venue}:{base}{quote}"
        return "/stock/candle", symbol.strip().upper()

    def unsupported_reason(self, symbol: str, timeframe: str) -> str | None:
        if str(parse_timeframe(timeframe)) not in RESOLUTIONS:
            return f"Finnhub has no {timeframe} resolution"
        return None

    def fetch_bars(
        self, symbol: str, timeframe: str, start: datetime, end: datetime
    ) -> pd.DataFrame:
        frame = parse_timeframe(timeframe)
        path, ticker = self.endpoint(symbol)
        params = {
            "symbol": ticker,
            "resolution": RESOLUTIONS[str(frame)],
            "from": int(start.timestamp()),
            "to": int(end.timestamp()),
            "token": self.api_key,
        }
        payload = self.get_json(path, params)
        if not isinstance(payload, dict) or "s" not in payload:
            raise BadResponse(self.name, "candle response has no status field 's'")
        if payload["s"] == "no_data":
            return empty_frame()
        if payload["s"] != "ok":
            raise BadResponse(self.name, f"candle status {payload['s']!r}")
        instants = epoch_index(payload.get("t") or [])
        if not frame.is_intraday:
            instants = date_labels(instants)
        columns = {name: payload.get(key) or [] for name, key in _FIELDS.items()}
        if not columns["volume"]:
            columns["volume"] = [0.0] * len(instants)
        return build_frame(
            instants, columns, symbol=symbol, timeframe=timeframe, provider=self.name,
            start=start, end=end,
        )  # fmt: skip

    def latest_price(self, symbol: str) -> LatestPrice:
        if asset_class(symbol) is AssetClass.EQUITY:
            payload = self.get_json("/quote", {"symbol": symbol.upper(), "token": self.api_key})
            if not isinstance(payload, dict) or not payload.get("t"):
                raise SymbolNotFound(self.name, f"no quote for {symbol}")
            ts = datetime.fromtimestamp(int(payload["t"]), UTC)
            return LatestPrice(symbol, to_decimal(self.name, payload["c"]), ts, self.name)
        now = self.clock()
        bars = self.fetch_bars(symbol, "1m", now - timedelta(hours=6), now)
        if bars.empty:
            raise SymbolNotFound(self.name, f"no recent candles for {symbol}")
        last = bars.index[-1].to_pydatetime()
        return LatestPrice(symbol, to_decimal(self.name, bars["close"].iloc[-1]), last, self.name)
