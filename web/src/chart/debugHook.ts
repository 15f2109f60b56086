// The chart's test hook, set only with `?debug=1` in the address: read-only views of what the
// chart library holds (series data, markers, price lines, the indicator), the messages each
// stream delivered, and a way to drop both sockets as a network failure would. Browser tests
// compare these with the API's answers; nothing is exposed without the flag.

import {
  ColorType,
  type IChartApi,
  type IPriceLine,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type Time,
  type UTCTimestamp,
} from "lightweight-charts";

import type { AppContext } from "../context";
import type { StreamClient } from "../stream";
import type { CandleHistory } from "./history";
import type { IndicatorPane } from "./indicatorPane";
import type { LineSpec } from "./overlays";

export interface DebugParts {
  chart: IChartApi;
  candles: ISeriesApi<"Candlestick">;
  volume: ISeriesApi<"Histogram">;
  markers: ISeriesMarkersPluginApi<Time>;
  indicator: () => IndicatorPane | null;
  lines: () => { spec: LineSpec; line: IPriceLine }[];
  prices: StreamClient;
  app: AppContext;
  history: CandleHistory;
}

type DebugWindow = Window & { paperdeskDebug?: Record<string, unknown> };

/** Test hook (`?debug=1` only): what the chart library holds, read back from it. */
export function exposeDebugHook(parts: DebugParts): () => void {
  const delivered: {
    channel: string;
    type: string;
    sequence: number | null;
    portfolio: number | null;
  }[] = [];
  const stops = [parts.prices, parts.app.trading].map((stream) =>
    stream.on("*", (message) => {
      delivered.push({
        channel: stream.channel,
        type: message.type,
        sequence: message.sequence,
        portfolio: message.portfolio_id,
      });
    }),
  );
  (window as DebugWindow).paperdeskDebug = {
    candles: () => parts.candles.data(),
    volume: () => parts.volume.data(),
    markers: () => parts.markers.markers(),
    priceLines: () => parts.lines().map(({ spec, line }) => ({ ...line.options(), kind: spec.kind, source: spec.source })),
    indicator: () => {
      const pane = parts.indicator();
      return pane === null ? null : { name: pane.name, values: pane.values() };
    },
    /** A price as the price scale and the price lines print it. */
    formatPrice: (price: number) => parts.candles.priceFormatter().format(price),
    pages: () => parts.history.pages,
    colours: () => {
      const layout = parts.chart.options().layout;
      const background = layout.background;
      return {
        background: background.type === ColorType.Solid ? background.color : null,
        text: layout.textColor,
        up: parts.candles.options().upColor,
      };
    },
    visibleRange: () => parts.chart.timeScale().getVisibleLogicalRange(),
    /** Where a bar is on screen, relative to the chart's box (to point at it). */
    coordinateOf: (time: number) => parts.chart.timeScale().timeToCoordinate(time as UTCTimestamp),
    scrollToOldest: () => {
      parts.chart.timeScale().scrollToPosition(-parts.history.candles.length, false);
    },
    delivered: () => delivered,
    dropStreams: (holdMs: number) => {
      parts.prices.drop(holdMs);
      parts.app.trading.drop(holdMs);
    },
    streamState: () => ({ prices: parts.prices.state, trading: parts.app.trading.state }),
    lastSequence: () => ({ prices: parts.prices.lastSequence, trading: parts.app.trading.lastSequence }),
  };
  return () => {
    for (const stop of stops) stop();
    delete (window as DebugWindow).paperdeskDebug;
  };
}
