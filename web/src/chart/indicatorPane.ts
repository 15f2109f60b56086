// The pane under the price with the indicator of the portfolio's strategy: MACD (line, signal,
// histogram) for macd-cross, RSI with its 30/70 bands for rsi-divergence, TSI and its signal
// line for tsi-momentum. The API has no indicator endpoint, so they are computed here
// (indicators.ts) from the candles on the chart, with the strategy's own parameters.

import { HistogramSeries, LineSeries, LineStyle, type IChartApi, type ISeriesApi, type UTCTimestamp } from "lightweight-charts";

import type { Candle } from "../api";
import { ema, macd, rsi, tsi, type EmaSeed, type Series } from "../indicators";
import { candleTime } from "./history";
import { priceFormat } from "./precision";
import type { Palette } from "./overlays";

export type IndicatorName = "MACD" | "RSI" | "TSI";
export type Parameters = Record<string, unknown>;

const STRATEGY_INDICATORS: Record<string, IndicatorName> = {
  "macd-cross": "MACD",
  "rsi-divergence": "RSI",
  "tsi-momentum": "TSI",
};

/** The indicator drawn for a strategy (null: it has none to draw). */
export function indicatorOf(strategy: string): IndicatorName | null {
  return STRATEGY_INDICATORS[strategy] ?? null;
}

function integer(parameters: Parameters, name: string, fallback: number): number {
  const value = parameters[name];
  return typeof value === "number" && Number.isInteger(value) ? value : fallback;
}

function seedOf(parameters: Parameters): EmaSeed {
  return parameters["ema_seed"] === "first" ? "first" : "sma";
}

/** The lines of an indicator over `closes`, by line name. */
export function computeIndicator(
  name: IndicatorName,
  closes: readonly number[],
  parameters: Parameters,
): Record<string, Series> {
  const seed = seedOf(parameters);
  if (name === "MACD") {
    const result = macd(
      closes,
      integer(parameters, "fast", 12),
      integer(parameters, "slow", 26),
      integer(parameters, "signal", 9),
      seed,
    );
    return { macd: result.macd, signal: result.signal, histogram: result.histogram };
  }
  if (name === "RSI") return { rsi: rsi(closes, integer(parameters, "period", 14)) };
  const line = tsi(closes, integer(parameters, "long", 25), integer(parameters, "short", 13), seed);
  return { tsi: line, signal: ema(line, integer(parameters, "signal", 13), seed) };
}

export class IndicatorPane {
  private readonly series = new Map<string, ISeriesApi<"Line"> | ISeriesApi<"Histogram">>();
  private lastValues: Record<string, Series> = {};

  constructor(
    private readonly chart: IChartApi,
    readonly name: IndicatorName,
    private readonly parameters: Parameters,
    palette: Palette,
  ) {
    const pane = 1;
    if (name === "MACD") {
      this.series.set("histogram", chart.addSeries(HistogramSeries, { priceLineVisible: false, lastValueVisible: false }, pane));
      this.series.set("macd", chart.addSeries(LineSeries, { color: palette.accent, lineWidth: 2, priceLineVisible: false, title: "MACD" }, pane));
      this.series.set("signal", chart.addSeries(LineSeries, { color: palette.warn, lineWidth: 1, priceLineVisible: false, title: "signal" }, pane));
    } else if (name === "RSI") {
      const line = chart.addSeries(LineSeries, { color: palette.accent, lineWidth: 2, priceLineVisible: false, title: "RSI" }, pane);
      line.createPriceLine({ price: 70, color: palette.muted, lineWidth: 1, lineStyle: LineStyle.Dashed, axisLabelVisible: false, title: "70" });
      line.createPriceLine({ price: 30, color: palette.muted, lineWidth: 1, lineStyle: LineStyle.Dashed, axisLabelVisible: false, title: "30" });
      this.series.set("rsi", line);
    } else {
      this.series.set("tsi", chart.addSeries(LineSeries, { color: palette.accent, lineWidth: 2, priceLineVisible: false, title: "TSI" }, pane));
      this.series.set("signal", chart.addSeries(LineSeries, { color: palette.warn, lineWidth: 1, priceLineVisible: false, title: "signal" }, pane));
    }
    this.recolour(palette);
  }

  recolour(palette: Palette): void {
    this.series.get("macd")?.applyOptions({ color: palette.accent });
    this.series.get("rsi")?.applyOptions({ color: palette.accent });
    this.series.get("tsi")?.applyOptions({ color: palette.accent });
    this.series.get("signal")?.applyOptions({ color: palette.warn });
    this.palette = palette;
  }

  private palette: Palette | null = null;

  /** MACD is in the price's units: its lines print with the candles' decimals plus one (a
   * EURUSD MACD of 0.00174 is not 0.00); RSI and TSI keep two decimals. */
  showPrices(precision: number): void {
    if (this.name !== "MACD") return;
    for (const series of this.series.values()) series.applyOptions({ priceFormat: priceFormat(precision + 1) });
  }

  /** Recomputes every line over the candles (a few thousand closes: a millisecond or two). */
  update(candles: readonly Candle[]): void {
    const closes = candles.map((candle) => Number(candle.close));
    const times = candles.map((candle) => candleTime(candle.ts_open) as UTCTimestamp);
    this.lastValues = computeIndicator(this.name, closes, this.parameters);
    for (const [line, values] of Object.entries(this.lastValues)) {
      const series = this.series.get(line);
      if (series === undefined) continue;
      const points = [];
      for (let index = 0; index < values.length; index += 1) {
        const value = values[index] ?? NaN;
        const time = times[index];
        if (Number.isNaN(value) || time === undefined) continue;
        if (line === "histogram") {
          const colour = value >= 0 ? this.palette?.up : this.palette?.down;
          points.push(colour === undefined ? { time, value } : { time, value, color: colour });
        } else {
          points.push({ time, value });
        }
      }
      series.setData(points);
    }
  }

  /** The lines last drawn, by name (NaN where undefined), for the legend and the debug hook. */
  values(): Record<string, Series> {
    return this.lastValues;
  }
}
