// The equity curve (a line) over a second pane with the drawdown from the running peak, shaded
// (Lightweight Charts). Values become numbers only here, to be drawn; the text the view shows
// stays the API's decimal strings.

import {
  AreaSeries,
  ColorType,
  createChart,
  LineSeries,
  type BarPrice,
  type IChartApi,
  type ISeriesApi,
  type UTCTimestamp,
} from "lightweight-charts";
import type { EquityPoint } from "../api-views";

export interface PlottedPoint {
  time: number;
  value: number;
}

/** What the chart draws of a point: its time, equity and drawdown from the peak (percent). */
export type ChartPoint = Pick<EquityPoint, "ts" | "equity" | "drawdown_pct">;

export interface EquityChart {
  show(points: readonly ChartPoint[]): void;
  applyTheme(): void;
  /** What the two series hold now (the test hook reads it). */
  plotted(): { equity: PlottedPoint[]; drawdown: PlottedPoint[] };
  /** How the chart's price scales print a value (the test hook reads it). */
  scaleLabel(value: number): string;
  destroy(): void;
}

function timeOf(point: ChartPoint): UTCTimestamp {
  return Math.floor(Date.parse(point.ts) / 1000) as UTCTimestamp;
}

/** One point per second, the last snapshot of each moment (a chart's times must increase). */
export function lastOfEachMoment<P extends ChartPoint>(points: readonly P[]): P[] {
  const byTime = new Map<number, P>();
  for (const point of points) byTime.set(timeOf(point), point);
  return [...byTime.entries()].sort((a, b) => a[0] - b[0]).map(([, point]) => point);
}

const SCALE_FORMAT = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** A price scale's label: two decimals, thousands grouped (the chart's numbers are floats,
 * drawn only; the exact amounts are the cards'). */
export function scaleText(value: number): string {
  return SCALE_FORMAT.format(value);
}

function cssColour(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

export function equityChart(container: HTMLElement): EquityChart {
  // The library's logo is a <style> element, which the dashboard's CSP (no inline style)
  // refuses; the view shows the attribution its licence asks for as a plain link instead.
  // The scales print as the cards do (`120,000.00`, not the library's `120000.00`).
  const chart: IChartApi = createChart(container, {
    autoSize: true,
    layout: { attributionLogo: false },
    localization: { priceFormatter: scaleText },
  });
  const equity: ISeriesApi<"Line"> = chart.addSeries(LineSeries, { lineWidth: 2, title: "equity" });
  const drawdown: ISeriesApi<"Area"> = chart.addSeries(
    AreaSeries,
    { lineWidth: 1, title: "drawdown %", invertFilledArea: true },
    1,
  );

  const applyTheme = (): void => {
    const down = cssColour("--down");
    chart.applyOptions({
      layout: {
        background: { type: ColorType.Solid, color: cssColour("--panel") },
        textColor: cssColour("--text"),
        panes: { separatorColor: cssColour("--border") },
      },
      grid: { vertLines: { color: cssColour("--grid") }, horzLines: { color: cssColour("--grid") } },
      rightPriceScale: { borderColor: cssColour("--border") },
      timeScale: { borderColor: cssColour("--border") },
    });
    equity.applyOptions({ color: cssColour("--accent") });
    drawdown.applyOptions({
      lineColor: down,
      topColor: `${down}22`,
      bottomColor: `${down}88`,
    });
  };
  applyTheme();
  chart.panes()[1]?.setStretchFactor(0.35);

  return {
    show(points) {
      const ordered = lastOfEachMoment(points);
      equity.setData(
        ordered.map((p) => ({ time: timeOf(p), value: Number(p.equity) })),
      );
      drawdown.setData(
        ordered.map((p) => ({ time: timeOf(p), value: p.drawdown_pct })),
      );
      chart.timeScale().fitContent();
    },
    applyTheme,
    plotted() {
      const read = (series: ISeriesApi<"Line"> | ISeriesApi<"Area">): PlottedPoint[] =>
        series.data().map((item) => ({
          time: item.time as number,
          value: "value" in item ? item.value : Number.NaN,
        }));
      return { equity: read(equity), drawdown: read(drawdown) };
    },
    scaleLabel(value) {
      const formatter = chart.options().localization.priceFormatter;
      return formatter === undefined || formatter === null ? String(value) : formatter(value as BarPrice);
    },
    destroy() {
      chart.remove();
    },
  };
}
