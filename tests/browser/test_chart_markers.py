"""The chart's signal markers where signals cluster: one marker per candle and side, whose id
names every signal on it and whose text names each strategy when there is room; at a phone's
width no two labels on the same side are drawn over each other, and every signal keeps its
arrow on its candle (h-dash saw `MACD 18%` and `RSI 20% ✕` drawn over each other)."""

from __future__ import annotations

import dataclasses
import itertools
from collections import defaultdict
from typing import Any

import pytest
from browser_support import PHONE, DashboardServer
from playwright.sync_api import Page
from test_chart import chart, epoch, open_chart, tick

# Two strategies on one symbol: their signals meet on the same bars and on neighbouring ones.
CLUSTER_DESK = {
    "name": "Cluster desk",
    "cash": "25000",
    "symbols": ["SPY"],
    "strategies": ["macd-cross", "rsi-divergence"],
    "settings": {"source": "replay", "replay_from": "2020-01-02"},
}
CHARACTER_PIXELS = 7  # about a character of the library's 12 px marker text


@pytest.fixture(scope="module")
def dashboard_server(dashboard_server: DashboardServer) -> DashboardServer:
    """The session's server, with ``portfolio_id`` naming this module's own portfolio."""
    created = dashboard_server.post("/portfolios", CLUSTER_DESK)
    return dataclasses.replace(dashboard_server, portfolio_id=int(created["summary"]["id"]))


def signals_of(server: DashboardServer) -> list[dict[str, Any]]:
    path = f"/portfolios/{server.portfolio_id}/signals"
    return list(server.get(path, server.reader, symbol="SPY", limit=500)["items"])


def label(signal: dict[str, Any]) -> str:
    """The strategy's short label and the router's refusal mark (`RSI✕`)."""
    refused = "" if signal["decision"] == "accepted" else "✕"
    return signal["strategy"].split("-")[0].upper() + refused


def full_text(signal: dict[str, Any]) -> str:
    refused = "" if signal["decision"] == "accepted" else " ✕"
    confidence = (
        f" {round(signal['confidence'] * 100)}%" if signal["confidence"] is not None else ""
    )
    return f"{signal['strategy'].split('-')[0].upper()}{confidence}{refused}"


def groups_on(
    candle_times: list[int], signals: list[dict[str, Any]]
) -> dict[tuple[int, int], list]:
    """The signals by the drawn candle that holds them and by side (long under, short over)."""
    groups: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    for signal in signals:
        at = epoch(signal["ts"])
        holding = [t for t in candle_times if t <= at]
        if holding and signal["direction"] != 0:
            groups[(holding[-1], signal["direction"])].append(signal)
    return groups


def test_clustered_signals_share_one_marker_per_candle_and_side(
    page: Page, dashboard_server: DashboardServer
) -> None:
    server = dashboard_server
    for _ in range(80):  # until two signals of one side share a week (Monday to Sunday)
        signals = signals_of(server)
        mondays = sorted(
            {(epoch(s["ts"]) // 86400 - (epoch(s["ts"]) // 86400 + 3) % 7) * 86400 for s in signals}
        )
        if any(len(group) > 1 for group in groups_on(mondays, signals).values()):
            break
        tick(server)
    open_chart(page, server, server.reader)
    page.select_option("#chart-timeframe", "1w")
    page.wait_for_selector("#chart[data-ready='true'][data-timeframe='1w']")
    candle_times = [bar["time"] for bar in chart(page, "candles")]
    groups = groups_on(candle_times, signals_of(server))
    assert any(len(group) > 1 for group in groups.values()), "no candle holds two signals"
    page.wait_for_function(f"() => window.paperdeskDebug.markers().length === {len(groups)}")
    markers = {marker["id"]: marker for marker in chart(page, "markers")}
    for (time, direction), group in groups.items():
        ids = "+".join(str(s["id"]) for s in sorted(group, key=lambda s: s["id"]))
        marker = markers[f"signal-{ids}"]  # every signal of the candle, on one marker
        assert marker["time"] == time
        assert marker["shape"] == ("arrowUp" if direction > 0 else "arrowDown")
        ordered = sorted(group, key=lambda s: s["id"])
        forms = [
            " · ".join(full_text(s) for s in ordered),
            "·".join(label(s) for s in ordered),
            str(len(ordered)) if len(ordered) > 1 else "",
            "",
        ]
        assert marker["text"] in forms


def test_labels_do_not_overlap_at_a_phones_width(
    page: Page, dashboard_server: DashboardServer
) -> None:
    server = dashboard_server
    for _ in range(80):  # until two signals of one side stand within a week of each other
        signals = signals_of(server)
        if any(
            later["direction"] == earlier["direction"]
            and epoch(later["ts"]) - epoch(earlier["ts"]) <= 7 * 86400
            for earlier, later in itertools.pairwise(sorted(signals, key=lambda s: s["ts"]))
        ):
            break
        tick(server)
    page.set_viewport_size(PHONE)
    open_chart(page, server, server.reader)
    candle_times = [bar["time"] for bar in chart(page, "candles")]
    signals = signals_of(server)
    drawn = [s for s in signals if groups_on(candle_times, [s])]
    page.wait_for_function("() => window.paperdeskDebug.markers().length > 0")
    markers = chart(page, "markers")
    spans: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for marker in markers:
        x = page.evaluate(f"() => window.paperdeskDebug.coordinateOf({marker['time']})")
        if x is None or marker["text"] == "":
            continue
        half = len(marker["text"]) * CHARACTER_PIXELS / 2
        spans[marker["position"]].append((x - half, x + half))
    for side in spans.values():
        side.sort()
        for (_, right), (left, _) in itertools.pairwise(side):
            assert right <= left, f"labels overlap: {side}"
    # and no signal lost its arrow: each drawn signal is on exactly one marker of its candle
    on_markers = [int(i) for m in markers for i in m["id"].removeprefix("signal-").split("+")]
    assert sorted(on_markers) == sorted(s["id"] for s in drawn)
