"""A local fake price provider: a real HTTP server on 127.0.0.1 answering exactly as Yahoo's v8
chart endpoint and Polygon's aggregates endpoint answer (see their parsers in
``paperdesk.data.providers``), from real bundled bars, as a scripted clock moves.

Each provider has a ``Script`` the test changes between ticks:

* bars appear as the clock passes their close, ``publish_delay`` later (a late bar is absent
  from the answers until then); the bar still forming is served with partial values (open
  only), as the real providers serve today's bar;
* ``frozen_at``: no bar closing after it is ever published (a feed that stopped);
* ``outage``: HTTP 500; ``stall``: the answer comes after that many seconds, or once the
  test ends the stall (a timeout);
* ``retry_after``: HTTP 429 with that ``Retry-After`` header.

Every request is logged per provider (``Script.requests``).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pandas as pd

Now = Callable[[], datetime]
PRICES = ("open", "high", "low", "close", "volume")


@dataclass
class Script:
    """What one fake provider does now (changed by the test between ticks)."""

    publish_delay: timedelta = timedelta(0)
    frozen_at: datetime | None = None
    outage: bool = False
    stall: float | None = None
    retry_after: int | None = None
    requests: list[str] = field(default_factory=list)


@dataclass
class Series:
    """The bars one ticker serves: a bundled frame (``ts`` open labels, ``ts_close``), daily
    or intraday, and the time zone of its exchange."""

    bars: pd.DataFrame
    daily: bool
    zone: str = "America/New_York"


class FakeProviders:
    """The scripted state behind the server: the clock, the series and both scripts."""

    def __init__(self, now: Now, series: dict[str, Series]) -> None:
        self.now = now
        self.series = series  # by the provider's ticker: SPY, BTC-USD, X:BTCUSD...
        self.yahoo = Script()
        self.polygon = Script()

    def visible(self, script: Script, ticker: str, start: datetime, end: datetime) -> pd.DataFrame:
        """The bars a provider would answer with now: published closed bars in range, then the
        forming bar with partial values."""
        series = self.series.get(ticker)
        if series is None:
            return pd.DataFrame(columns=["open", "high", "low", "close", "volume"])
        now = pd.Timestamp(self.now())
        bars = series.bars
        closes = pd.DatetimeIndex(bars["ts_close"])
        published = closes + script.publish_delay <= now
        if script.frozen_at is not None:
            published &= closes <= pd.Timestamp(script.frozen_at)
        forming = (bars.index <= now) & (closes > now)
        chosen = bars[published | forming].copy()
        partial = forming[published | forming]
        for name in ("high", "low", "close"):
            chosen.loc[partial, name] = chosen.loc[partial, "open"]
        chosen.loc[partial, "volume"] = 0.0
        in_range = (chosen.index >= pd.Timestamp(start).floor("D" if series.daily else "min")) & (
            chosen.index <= pd.Timestamp(end)
        )
        return chosen[in_range]


def yahoo_chart(providers: FakeProviders, ticker: str, query: dict[str, str]) -> Any:
    """``/v8/finance/chart/{ticker}``: Yahoo's chart document (daily stamps at the session
    open in the exchange's zone, as Yahoo gives them)."""
    series = providers.series.get(ticker)
    if series is None:
        error = {"code": "Not Found", "description": "No data found, symbol may be delisted"}
        return 404, {"chart": {"result": None, "error": error}}
    if "period1" in query:
        start = pd.Timestamp(int(query["period1"]), unit="s", tz="UTC").to_pydatetime()
        end = pd.Timestamp(int(query.get("period2", "0")), unit="s", tz="UTC").to_pydatetime()
    else:  # range=1d: the latest price (the forming bar's last trade)
        end = providers.now()
        start = end - timedelta(days=5)
    bars = providers.visible(providers.yahoo, ticker, start, end)
    index = pd.DatetimeIndex(bars.index)
    if series.daily:  # the session open, 09:30 in New York
        local = index.tz_localize(None).tz_localize(series.zone) + pd.Timedelta(hours=9, minutes=30)
        index = local.tz_convert("UTC")
    stamps = [int(moment.timestamp()) for moment in index]
    last = float(bars["close"].iloc[-1]) if len(bars) else None
    meta = {
        "currency": "USD",
        "symbol": ticker,
        "exchangeTimezoneName": series.zone,
        "regularMarketPrice": last,
        "regularMarketTime": int(providers.now().timestamp()),
        "dataGranularity": query.get("interval"),
    }
    quote = {name: [float(v) for v in bars[name]] for name in ("open", "high", "low", "close")}
    quote["volume"] = [int(v) for v in bars["volume"]]
    result = {"meta": meta, "timestamp": stamps, "indicators": {"quote": [quote]}}
    if not stamps:
        result = {"meta": meta, "indicators": {"quote": [{}]}}
    return 200, {"chart": {"result": [result], "error": None}}


def polygon_aggregates(providers: FakeProviders, parts: list[str]) -> Any:
    """``/v2/aggs/ticker/{ticker}/range/{multiplier}/{timespan}/{from}/{to}``: Polygon's
    aggregates (``t`` in ms at the window start; daily stock bars at 00:00 New York); and
    ``/v2/aggs/ticker/{ticker}/prev``, the same document holding the last published bar."""
    if len(parts) == 5 and parts[4] == "prev":
        status, document = polygon_aggregates(
            providers,
            [*parts[:4], "range", "1", "day", "0", str(int(providers.now().timestamp() * 1000))],
        )
        document["results"] = document.get("results", [])[-1:]
        document["queryCount"] = document["resultsCount"] = len(document["results"])
        return status, document
    if len(parts) != 9:
        return 404, {"status": "NOT_FOUND", "request_id": "fake-request", "message": "Not found"}
    ticker, start_ms, end_ms = parts[3], int(parts[7]), int(parts[8])
    series = providers.series.get(ticker)
    start = pd.Timestamp(start_ms, unit="ms", tz="UTC").to_pydatetime()
    end = pd.Timestamp(end_ms, unit="ms", tz="UTC").to_pydatetime()
    bars = (
        pd.DataFrame()
        if series is None
        else providers.visible(providers.polygon, ticker, start, end)
    )
    document: dict[str, Any] = {
        "ticker": ticker,
        "queryCount": len(bars),
        "resultsCount": len(bars),
        "adjusted": True,
        "status": "OK",
        "request_id": "fake-request",
    }
    if len(bars):
        index = pd.DatetimeIndex(bars.index)
        if series is not None and series.daily:
            index = index.tz_localize(None).tz_localize(series.zone).tz_convert("UTC")
        columns = {name: bars[name].astype(float).tolist() for name in PRICES}
        document["results"] = [
            {
                "v": columns["volume"][row], "vw": columns["close"][row],
                "o": columns["open"][row], "c": columns["close"][row],
                "h": columns["high"][row], "l": columns["low"][row],
                "t": int(moment.timestamp() * 1000), "n": 1,
            }
            for row, moment in enumerate(index)
        ]  # fmt: skip
    return 200, document


def _wait_out_a_stall(script: Script) -> None:
    """Hold the answer while the script stalls: until ``stall`` seconds have passed or the test
    ends the stall (sets it to None), so a long stall proves a timeout without keeping the test
    waiting once the client has given up."""
    started = time.monotonic()
    while script.stall is not None and time.monotonic() - started < script.stall:
        time.sleep(0.01)


class _Handler(BaseHTTPRequestHandler):
    providers: FakeProviders  # set on the subclass the server is made with

    def do_GET(self) -> None:
        url = urlparse(self.path)
        parts = [part for part in url.path.split("/") if part]
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        name = parts[0] if parts else ""
        script = {"yahoo": self.providers.yahoo, "polygon": self.providers.polygon}.get(name)
        if script is None:
            return self._send(404, {"error": "unknown provider"})
        script.requests.append(self.path)
        _wait_out_a_stall(script)
        if script.outage:
            if name == "yahoo":
                return self._send(500, None, b"Internal Server Error")
            return self._send(500, {"status": "ERROR", "request_id": "x", "error": "Internal"})
        if script.retry_after is not None:
            headers = {"Retry-After": str(script.retry_after)}
            if name == "yahoo":
                return self._send(429, None, b"Too Many Requests", headers)
            limit = {
                "status": "ERROR",
                "request_id": "x",
                "error": "You've exceeded the maximum requests per minute, please wait or "
                "upgrade your subscription to continue. https://polygon.io/pricing",
            }
            return self._send(429, limit, None, headers)
        if name == "yahoo" and parts[1:4] == ["v8", "finance", "chart"]:
            return self._send(*yahoo_chart(self.providers, parts[4], query))
        if name == "polygon" and parts[1:3] == ["v2", "aggs"]:
            return self._send(*polygon_aggregates(self.providers, parts[1:]))
        return self._send(404, {"error": f"no such path {url.path}"})

    def _send(
        self,
        status: int,
        document: Any,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        payload = body if body is not None else json.dumps(document).encode()
        try:
            self.send_response(status)
            kind = "application/json" if body is None else "text/plain"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(payload)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)

    def log_message(self, format: str, *args: Any) -> None:
        return None


@contextmanager
def provider_server(providers: FakeProviders) -> Iterator[str]:
    """Serve ``providers`` on a free port of 127.0.0.1; yields the base URL (the Yahoo base is
    ``<url>/yahoo``, Polygon's ``<url>/polygon``)."""
    handler = type("Handler", (_Handler,), {"providers": providers})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
