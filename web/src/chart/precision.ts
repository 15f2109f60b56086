// The decimals the chart prints prices with: those of the candles themselves, so EURUSD's
// 1.205775 is not shown as 1.21 (the library's default is two decimals). A price with more
// digits than nearly all others (an adjusted high of 396.7499 among SPY's cents) does not
// widen the scale: the decimals are those of 95 % of the prices.

import type { Candle } from "../api";

const SHARE = 0.95;
const FEWEST = 2;
const MOST = 8;

function decimalsOf(price: string): number {
  return price.trim().split(".")[1]?.length ?? 0;
}

/** The decimals of the candles' prices (2 to 8; 2 with no candle). */
export function pricePrecision(candles: readonly Candle[]): number {
  const counts = new Array<number>(MOST + 1).fill(0);
  let total = 0;
  for (const candle of candles) {
    for (const price of [candle.open, candle.high, candle.low, candle.close]) {
      const decimals = Math.min(decimalsOf(price), MOST);
      counts[decimals] = (counts[decimals] ?? 0) + 1;
      total += 1;
    }
  }
  let covered = 0;
  for (let decimals = 0; decimals <= MOST; decimals += 1) {
    covered += counts[decimals] ?? 0;
    if (total > 0 && covered >= SHARE * total) return Math.max(decimals, FEWEST);
  }
  return FEWEST;
}

/** The library's price format for that many decimals. */
export function priceFormat(precision: number): { type: "price"; precision: number; minMove: number } {
  return { type: "price", precision, minMove: 10 ** -precision };
}
