// Candles of one symbol with the simulated trades on them (Lightweight Charts): an entry marker
// (an arrow, up under the bar for a long, down over it for a short) and an exit marker (a
// circle) on the candle holding each time, coloured by the trade's outcome (take-profit up,
// stop-loss down, the rest muted). Prices become numbers only here, to be drawn.

import {
  CandlestickSeries,
  ColorType,
  createChart,
  createSeriesMarkers,
  type IChartApi,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type Time,
  type UTCTimestamp,
} from "lightweight-charts";
import type { Candle } from "../api";
import type { SimulatedTrade } from "../plan-api";

export interface TradeMarker {
  id: string;
  time: number;
  position: "aboveBar" | "belowBar" | "inBar";
  shape: "arrowUp" | "arrowDown" | "circle";
  color: string;
  text: string;
  outcome: string;
}

export interface TradeChart {
  show(candles: readonly Candle[], trades: readonly SimulatedTrade[]): void;
  applyTheme(): void;
  /** What is drawn (the test hook reads it). */
  drawn(): { candles: number; markers: TradeMarker[] };
  destroy(): void;
}

function seconds(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

function cssColour(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/** The colour of an outcome: a target reached is up, a stop hit is down, the rest muted. */
export function outcomeColour(outcome: string): string {
  if (outcome === "TP") return cssColour("--up");
  if (outcome === "SL") return cssColour("--down");
  if (outcome === "TIMEOUT" || outcome === "EOD") return cssColour("--warn");
  return cssColour("--muted");
}

/** The open time of the candle holding `time` (the last opening at or before it), or null. */
function holding(candles: readonly Candle[], time: number): number | null {
  let found: number | null = null;
  for (const candle of candles) {
    const open = seconds(candle.ts_open);
    if (open > time) break;
    found = open;
  }
  return found;
}

export function tradeMarkers(candles: readonly Candle[], trades: readonly SimulatedTrade[]): TradeMarker[] {
  const markers: TradeMarker[] = [];
  for (const trade of trades) {
    const long = trade.side === "buy";
    const colour = outcomeColour(trade.outcome);
    if (trade.entry_time !== null) {
      const time = holding(candles, seconds(trade.entry_time));
      if (time !== null) {
        markers.push({
          id: `entry-${trade.row}`,
          time,
          position: long ? "belowBar" : "aboveBar",
          shape: long ? "arrowUp" : "arrowDown",
          color: colour,
          text: `#${trade.row} ${long ? "buy" : "sell"} ${trade.entry_price ?? ""}`.trim(),
          outcome: trade.outcome,
        });
      }
    }
    if (trade.exit_time !== null) {
      const time = holding(candles, seconds(trade.exit_time));
      if (time !== null) {
        markers.push({
          id: `exit-${trade.row}`,
          time,
          position: long ? "aboveBar" : "belowBar",
          shape: "circle",
          color: colour,
          text: `#${trade.row} ${trade.outcome} ${trade.exit_price ?? ""}`.trim(),
          outcome: trade.outcome,
        });
      }
    }
  }
  return markers.sort((a, b) => a.time - b.time);
}

export function tradeChart(container: HTMLElement): TradeChart {
  // no attribution logo: it is a <style> element the dashboard's CSP refuses (the view links
  // TradingView instead)
  const chart: IChartApi = createChart(container, {
    autoSize: true,
    layout: { attributionLogo: false },
    timeScale: { timeVisible: true, secondsVisible: false },
  });
  const candles: ISeriesApi<"Candlestick"> = chart.addSeries(CandlestickSeries, { borderVisible: false });
  const plugin: ISeriesMarkersPluginApi<Time> = createSeriesMarkers(candles, []);
  let shown: TradeMarker[] = [];
  let count = 0;

  const applyTheme = (): void => {
    const up = cssColour("--up");
    const down = cssColour("--down");
    chart.applyOptions({
      layout: { background: { type: ColorType.Solid, color: cssColour("--panel") }, textColor: cssColour("--text") },
      grid: { vertLines: { color: cssColour("--grid") }, horzLines: { color: cssColour("--grid") } },
    });
    candles.applyOptions({ upColor: up, downColor: down, wickUpColor: up, wickDownColor: down });
  };
  applyTheme();

  return {
    show(bars, trades) {
      candles.setData(
        bars.map((c) => ({
          time: seconds(c.ts_open) as UTCTimestamp,
          open: Number(c.open),
          high: Number(c.high),
          low: Number(c.low),
          close: Number(c.close),
        })),
      );
      count = bars.length;
      shown = tradeMarkers(bars, trades);
      plugin.setMarkers(
        shown.map((m) => ({
          id: m.id,
          time: m.time as UTCTimestamp,
          position: m.position,
          shape: m.shape,
          color: m.color,
          text: m.text,
        })),
      );
      chart.timeScale().fitContent();
    },
    applyTheme,
    drawn() {
      return { candles: count, markers: shown };
    },
    destroy() {
      chart.remove();
    },
  };
}
