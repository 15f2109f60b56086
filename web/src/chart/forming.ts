// The forming candle of a coarser timeframe than the portfolio trades (a week of daily bars):
// the API serves only closed candles, so the candle still forming is built here from the
// portfolio's closed bars since the last closed candle, and dropped once the API has that
// candle closed.

import type { Candle } from "../api";
import { candleTime } from "./history";

/** One candle of `bars` (oldest first): the first open, the highest high, the lowest low, the
 * last close, the volumes added. */
export function mergeBars(bars: readonly Candle[]): Candle | null {
  const first = bars[0];
  const last = bars[bars.length - 1];
  if (first === undefined || last === undefined) return null;
  let high = first.high;
  let low = first.low;
  let volume = 0;
  for (const bar of bars) {
    if (Number(bar.high) > Number(high)) high = bar.high;
    if (Number(bar.low) < Number(low)) low = bar.low;
    volume += Number(bar.volume);
  }
  return {
    ts_open: first.ts_open,
    ts_close: last.ts_close,
    open: first.open,
    high,
    low,
    close: last.close,
    volume: volume.toString(),
    source: "forming",
    closed: false,
  };
}

export class FormingCandle {
  private bars: Candle[] = [];

  constructor(private after: Candle | undefined) {}

  /** The base bars that belong to the forming candle: those opening at or after the close of
   * the last closed candle. */
  belongs(bar: Candle): boolean {
    return this.after === undefined || candleTime(bar.ts_open) >= candleTime(this.after.ts_close);
  }

  add(bar: Candle): void {
    if (!this.belongs(bar)) return;
    const time = candleTime(bar.ts_open);
    this.bars = [...this.bars.filter((b) => candleTime(b.ts_open) !== time), bar].sort(
      (a, b) => candleTime(a.ts_open) - candleTime(b.ts_open),
    );
  }

  /** A candle closed: the bars it covers leave the forming candle. */
  closedAt(candle: Candle): void {
    this.after = candle;
    this.bars = this.bars.filter((bar) => this.belongs(bar));
  }

  get candle(): Candle | null {
    return mergeBars(this.bars);
  }
}
