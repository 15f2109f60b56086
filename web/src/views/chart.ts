// The chart view: candlesticks and volume of a symbol of the portfolio from the OHLC endpoint,
// older candles loaded as the user scrolls back, closed bars from /ws/prices appended live,
// signal markers with a tooltip, price lines for positions and resting orders, a live price
// ticker and the strategy's indicator in a pane under the price.
//
// `?debug=1` in the address exposes `window.paperdeskDebug.chart` (what the chart holds, read
// back from the chart library) for the browser tests; nothing is exposed without it.

import {
  CandlestickSeries,
  ColorType,
  CrosshairMode,
  createChart,
  createSeriesMarkers,
  HistogramSeries,
  LineStyle,
  type ChartOptions,
  type DeepPartial,
  type IChartApi,
  type IPriceLine,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type LogicalRange,
  type MouseEventParams,
  type Time,
  type UTCTimestamp,
} from "lightweight-charts";

import type { Candle, CandlePage, Page, PortfolioDetail, Signal } from "../api";
import { getTimeframes } from "../api-views";
import { exposeDebugHook } from "../chart/debugHook";
import { FormingCandle } from "../chart/forming";
import { CandleHistory, candleOfPriceUpdate, candleTime, normaliseTime } from "../chart/history";
import { IndicatorPane, indicatorOf, type Parameters } from "../chart/indicatorPane";
import { priceFormat, pricePrecision } from "../chart/precision";
import { groupedMarkers, type MarkerView } from "../chart/markerGroups";
import { directionWord, priceLines, type LineSpec, type Palette } from "../chart/overlays";
import type { AppContext } from "../context";
import { h, replaceChildren } from "../dom";
import { StreamClient, type StreamMessage } from "../stream";
import { formatDecimal, sign, subtract } from "../components/decimal";
import { AnswersInOrder } from "../components/in-order";
import { cssVariable } from "../theme";

const SCROLL_BACK_MARGIN = 10; // load older candles when fewer than this many are left of view
const SIGNAL_PAGES = 20; // at most 20 x 500 signals per symbol
const REFRESH_DELAY_MS = 250;

interface ChartState {
  detail: PortfolioDetail;
  symbol: string;
  /** The timeframe drawn: the portfolio's own, or a coarser one resampled from it. */
  timeframe: string;
  /** The portfolio's timeframe: the bars its ticks close, which the price stream carries. */
  baseTimeframe: string;
  end: string | null;
}

function palette(): Palette {
  return {
    up: cssVariable("--up"),
    down: cssVariable("--down"),
    muted: cssVariable("--muted"),
    accent: cssVariable("--accent"),
    warn: cssVariable("--warn"),
  };
}

function chartColours(): DeepPartial<ChartOptions> {
  return {
    layout: {
      attributionLogo: false,
      background: { type: ColorType.Solid, color: cssVariable("--panel") },
      textColor: cssVariable("--text"),
      panes: { separatorColor: cssVariable("--border") },
    },
    grid: {
      vertLines: { color: cssVariable("--grid") },
      horzLines: { color: cssVariable("--grid") },
    },
  };
}

/** The newest bar a replay portfolio has processed (its equity curve's last point), so the
 * chart shows what the portfolio has seen and no later bar; null for other sources. */
async function replayPosition(app: AppContext, detail: PortfolioDetail): Promise<string | null> {
  const source = detail.settings["source"] as { kind?: string; replay_from?: string } | undefined;
  if (source?.kind !== "replay") return null;
  const performance = await app.api.get<{ equity_curve: { ts: string }[] }>(
    `/portfolios/${detail.summary.id.toString()}/performance`,
  );
  const last = performance.equity_curve[performance.equity_curve.length - 1];
  if (last !== undefined) return last.ts;
  // before the first tick: the history before the replay's first bar
  const first = Date.parse(source.replay_from ?? "");
  return Number.isNaN(first) ? null : new Date(first - 1000).toISOString();
}

export function mount(root: HTMLElement, app: AppContext): () => void {
  const cleanups: (() => void)[] = [];
  let disposed = false;
  const portfolio = app.portfolio;
  if (portfolio === null) {
    root.append(h("h2", {}, "Chart"), h("p", { class: "hint" }, "This key sees no portfolio."));
    return () => {
      root.replaceChildren();
    };
  }
  const symbolSelect = h("select", { id: "chart-symbol", "aria-label": "Symbol" });
  const timeframeSelect = h("select", { id: "chart-timeframe", "aria-label": "Timeframe" });
  const ticker = h("span", { id: "ticker", class: "ticker", "aria-live": "polite" });
  const legend = h("div", { id: "chart-legend", class: "chart-legend" });
  const box = h("div", { id: "chart", class: "chart-box" });
  const tooltip = h("div", { id: "chart-tooltip", class: "chart-tooltip", hidden: true });
  box.append(tooltip);
  const attribution = h(
    "a",
    { class: "attribution", href: "https://www.tradingview.com/", target: "_blank", rel: "noopener noreferrer" },
    "Charts by TradingView Lightweight Charts™",
  );
  root.append(
    h("div", { class: "chart-toolbar" }, h("h2", { class: "sr-only" }, "Chart"), symbolSelect, timeframeSelect, ticker),
    box,
    h("div", { class: "chart-footer" }, legend, attribution),
  );

  let teardownChart: (() => void) | null = null;
  let latestStart = 0; // a later choice supersedes a start still waiting for its answers
  const start = async (symbol: string | null, timeframe: string | null): Promise<void> => {
    const started = ++latestStart;
    const superseded = (): boolean => disposed || started !== latestStart;
    teardownChart?.();
    teardownChart = null;
    const detail = await app.api.portfolio(portfolio.id);
    if (superseded()) return;
    const symbols = (detail.settings["symbols"] as string[] | undefined) ?? [];
    const chosen = symbol ?? symbols[0] ?? null;
    replaceChildren(symbolSelect, ...symbols.map((s) => h("option", { value: s, selected: s === chosen }, s)));
    if (chosen === null) {
      legend.textContent = "This portfolio trades no symbol.";
      return;
    }
    const baseTimeframe = (detail.settings["timeframe"] as string | undefined) ?? "1d";
    const { timeframes } = await getTimeframes(app.api, baseTimeframe);
    if (superseded()) return;
    const drawn = timeframe !== null && timeframes.includes(timeframe) ? timeframe : baseTimeframe;
    replaceChildren(
      timeframeSelect,
      ...timeframes.map((t) => h("option", { value: t, selected: t === drawn }, t)),
    );
    const end = await replayPosition(app, detail);
    if (superseded()) return;
    teardownChart = drawChart(app, box, tooltip, ticker, legend, {
      detail,
      symbol: chosen,
      timeframe: drawn,
      baseTimeframe,
      end,
    });
  };
  const onChoice = (): void => {
    start(symbolSelect.value, timeframeSelect.value).catch(app.reportError);
  };
  for (const select of [symbolSelect, timeframeSelect]) {
    select.addEventListener("change", onChoice);
    cleanups.push(() => {
      select.removeEventListener("change", onChoice);
    });
  }
  start(null, null).catch(app.reportError);
  return () => {
    disposed = true;
    teardownChart?.();
    for (const cleanup of cleanups) cleanup();
    root.replaceChildren();
  };
}

function drawChart(
  app: AppContext,
  box: HTMLElement,
  tooltip: HTMLElement,
  ticker: HTMLElement,
  legend: HTMLElement,
  state: ChartState,
): () => void {
  const { symbol, timeframe, baseTimeframe } = state;
  const resampled = timeframe !== baseTimeframe;
  const portfolioId = state.detail.summary.id;
  const colours = palette();
  const intraday = !/^\d+(d|w|mo)$/.test(timeframe);
  const chart: IChartApi = createChart(box, {
    autoSize: true,
    ...chartColours(),
    timeScale: { timeVisible: intraday, secondsVisible: false, rightOffset: 3 },
    // The library's logo injects a <style> element, which the page's Content-Security-Policy
    // refuses; the view links TradingView itself (the attribution its licence asks for).
    rightPriceScale: { borderVisible: false },
    crosshair: { mode: CrosshairMode.Normal },
  });
  const candles: ISeriesApi<"Candlestick"> = chart.addSeries(CandlestickSeries, {
    upColor: colours.up,
    downColor: colours.down,
    wickUpColor: colours.up,
    wickDownColor: colours.down,
    borderVisible: false,
  });
  const volume: ISeriesApi<"Histogram"> = chart.addSeries(HistogramSeries, {
    priceScaleId: "volume",
    priceFormat: { type: "volume" },
    priceLineVisible: false,
    lastValueVisible: false,
  });
  chart.priceScale("volume").applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
  const markers: ISeriesMarkersPluginApi<Time> = createSeriesMarkers(candles, []);
  const strategy = ((state.detail.settings["strategies"] as { name: string; params: Parameters }[] | undefined) ?? [])
    .find((s) => indicatorOf(s.name) !== null);
  const indicatorName = strategy === undefined ? null : indicatorOf(strategy.name);
  let indicator: IndicatorPane | null = null;
  const history = new CandleHistory(app.api, symbol, timeframe, state.end);
  let forming: FormingCandle | null = null;
  let updates: Promise<void> = Promise.resolve(); // stream bars applied one after another
  let signals: Signal[] = [];
  let lines: { spec: LineSpec; line: IPriceLine }[] = [];
  let disposed = false;
  let refreshTimer: number | null = null;
  let adjustingRange = false;

  const volumeColour = (candle: Candle, p: Palette): string =>
    `${Number(candle.close) >= Number(candle.open) ? p.up : p.down}66`;

  /** The closed candles, then the forming one (a coarser timeframe only). */
  const shown = (): readonly Candle[] => {
    const candle = forming?.candle ?? null;
    const last = history.last;
    if (candle === null || (last !== undefined && candleTime(candle.ts_open) <= candleTime(last.ts_open))) {
      return history.candles;
    }
    return [...history.candles, candle];
  };

  let precision = 0; // the decimals the price scale and the price lines print
  const followPrecision = (all: readonly Candle[]): void => {
    const wanted = pricePrecision(all);
    if (wanted === precision) return;
    precision = wanted;
    candles.applyOptions({ priceFormat: priceFormat(precision) });
    indicator?.showPrices(precision);
  };

  const drawCandles = (): void => {
    const p = palette();
    const all = shown();
    followPrecision(all);
    candles.setData(
      all.map((c) => ({
        time: candleTime(c.ts_open) as UTCTimestamp,
        open: Number(c.open),
        high: Number(c.high),
        low: Number(c.low),
        close: Number(c.close),
      })),
    );
    volume.setData(
      all.map((c) => ({
        time: candleTime(c.ts_open) as UTCTimestamp,
        value: Number(c.volume),
        color: volumeColour(c, p),
      })),
    );
    indicator?.update(all);
    drawMarkers();
    showTicker();
  };

  /** A bar of the portfolio's timeframe on a coarser chart: it moves the forming candle, and
   * when it closes a candle of the chart's timeframe, the API's closed candle replaces it. */
  const formBar = async (bar: Candle): Promise<void> => {
    if (forming === null) return;
    forming.add(bar);
    const closed = await history.closedSince(history.last, bar.ts_close);
    for (const candle of closed) {
      history.applyBar(candle);
      forming.closedAt(candle);
    }
    if (!disposed) drawCandles();
  };

  /** Before the first stream bar: the bars since the last closed candle (up to the replay's
   * position) start the forming candle. */
  const startForming = async (): Promise<void> => {
    forming = new FormingCandle(history.last);
    const page = await app.api.get<CandlePage>(`/prices/${encodeURIComponent(symbol)}/ohlc`, {
      timeframe: baseTimeframe,
      limit: 500,
      start: history.last?.ts_close ?? null,
      end: state.end,
    });
    for (const bar of page.items) {
      forming.add({ ...bar, ts_open: normaliseTime(bar.ts_open), ts_close: normaliseTime(bar.ts_close) });
    }
  };

  const drawBar = (bar: Candle): void => {
    const outcome = history.applyBar(bar);
    if (outcome === "ignored") return;
    const time = candleTime(bar.ts_open) as UTCTimestamp;
    candles.update({ time, open: Number(bar.open), high: Number(bar.high), low: Number(bar.low), close: Number(bar.close) });
    volume.update({ time, value: Number(bar.volume), color: volumeColour(bar, palette()) });
    indicator?.update(history.candles);
    drawMarkers();
    showTicker();
  };

  /** The candles in view and the pixels each takes (the chart's width over their count). */
  const markerView = (): MarkerView => {
    const range = chart.timeScale().getVisibleLogicalRange();
    const width = chart.timeScale().width();
    if (range === null || range.to <= range.from || width <= 0) return { from: 0, to: 0, barSpacing: 0 };
    return { from: range.from, to: range.to, barSpacing: width / (range.to - range.from) };
  };
  let drawnMarkers = ""; // what was last handed to the library, to skip a redraw that changes nothing
  const drawMarkers = (): void => {
    const all = shown();
    const placed = signals.flatMap((signal) => {
      const index = indexContaining(all, candleTime(signal.ts));
      const candle = all[index];
      return candle === undefined ? [] : [{ signal, time: candleTime(candle.ts_open), index }];
    });
    const specs = groupedMarkers(placed, palette(), markerView());
    const text = JSON.stringify(specs);
    if (text === drawnMarkers) return;
    drawnMarkers = text;
    markers.setMarkers(specs.map((m) => ({ ...m, time: m.time as UTCTimestamp })));
  };

  let latestDetail = state.detail; // redrawn with a theme change
  const drawLines = (detail: PortfolioDetail): void => {
    latestDetail = detail;
    for (const { line } of lines) candles.removePriceLine(line);
    lines = priceLines(detail, symbol, palette()).map((spec) => ({
      spec,
      line: candles.createPriceLine({
        price: spec.price,
        color: spec.color,
        lineWidth: 1,
        lineStyle: spec.kind === "entry" ? LineStyle.Solid : LineStyle.Dashed,
        axisLabelVisible: true,
        title: spec.title,
      }),
    }));
    legend.textContent =
      lines.length === 0
        ? `${symbol} ${timeframe}: no open position or resting order`
        : `${symbol} ${timeframe}: ${lines.map(({ spec }) => `${spec.title} @ ${spec.priceText}`).join(" · ")}`;
  };

  const showTicker = (): void => {
    const all = shown();
    const last = all[all.length - 1];
    const previous = all[all.length - 2];
    if (last === undefined) {
      ticker.textContent = `${symbol}: no bars`;
      return;
    }
    // the change exactly, in the prices' own digits (a forex move of 0.00014 is not "+0.00");
    // only the percentage is a float
    const change = previous === undefined ? null : subtract(last.close, previous.close);
    const direction = change === null ? 0 : sign(change);
    const percent = change === null || previous === undefined ? null : (100 * Number(change)) / Number(previous.close);
    const changeText =
      change === null || percent === null
        ? ""
        : `${direction > 0 ? "+" : ""}${formatDecimal(change)} (${percent >= 0 ? "+" : ""}${percent.toFixed(2)}%)`;
    replaceChildren(
      ticker,
      h("span", { class: "symbol" }, symbol),
      " ",
      h("span", { class: "price", "data-close": last.close }, last.close),
      " ",
      h("span", { class: `change ${direction < 0 ? "down" : "up"}`, "data-change": change ?? "" }, changeText),
      " ",
      h("time", { class: "hint", datetime: last.ts_close }, last.ts_close.replace("T", " ").replace(":00Z", " UTC")),
    );
    ticker.dataset["time"] = last.ts_open;
  };

  const signalReads = new AnswersInOrder(); // a refresh's read and the first may cross
  const loadSignals = async (): Promise<void> => {
    const ticket = signalReads.ask();
    const loaded: Signal[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < SIGNAL_PAGES; page += 1) {
      const answer: Page<Signal> = await app.api.get<Page<Signal>>(`/portfolios/${portfolioId.toString()}/signals`, {
        symbol,
        limit: 500,
        cursor,
      });
      loaded.push(...answer.items);
      cursor = answer.next_cursor;
      if (cursor === null) break;
    }
    if (disposed || !signalReads.take(ticket)) return; // an earlier read's list is shorter
    signals = loaded;
    drawMarkers();
  };

  const overlayReads = new AnswersInOrder(); // two refreshes in flight: the later one's lines stay
  const refreshOverlays = (): void => {
    if (refreshTimer !== null) return;
    refreshTimer = window.setTimeout(() => {
      refreshTimer = null;
      if (disposed) return;
      const ticket = overlayReads.ask();
      Promise.all([app.api.portfolio(portfolioId), loadSignals()])
        .then(([detail]) => {
          if (!disposed && overlayReads.take(ticket)) drawLines(detail);
        })
        .catch(app.reportError);
    }, REFRESH_DELAY_MS);
  };

  // Tooltip: the signals of the bar under the pointer.
  const onCrosshair = (param: MouseEventParams): void => {
    const time = typeof param.time === "number" ? param.time : null;
    const all = shown();
    const here =
      time === null
        ? []
        : signals.filter((s) => candleTime(containing(all, candleTime(s.ts))?.ts_open ?? "") === time);
    if (here.length === 0 || param.point === undefined) {
      tooltip.hidden = true;
      return;
    }
    replaceChildren(
      tooltip,
      ...here.map((s) =>
        h(
          "div",
          { class: "signal" },
          h("strong", {}, `${s.strategy} ${directionWord(s.direction)}`),
          ` · confidence ${s.confidence === null ? "n/a" : s.confidence.toFixed(2)}`,
          h("br"),
          `router: ${s.decision}${s.decision_reason === null ? "" : ` (${s.decision_reason})`}`,
          h("br"),
          h("span", { class: "hint" }, s.reason),
        ),
      ),
    );
    tooltip.hidden = false;
    const x = Math.min(param.point.x + 12, box.clientWidth - tooltip.offsetWidth - 4);
    tooltip.style.left = `${Math.max(4, x).toString()}px`;
    tooltip.style.top = `${(param.point.y + 12).toString()}px`;
  };
  chart.subscribeCrosshairMove(onCrosshair);

  // Scroll-back: when the left edge comes near the oldest candle, load the page before it and
  // keep the same candles in view.
  const onRange = (range: LogicalRange | null): void => {
    drawMarkers(); // a zoom or a new width changes the room each marker's text has
    if (range === null || adjustingRange || !history.hasOlder || range.from > SCROLL_BACK_MARGIN) return;
    history
      .loadOlder()
      .then((added) => {
        if (disposed || added === 0) return;
        adjustingRange = true;
        drawCandles();
        chart.timeScale().setVisibleLogicalRange({ from: range.from + added, to: range.to + added });
        adjustingRange = false;
        box.dataset["pages"] = history.pages.toString();
      })
      .catch(app.reportError);
  };
  chart.timeScale().subscribeVisibleLogicalRangeChange(onRange);

  // Live bars of this symbol and timeframe.
  const prices = new StreamClient({ channel: "prices", key: app.key, symbols: [symbol] });
  const stopWatching = app.watchStream(prices);
  // A replay has its own timeline: only its own ticks' bars belong on its chart. /ws/prices
  // sends a bar once whichever portfolio ticked it first, so a replay's chart also takes its
  // ticks from /ws/trading (the same bar twice just redraws the same candle).
  const replay = state.end !== null;
  const onBar = (message: StreamMessage): void => {
    const bar = candleOfPriceUpdate(message.data);
    if (bar === null || message.data["symbol"] !== symbol) return;
    if (replay && message.portfolio_id !== portfolioId) return;
    if (!resampled && message.data["timeframe"] === timeframe) drawBar(bar);
    if (resampled && message.data["timeframe"] === baseTimeframe) {
      updates = updates.then(() => formBar(bar)).catch(app.reportError);
    }
  };
  prices.on("price_update", onBar);
  const stopReplayBars = replay ? app.trading.on("price_update", onBar) : () => undefined;
  const overlayEvents = ["signal_alert", "order_update", "trade_execution", "trade_closed", "position_update"];
  const stopTrading = overlayEvents.map((type) =>
    app.trading.on(type, (message) => {
      if (message.portfolio_id === portfolioId) refreshOverlays();
    }),
  );
  const stopTheme = app.onThemeChange(() => {
    const p = palette();
    chart.applyOptions(chartColours());
    candles.applyOptions({ upColor: p.up, downColor: p.down, wickUpColor: p.up, wickDownColor: p.down });
    indicator?.recolour(p);
    drawCandles();
    drawLines(latestDetail);
  });

  const removed = (): boolean => disposed; // read after an await (not narrowed by the check before it)
  const load = async (): Promise<void> => {
    prices.start(); // first, so no bar closing while the history loads is missed
    await history.loadNewest();
    if (resampled) await startForming();
    if (disposed) return;
    if (indicatorName !== null && strategy !== undefined) {
      const parameters = await strategyParameters(app, strategy);
      if (removed()) return; // the view was left while the parameters were asked for
      indicator = new IndicatorPane(chart, indicatorName, parameters, palette());
      chart.panes()[1]?.setHeight(Math.round(box.clientHeight * 0.25));
    }
    drawCandles();
    showTicker();
    drawLines(state.detail);
    box.dataset["pages"] = history.pages.toString();
    box.dataset["timeframe"] = timeframe;
    box.dataset["ready"] = "true";
    await loadSignals();
  };
  load().catch(app.reportError);

  const hidePartsFromTests = app.debug
    ? exposeDebugHook({ chart, candles, volume, markers, indicator: () => indicator, lines: () => lines, prices, app, history })
    : null;

  return () => {
    disposed = true;
    if (refreshTimer !== null) window.clearTimeout(refreshTimer);
    prices.stop();
    stopWatching();
    for (const stop of stopTrading) stop();
    stopReplayBars();
    stopTheme();
    chart.unsubscribeCrosshairMove(onCrosshair);
    chart.timeScale().unsubscribeVisibleLogicalRangeChange(onRange);
    chart.remove();
    delete box.dataset["ready"];
    hidePartsFromTests?.();
  };
}

/** The candle whose span holds `time` (a daily signal on a weekly candle), or null. */
function containing(candles: readonly Candle[], time: number): Candle | null {
  return candles[indexContaining(candles, time)] ?? null;
}

/** The index of the candle whose span holds `time`, or -1. */
function indexContaining(candles: readonly Candle[], time: number): number {
  let low = 0;
  let high = candles.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const candle = candles[middle];
    if (candle === undefined) return -1;
    if (candleTime(candle.ts_open) > time) high = middle - 1;
    else if (candleTime(candle.ts_close) < time) low = middle + 1;
    else return middle;
  }
  return -1;
}

/** The strategy's parameters: the portfolio's own over the strategy's defaults. */
async function strategyParameters(app: AppContext, strategy: { name: string; params: Parameters }): Promise<Parameters> {
  const described = await app.api.get<{ parameters: { name: string; default: unknown }[] }>(
    `/strategies/${encodeURIComponent(strategy.name)}`,
  );
  const defaults = Object.fromEntries(described.parameters.map((p) => [p.name, p.default]));
  return { ...defaults, ...strategy.params };
}
