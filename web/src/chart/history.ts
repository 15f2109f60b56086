// The candles a chart shows: the newest page of the OHLC endpoint, older pages as the user
// scrolls back (its `next_cursor`), and the bars the price stream brings, kept sorted by time
// with one candle per time.

import type { ApiClient, Candle, CandlePage } from "../api";

/** Seconds since the epoch of a candle's open: the chart's time axis. */
export function candleTime(isoTime: string): number {
  return Math.floor(Date.parse(isoTime) / 1000);
}

export type BarOutcome = "appended" | "updated" | "ignored";

export const PAGE_SIZE = 500;

export class CandleHistory {
  private items: Candle[] = [];
  private cursor: string | null = null;
  private loading = false;
  private pagesLoaded = 0;

  constructor(
    private readonly api: ApiClient,
    readonly symbol: string,
    readonly timeframe: string,
    /** Newest candle to show (`ts_open` at or before it): a replay's position; null: now. */
    private readonly end: string | null,
  ) {}

  get candles(): readonly Candle[] {
    return this.items;
  }

  get hasOlder(): boolean {
    return this.cursor !== null;
  }

  get pages(): number {
    return this.pagesLoaded;
  }

  get last(): Candle | undefined {
    return this.items[this.items.length - 1];
  }

  async loadNewest(): Promise<void> {
    const page = await this.fetch(null);
    this.items = [...page.items];
    this.cursor = page.next_cursor;
    this.pagesLoaded = 1;
  }

  /** Loads the page before the oldest candle; returns how many candles it added (0 when there
   * is nothing older or a load is already running). */
  async loadOlder(): Promise<number> {
    if (this.loading || this.cursor === null) return 0;
    this.loading = true;
    try {
      const page = await this.fetch(this.cursor);
      const oldest = this.items[0];
      const older = oldest === undefined ? page.items : page.items.filter((c) => c.ts_open < oldest.ts_open);
      this.items = [...older, ...this.items];
      this.cursor = page.next_cursor;
      this.pagesLoaded += 1;
      return older.length;
    } finally {
      this.loading = false;
    }
  }

  /** A closed bar from the stream: replaces the candle of its time, or extends the series;
   * a bar older than the newest candle is left alone (the chart only grows at its end). */
  applyBar(bar: Candle): BarOutcome {
    const last = this.last;
    if (last !== undefined && bar.ts_open < last.ts_open) return "ignored";
    if (last !== undefined && bar.ts_open === last.ts_open) {
      this.items[this.items.length - 1] = bar;
      return "updated";
    }
    this.items.push(bar);
    return "appended";
  }

  private async fetch(cursor: string | null): Promise<CandlePage> {
    const page = await this.api.get<CandlePage>(
      `/prices/${encodeURIComponent(this.symbol)}/ohlc`,
      { timeframe: this.timeframe, limit: PAGE_SIZE, end: this.end, cursor },
    );
    const items = page.items
      .map((candle) => ({
        ...candle,
        ts_open: normaliseTime(candle.ts_open),
        ts_close: normaliseTime(candle.ts_close),
      }))
      .filter((candle) => this.closedBy(candle, this.end));
    return { ...page, items };
  }

  /** A resampled candle opening before `end` may close after it (the week of a replay's
   * Wednesday): until `end` reaches its close it is not a closed candle yet. */
  private closedBy(candle: Candle, end: string | null): boolean {
    return end === null || candleTime(candle.ts_close) <= candleTime(end);
  }

  /** The closed candles of this timeframe from `after` (exclusive) to `end`, e.g. a week that
   * closed with the bar that just arrived. */
  async closedSince(after: Candle | undefined, end: string): Promise<Candle[]> {
    const page = await this.api.get<CandlePage>(
      `/prices/${encodeURIComponent(this.symbol)}/ohlc`,
      { timeframe: this.timeframe, limit: 5, end, start: after?.ts_close ?? null },
    );
    return page.items
      .map((candle) => ({ ...candle, ts_open: normaliseTime(candle.ts_open), ts_close: normaliseTime(candle.ts_close) }))
      .filter((candle) => this.closedBy(candle, end))
      .filter((candle) => after === undefined || candleTime(candle.ts_open) > candleTime(after.ts_open));
  }
}

/** The bar a `price_update` message carries, as a candle (null when it is not one). */
export function candleOfPriceUpdate(data: Record<string, unknown>): Candle | null {
  const text = (name: string): string | null => {
    const value = data[name];
    return typeof value === "string" ? value : null;
  };
  const open = text("open");
  const high = text("high");
  const low = text("low");
  const close = text("close");
  const tsOpen = text("bar_open");
  const tsClose = text("bar_close");
  if ([open, high, low, close, tsOpen, tsClose].includes(null)) return null;
  return {
    ts_open: normaliseTime(tsOpen ?? ""),
    ts_close: normaliseTime(tsClose ?? ""),
    open: open ?? "",
    high: high ?? "",
    low: low ?? "",
    close: close ?? "",
    volume: text("volume") ?? "0",
    source: "stream",
    closed: true,
  };
}

/** ISO times compare as text only in one spelling: `2020-01-02T00:00:00Z`. */
export function normaliseTime(isoTime: string): string {
  const parsed = Date.parse(isoTime);
  return Number.isNaN(parsed) ? isoTime : new Date(parsed).toISOString().replace(".000Z", "Z");
}
