"""The chart view in a real browser against a real server: the candles are exactly the API's,
scrolling back loads older ones, a bar closed by a tick arrives over /ws/prices and is drawn,
signal markers and position lines match the API, a dropped connection resumes with no event
missing or doubled, and screenshots at desktop and phone widths in both themes."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
import talib
from browser_support import (
    PHONE,
    DashboardServer,
    screenshot,
    visible_trading_controls,
)
from playwright.sync_api import Page
from websockets.sync.client import connect

from paperdesk.analysis import indicators

# The chart's own replay portfolio: these tests tick it, so the session's shared portfolio
# (which the other views' tests read) is left as they expect.
CHART_DESK = {
    "name": "Chart desk",
    "cash": "25000",
    "symbols": ["SPY"],
    "strategies": ["macd-cross"],
    "settings": {"source": "replay", "replay_from": "2020-01-02"},
}


@pytest.fixture(scope="module")
def dashboard_server(dashboard_server: DashboardServer) -> DashboardServer:
    """The session's server, with ``portfolio_id`` naming this module's own portfolio."""
    created = dashboard_server.post("/portfolios", CHART_DESK)
    return dataclasses.replace(dashboard_server, portfolio_id=int(created["summary"]["id"]))


def epoch(iso_time: str) -> int:
    return int(datetime.fromisoformat(iso_time.replace("Z", "+00:00")).timestamp())


def open_chart(
    page: Page, server: DashboardServer, key: str, portfolio_id: int | None = None
) -> None:
    """Signs in with the test hook on (``?debug=1``) and waits until the chart is drawn."""
    page.goto(f"{server.base_url}/?debug=1#/chart")
    page.evaluate(
        "id => sessionStorage.setItem('paperdesk.portfolio', String(id))",
        portfolio_id or server.portfolio_id,
    )
    page.fill("#api-key", key)
    page.click("#sign-in-button")
    page.wait_for_selector("#chart[data-ready='true']")
    page.wait_for_function("() => window.paperdeskDebug !== undefined")


def chart(page: Page, what: str) -> Any:
    return page.evaluate(f"() => window.paperdeskDebug.{what}()")


def tick(server: DashboardServer, portfolio_id: int | None = None) -> dict[str, Any]:
    """One bar of the replay, through the API (the same runner as the worker)."""
    answer = server.post(f"/portfolios/{portfolio_id or server.portfolio_id}/ticks", {})
    [processed] = answer["ticks"]
    assert processed["status"] == "processed", processed
    return dict(processed)


def ensure_signals_both_ways(server: DashboardServer) -> None:
    """Ticks the replay until it has a long and a short signal (its first bars of 2020 give
    both), whichever tests ran before."""
    for _ in range(40):
        signals = server.get(
            f"/portfolios/{server.portfolio_id}/signals", server.reader, symbol="SPY", limit=500
        )["items"]
        if {1, -1} <= {s["direction"] for s in signals}:
            return
        tick(server)
    raise AssertionError("40 bars of the replay gave no long and short signal")


def api_candles(server: DashboardServer, end: str, limit: int = 500) -> list[dict[str, Any]]:
    page = server.get("/prices/SPY/ohlc", server.reader, timeframe="1d", end=end, limit=limit)
    return list(page["items"])


def as_chart_bars(candles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "time": epoch(c["ts_open"]),
            "open": float(c["open"]),
            "high": float(c["high"]),
            "low": float(c["low"]),
            "close": float(c["close"]),
        }
        for c in candles
    ]


def test_the_chart_draws_exactly_the_candles_the_api_returns(
    page: Page, dashboard_server: DashboardServer
) -> None:
    processed = tick(dashboard_server)  # the replay's newest bar: the chart must end there
    open_chart(page, dashboard_server, dashboard_server.reader)
    expected = api_candles(dashboard_server, end=processed["ts_bar_close"])
    assert expected[-1]["ts_open"] == processed["ts_bar"]  # no bar after the replay's position
    drawn = chart(page, "candles")
    assert drawn == as_chart_bars(expected)
    volumes = [bar["value"] for bar in chart(page, "volume")]
    assert volumes == [float(c["volume"]) for c in expected]
    # the ticker shows the last close exactly as the API wrote it
    assert page.get_attribute("#ticker .price", "data-close") == expected[-1]["close"]
    assert page.inner_text("#ticker .price") == expected[-1]["close"]
    # a read key: nothing on the chart changes state
    assert visible_trading_controls(page) == []


def test_the_indicator_pane_shows_the_strategys_macd(
    page: Page, dashboard_server: DashboardServer
) -> None:
    open_chart(page, dashboard_server, dashboard_server.reader)
    drawn = chart(page, "candles")
    indicator = chart(page, "indicator")
    assert indicator["name"] == "MACD"
    closes = np.array([bar["close"] for bar in drawn])
    # TA-Lib (the library the strategy itself computes with) as the reference; its MACD
    # starts later than chained EMAs do, so compare where both are defined
    line, signal, histogram = talib.MACD(closes, 12, 26, 9)
    for name, reference in (("macd", line), ("signal", signal), ("histogram", histogram)):
        ours = [float("nan") if v is None else v for v in indicator["values"][name]]
        pairs = [(a, b) for a, b in zip(ours, reference, strict=True) if not np.isnan(b)]
        assert len(pairs) > 400
        assert all(abs(a - b) < 1e-6 for a, b in pairs[-300:]), name


@pytest.mark.parametrize(
    ("strategy", "indicator"), [("rsi-divergence", "RSI"), ("tsi-momentum", "TSI")]
)
def test_the_indicator_pane_follows_the_portfolios_strategy(
    page: Page, dashboard_server: DashboardServer, strategy: str, indicator: str
) -> None:
    created = dashboard_server.post(
        "/portfolios",
        {
            "name": f"{indicator} desk",
            "cash": "10000",
            "symbols": ["SPY"],
            "strategies": [strategy],
            "settings": {"source": "replay", "replay_from": "2020-01-02"},
        },
    )
    portfolio_id = int(created["summary"]["id"])
    open_chart(page, dashboard_server, dashboard_server.reader, portfolio_id)
    closes = np.array([bar["close"] for bar in chart(page, "candles")])
    drawn = chart(page, "indicator")
    assert drawn["name"] == indicator
    if indicator == "RSI":
        references = {"rsi": talib.RSI(closes, 14)}  # Wilder's RSI, TA-Lib
    else:
        # the strategy's own Python definition (TA-Lib EMAs), against the browser's TypeScript
        described = dashboard_server.get(f"/strategies/{strategy}", dashboard_server.reader)
        defaults = {p["name"]: p["default"] for p in described["parameters"]}
        line = indicators.tsi(closes, defaults["long"], defaults["short"])
        references = {"tsi": line, "signal": indicators.ema(line, defaults["signal"])}
    for name, reference in references.items():
        ours = [float("nan") if v is None else v for v in drawn["values"][name]]
        pairs = [(a, b) for a, b in zip(ours, reference, strict=True) if not np.isnan(b)]
        assert len(pairs) > 400, name
        assert all(abs(a - b) < 1e-6 for a, b in pairs), name


def test_scrolling_back_loads_older_candles(page: Page, dashboard_server: DashboardServer) -> None:
    open_chart(page, dashboard_server, dashboard_server.reader)
    first = chart(page, "candles")
    assert len(first) == 500
    box = page.locator("#chart").bounding_box()
    assert box is not None
    # drag the price pane to the right, as a person scrolls back in time
    y = box["y"] + box["height"] * 0.3
    for _ in range(6):
        page.mouse.move(box["x"] + 60, y)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] - 80, y, steps=8)
        page.mouse.up()
        if chart(page, "pages") > 1:
            break
    page.wait_for_function("() => window.paperdeskDebug.pages() > 1")
    page.wait_for_function(f"() => window.paperdeskDebug.candles().length > {len(first)}")
    drawn = chart(page, "candles")
    # the first page is kept as it was; before it, exactly the API's candles before its first
    added = len(drawn) - len(first)
    assert drawn[added:] == first
    before_first = datetime.fromtimestamp(first[0]["time"] - 1, UTC).isoformat()
    older = api_candles(dashboard_server, end=before_first, limit=added)
    assert drawn[:added] == as_chart_bars(older)
    times = [bar["time"] for bar in drawn]
    assert times == sorted(set(times))


def test_a_bar_closed_by_a_tick_arrives_over_the_websocket(
    page: Page, dashboard_server: DashboardServer
) -> None:
    open_chart(page, dashboard_server, dashboard_server.reader)
    page.wait_for_function("() => window.paperdeskDebug.streamState().prices === 'open'")
    before = chart(page, "candles")
    processed = tick(dashboard_server)
    page.wait_for_function(
        f"() => window.paperdeskDebug.candles().length === {len(before) + 1}", timeout=15_000
    )
    drawn = chart(page, "candles")
    [bar] = api_candles(dashboard_server, end=processed["ts_bar_close"], limit=1)
    assert bar["ts_open"] == processed["ts_bar"]
    assert drawn[:-1] == before
    assert drawn[-1] == as_chart_bars([bar])[0]
    assert page.inner_text("#ticker .price") == processed["close"]
    # it came over the price stream (no reload of the history)
    delivered = chart(page, "delivered")
    assert any(m["channel"] == "prices" and m["type"] == "price_update" for m in delivered)
    assert chart(page, "pages") == 1


def coarser_expected(
    server: DashboardServer, position: str, timeframe: str = "1w"
) -> list[dict[str, Any]]:
    """What a weekly (or other coarser) chart of the replay at ``position`` (its last bar's
    close) must show, from the API alone: the candles closed by then, then the one forming,
    merged from its daily bars (the highest high, the lowest low, the last close)."""
    weeks = server.get(
        "/prices/SPY/ohlc", server.reader, timeframe=timeframe, end=position, limit=5000
    )["items"]
    closed = [w for w in weeks if epoch(w["ts_close"]) <= epoch(position)]
    days = server.get(
        "/prices/SPY/ohlc", server.reader, timeframe="1d", start=closed[-1]["ts_close"],
        end=position, limit=10,
    )["items"]  # fmt: skip
    bars = as_chart_bars(closed)
    if days:
        bars.append(
            {
                "time": epoch(days[0]["ts_open"]),
                "open": float(days[0]["open"]),
                "high": max(float(d["high"]) for d in days),
                "low": min(float(d["low"]) for d in days),
                "close": float(days[-1]["close"]),
            }
        )
    return bars


def tick_on_a_coarser_chart(
    page: Page, server: DashboardServer, timeframe: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One daily bar ticked while the chart shows ``timeframe``: what it draws once the bar's
    close arrived, and what the API says it must show."""
    processed = tick(server)
    expected = coarser_expected(server, processed["ts_bar_close"], timeframe)
    page.wait_for_function(
        "close => { const c = window.paperdeskDebug.candles(); "
        "return c.length > 0 && c[c.length - 1].close === close; }",
        arg=float(processed["close"]),
        timeout=15_000,
    )
    return chart(page, "candles"), expected


def test_a_weekly_chart_forms_its_candle_from_the_daily_bars_then_closes_it(
    page: Page, dashboard_server: DashboardServer
) -> None:
    position = tick(dashboard_server)["ts_bar_close"]
    open_chart(page, dashboard_server, dashboard_server.reader)
    page.select_option("#chart-timeframe", "1w")
    page.wait_for_selector("#chart[data-ready='true'][data-timeframe='1w']")
    expected = coarser_expected(dashboard_server, position)
    first = chart(page, "candles")
    assert len(first) in (500, 501)  # a page of closed weeks, and the week forming if any
    assert first == expected[-len(first) :]
    page.wait_for_function("() => window.paperdeskDebug.streamState().prices === 'open'")
    # six daily bars: the forming week moves with each, and a week closes on the way
    for _ in range(6):
        drawn, expected = tick_on_a_coarser_chart(page, dashboard_server, "1w")
        assert drawn[: len(first) - 1] == first[:-1]  # the closed weeks stay as they were
        assert drawn == expected[-len(drawn) :]
    times = [bar["time"] for bar in chart(page, "candles")]
    assert len(times) > len(first)  # six trading days cross into a new week
    assert times == sorted(set(times))  # a closed week replaced its forming candle, no double
    assert chart(page, "pages") == 1


def test_the_timeframe_menu_offers_the_apis_timeframes_and_a_two_day_chart_forms_its_candle(
    page: Page, dashboard_server: DashboardServer
) -> None:
    position = tick(dashboard_server)["ts_bar_close"]
    open_chart(page, dashboard_server, dashboard_server.reader)
    offered = page.eval_on_selector_all("#chart-timeframe option", "os => os.map(o => o.value)")
    served = dashboard_server.get("/prices/timeframes", dashboard_server.reader, base="1d")
    assert offered == served["timeframes"]
    assert {"2d", "3d", "1w", "1mo"} <= set(offered)
    page.select_option("#chart-timeframe", "2d")
    page.wait_for_selector("#chart[data-ready='true'][data-timeframe='2d']")
    first = chart(page, "candles")
    assert first == coarser_expected(dashboard_server, position, "2d")[-len(first) :]
    page.wait_for_function("() => window.paperdeskDebug.streamState().prices === 'open'")
    for _ in range(3):  # three daily bars: a two-session candle forms, closes, starts again
        drawn, expected = tick_on_a_coarser_chart(page, dashboard_server, "2d")
        assert drawn == expected[-len(drawn) :]
    times = [bar["time"] for bar in chart(page, "candles")]
    assert len(times) > len(first)
    assert times == sorted(set(times))


def test_signal_markers_match_the_apis_signals(
    page: Page, dashboard_server: DashboardServer
) -> None:
    ensure_signals_both_ways(dashboard_server)
    open_chart(page, dashboard_server, dashboard_server.reader)
    drawn_times = {bar["time"] for bar in chart(page, "candles")}
    signals = dashboard_server.get(
        f"/portfolios/{dashboard_server.portfolio_id}/signals", dashboard_server.reader,
        symbol="SPY", limit=500,
    )["items"]  # fmt: skip
    shown = [s for s in signals if epoch(s["ts"]) in drawn_times]
    assert shown, "the replay produced no signal on the drawn bars"
    page.wait_for_function(f"() => window.paperdeskDebug.markers().length === {len(shown)}")
    markers = sorted(chart(page, "markers"), key=lambda m: m["id"])
    expected = sorted(shown, key=lambda s: f"signal-{s['id']}")
    for marker, signal in zip(markers, expected, strict=True):
        assert marker["id"] == f"signal-{signal['id']}"
        assert marker["time"] == epoch(signal["ts"])
        shape = {1: "arrowUp", -1: "arrowDown", 0: "circle"}[signal["direction"]]
        assert marker["shape"] == shape
        label = signal["strategy"].split("-")[0].upper()  # macd-cross: MACD
        refused = signal["decision"] != "accepted"
        full = f"{label} {round(signal['confidence'] * 100)}%{' ✕' if refused else ''}"
        # shortened when a neighbour's label would run into it (test_chart_markers.py)
        assert marker["text"] in (full, f"{label}{'✕' if refused else ''}", "")
    ups = {m["color"] for m in markers if m["shape"] == "arrowUp"}
    downs = {m["color"] for m in markers if m["shape"] == "arrowDown"}
    assert ups
    assert downs
    assert ups.isdisjoint(downs)  # coloured by direction
    # pointing at the newest signal's bar shows its strategy, confidence and the router's word
    newest = max(shown, key=lambda s: (s["ts"], s["id"]))
    x = page.evaluate(f"() => window.paperdeskDebug.coordinateOf({epoch(newest['ts'])})")
    box = page.locator("#chart").bounding_box()
    assert x is not None
    assert box is not None
    page.mouse.move(box["x"] + x, box["y"] + box["height"] * 0.3)
    page.wait_for_selector("#chart-tooltip:not([hidden])")
    text = page.inner_text("#chart-tooltip")
    assert newest["strategy"] in text
    assert f"confidence {newest['confidence']:.2f}" in text
    assert f"router: {newest['decision']}" in text
    assert newest["reason"] in text


@pytest.fixture(scope="module")
def quiet_portfolio(dashboard_server: DashboardServer) -> int:
    """A replay portfolio whose strategy never trades (its signals are all below the minimum
    confidence), so only the test's own bracket order opens a position."""
    created = dashboard_server.post(
        "/portfolios",
        {
            "name": "Bracket desk",
            "cash": "25000",
            "symbols": ["SPY"],
            "strategies": ["macd-cross"],
            "settings": {"source": "replay", "replay_from": "2020-03-02", "min_confidence": 1.0},
        },
    )
    return int(created["summary"]["id"])


def test_an_open_position_shows_entry_stop_and_target_lines(
    page: Page, dashboard_server: DashboardServer, quiet_portfolio: int
) -> None:
    tick(dashboard_server, quiet_portfolio)
    open_chart(page, dashboard_server, dashboard_server.trader, quiet_portfolio)
    assert chart(page, "priceLines") == []
    last_close = Decimal(str(chart(page, "candles")[-1]["close"]))
    cent = Decimal("0.01")
    order = {
        "symbol": "SPY", "side": "buy", "quantity": "5", "type": "market",
        "stop_loss": str((last_close * Decimal("0.8")).quantize(cent)),
        "take_profit": str((last_close * Decimal("1.2")).quantize(cent)),
    }  # fmt: skip
    dashboard_server.post(f"/portfolios/{quiet_portfolio}/orders", order)
    tick(dashboard_server, quiet_portfolio)  # the next bar fills the entry; the legs rest
    detail = dashboard_server.get(f"/portfolios/{quiet_portfolio}", dashboard_server.trader)
    [position] = detail["positions"]
    legs = {o["role"]: o for o in detail["open_orders"]}
    assert set(legs) == {"stop_loss", "take_profit"}, detail["open_orders"]
    page.wait_for_function("() => window.paperdeskDebug.priceLines().length === 3", timeout=15_000)
    lines = {line["kind"]: line for line in chart(page, "priceLines")}
    assert lines["entry"]["price"] == float(position["average_price"])
    assert lines["stop"]["price"] == float(legs["stop_loss"]["stop_price"])
    assert lines["target"]["price"] == float(legs["take_profit"]["limit_price"])
    assert lines["stop"]["source"] == legs["stop_loss"]["order_id"]
    assert position["average_price"] in page.inner_text("#chart-legend")


def test_a_forex_charts_prices_change_and_lines_keep_their_digits(
    page: Page, dashboard_server: DashboardServer
) -> None:
    """The price scale prints the candles' decimals, the ticker's change is the exact
    difference of the last two closes in their own digits (a float's two decimals said
    ``+0.00`` for every EURUSD hour), and the legend gives a resting order's price and
    remaining quantity as the API wrote them."""
    server = dashboard_server
    created = server.post(
        "/portfolios",
        {
            "name": "Forex chart desk",
            "cash": "10000",
            "symbols": ["EURUSD"],
            "strategies": ["macd-cross"],
            "settings": {"source": "replay", "replay_from": "2018-01-02", "timeframe": "1h",
                         "min_confidence": 1.0},
        },
    )  # fmt: skip
    portfolio_id = int(created["summary"]["id"])
    processed = tick(server, portfolio_id)
    candles = server.get(
        "/prices/EURUSD/ohlc", server.reader, timeframe="1h", end=processed["ts_bar"], limit=2
    )["items"]  # ``end`` bounds the candles' open: the two up to the tick's bar
    previous, last = (Decimal(c["close"]) for c in candles)
    change = last - previous
    assert change != 0
    assert abs(change) < Decimal("0.005")  # a float's two decimals hid it
    limit = str((previous * Decimal("0.98")).quantize(Decimal("0.00001")))
    order = {"symbol": "EURUSD", "side": "buy", "quantity": "1000", "type": "limit",
             "limit_price": limit}  # fmt: skip
    server.post(f"/portfolios/{portfolio_id}/orders", order)
    [resting] = server.get(f"/portfolios/{portfolio_id}", server.trader)["open_orders"]
    open_chart(page, server, server.trader, portfolio_id)
    assert page.inner_text("#ticker .price") == candles[-1]["close"]
    sign = "+" if change > 0 else ""
    assert page.inner_text("#ticker .change").startswith(f"{sign}{change} (")
    # the price scale prints the candles' digits (the library's default two decimals printed
    # the last close 1.20159 as 1.20)
    printed = page.evaluate(f"() => window.paperdeskDebug.formatPrice({candles[-1]['close']})")
    assert Decimal(printed) == last
    page.wait_for_function("() => window.paperdeskDebug.priceLines().length === 1")
    assert f"limit buy {resting['quantity']} @ {resting['limit_price']}" in page.inner_text(
        "#chart-legend"
    )


def test_a_dropped_connection_resumes_without_a_missing_or_doubled_event(
    page: Page, dashboard_server: DashboardServer
) -> None:
    open_chart(page, dashboard_server, dashboard_server.trader)
    page.wait_for_function("() => window.paperdeskDebug.streamState().trading === 'open'")
    start = chart(page, "lastSequence")["trading"]  # the stream is live from here
    assert isinstance(start, int)
    tick(dashboard_server)  # one event batch while connected
    page.evaluate("() => window.paperdeskDebug.dropStreams(3000)")  # away for 3 s
    page.wait_for_function("() => window.paperdeskDebug.streamState().trading === 'reconnecting'")
    missed = [tick(dashboard_server) for _ in range(3)]  # committed while the page is away
    assert all(m["status"] == "processed" for m in missed)
    page.wait_for_function(
        "() => window.paperdeskDebug.streamState().trading === 'open'", timeout=20_000
    )
    last = tick(dashboard_server)  # and one more, live again
    truth = stream_after(dashboard_server, start, last["ts_bar"])
    page.wait_for_function(
        f"() => window.paperdeskDebug.delivered().some(m => m.sequence === {truth[-1]})",
        timeout=20_000,
    )
    delivered = [
        m["sequence"]
        for m in chart(page, "delivered")
        if m["channel"] == "trading" and m["type"] not in ("subscribed", "symbols", "error")
        and m["sequence"] > start
    ]  # fmt: skip
    assert delivered == truth  # every event once, in order, across the drop
    assert delivered == list(range(start + 1, start + 1 + len(delivered)))  # gap-free outbox
    # the price stream resumed too: the bars of the five ticks (the trading stream's
    # price_update entries of this portfolio, the same outbox entries), each once, in order
    bars = [
        m["sequence"]
        for m in chart(page, "delivered")
        if m["channel"] == "trading" and m["type"] == "price_update"
        and m["portfolio"] == dashboard_server.portfolio_id
        and start < m["sequence"] <= truth[-1]
    ]  # fmt: skip
    assert len(bars) == 5
    page.wait_for_function(
        "last => window.paperdeskDebug.delivered().some("
        "m => m.channel === 'prices' && m.sequence === last)",
        arg=bars[-1],
        timeout=20_000,
    )
    prices = [
        m["sequence"]
        for m in chart(page, "delivered")
        if m["channel"] == "prices" and m["type"] == "price_update"
        and m["portfolio"] == dashboard_server.portfolio_id
        and start < m["sequence"] <= truth[-1]
    ]  # fmt: skip
    # and the chart holds each of the five bars once, as the API has them
    drawn = chart(page, "candles")
    assert drawn[-5:] == as_chart_bars(api_candles(dashboard_server, last["ts_bar_close"], 5))
    assert prices == bars


def stream_after(server: DashboardServer, after: int, last_bar: str) -> list[int]:
    """The ground truth: the sequences /ws/trading replays to a fresh client after ``after``,
    up to the price update of ``last_bar`` (the last tick's bar)."""
    url = server.base_url.replace("http://", "ws://") + "/ws/trading"
    sequences: list[int] = []
    with connect(url) as socket:
        socket.send(json.dumps({"action": "auth", "key": server.trader, "after": after}))
        while True:
            message = json.loads(socket.recv(timeout=20))
            if message["type"] in ("subscribed", "symbols", "error"):
                continue
            sequences.append(message["sequence"])
            data = message["data"]
            if message["type"] == "price_update" and epoch(data["bar_open"]) == epoch(last_bar):
                return sequences


def test_bars_ticked_by_the_worker_arrive_live(
    page: Page, dashboard_server: DashboardServer, paced_replay: int
) -> None:
    open_chart(page, dashboard_server, dashboard_server.reader, paced_replay)
    before = chart(page, "candles")
    # the worker serves a bar every 2 s: wait for two more, with no request from the test
    page.wait_for_function(
        f"() => window.paperdeskDebug.candles().length >= {len(before) + 2}", timeout=30_000
    )
    drawn = chart(page, "candles")
    assert drawn[: len(before)] == before
    newest = datetime.fromtimestamp(drawn[-1]["time"], UTC).isoformat()
    expected = api_candles(dashboard_server, end=newest, limit=len(drawn) - len(before))
    assert drawn[len(before) :] == as_chart_bars(expected)
    assert chart(page, "pages") == 1  # they came over the stream, not by reloading


def test_a_replays_chart_ignores_the_bars_of_another_replay(
    page: Page, dashboard_server: DashboardServer, paced_replay: int
) -> None:
    position = tick(dashboard_server)  # the main replay, months behind the paced one
    open_chart(page, dashboard_server, dashboard_server.reader)
    before = chart(page, "candles")
    assert before[-1]["time"] == epoch(position["ts_bar"])
    # the paced replay's worker sends newer SPY bars on the same price stream
    page.wait_for_function(
        "id => window.paperdeskDebug.delivered().filter("
        "m => m.channel === 'prices' && m.type === 'price_update' && m.portfolio === id"
        ").length >= 2",
        arg=paced_replay,
        timeout=30_000,
    )
    assert chart(page, "candles") == before  # none of them is drawn on this replay's chart


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_screenshots_of_the_chart(
    page: Page, dashboard_server: DashboardServer, device: str, theme: str
) -> None:
    if device == "phone":
        page.set_viewport_size(PHONE)
    page.emulate_media(color_scheme=theme)  # type: ignore[arg-type]
    ensure_signals_both_ways(dashboard_server)
    open_chart(page, dashboard_server, dashboard_server.trader)
    page.wait_for_function("() => window.paperdeskDebug.markers().length > 0")
    assert page.get_attribute("html", "data-theme") == theme
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"]  # type: ignore[index]
    path = screenshot(page, "chart", device, theme)
    assert path.stat().st_size > 10_000
    # the chart takes the theme's colours, and the other theme's on the toggle
    panel = "() => getComputedStyle(document.documentElement).getPropertyValue('--panel').trim()"
    before = chart(page, "colours")
    assert before["background"] == page.evaluate(panel)
    page.click("#theme-toggle")
    after = chart(page, "colours")
    assert after["background"] == page.evaluate(panel)
    assert after["background"] != before["background"]
    assert after["text"] != before["text"]
