// Indicators drawn under the price, computed in the browser because the API offers none:
// the same definitions as paperdesk.analysis.indicators (TA-Lib conventions): EMAs seeded with
// the SMA of their first inputs (or with the first input, `seed: "first"`), leading gaps
// skipped so EMAs chain, Wilder's RSI, MACD, and the True Strength Index. Floats are fine
// here: these are drawn, never traded on.

export type EmaSeed = "sma" | "first";
/** One value per input row; NaN where the indicator is not defined yet. */
export type Series = number[];

export function ema(values: readonly number[], period: number, seed: EmaSeed = "sma"): Series {
  const result: Series = values.map(() => NaN);
  const start = values.findIndex((value) => !Number.isNaN(value));
  const first = start + period - 1; // the first row the EMA is defined at
  if (start < 0 || first >= values.length) return result;
  const alpha = 2 / (period + 1);
  const at = (index: number): number => values[index] ?? NaN;
  let previous: number;
  if (seed === "sma") {
    let sum = 0;
    for (let index = start; index <= first; index += 1) sum += at(index);
    previous = sum / period;
  } else {
    previous = at(start);
    for (let index = start + 1; index <= first; index += 1) {
      previous = alpha * at(index) + (1 - alpha) * previous;
    }
  }
  result[first] = previous;
  for (let index = first + 1; index < values.length; index += 1) {
    previous = alpha * at(index) + (1 - alpha) * previous;
    result[index] = previous;
  }
  return result;
}

export interface Macd {
  macd: Series;
  signal: Series;
  histogram: Series;
}

export function macd(
  close: readonly number[],
  fast = 12,
  slow = 26,
  signal = 9,
  seed: EmaSeed = "sma",
): Macd {
  const fastLine = ema(close, fast, seed);
  const slowLine = ema(close, slow, seed);
  const line = close.map((_, index) => (fastLine[index] ?? NaN) - (slowLine[index] ?? NaN));
  const signalLine = ema(line, signal, seed);
  return {
    macd: line,
    signal: signalLine,
    histogram: line.map((value, index) => value - (signalLine[index] ?? NaN)),
  };
}

/** Wilder's RSI (TA-Lib): averages seeded with the SMA of the first `period` changes; first
 * value at row `period`. */
export function rsi(close: readonly number[], period = 14): Series {
  const result: Series = close.map(() => NaN);
  if (close.length <= period) return result;
  let gain = 0;
  let loss = 0;
  for (let index = 1; index <= period; index += 1) {
    const change = (close[index] ?? NaN) - (close[index - 1] ?? NaN);
    if (change > 0) gain += change;
    else loss -= change;
  }
  gain /= period;
  loss /= period;
  result[period] = strength(gain, loss);
  for (let index = period + 1; index < close.length; index += 1) {
    const change = (close[index] ?? NaN) - (close[index - 1] ?? NaN);
    gain = (gain * (period - 1) + Math.max(change, 0)) / period;
    loss = (loss * (period - 1) + Math.max(-change, 0)) / period;
    result[index] = strength(gain, loss);
  }
  return result;
}

function strength(gain: number, loss: number): number {
  const total = gain + loss;
  return total === 0 ? 0 : (100 * gain) / total;
}

/** True Strength Index in [-100, 100]: double-smoothed momentum over double-smoothed absolute
 * momentum. */
export function tsi(close: readonly number[], long = 25, short = 13, seed: EmaSeed = "sma"): Series {
  const difference = close.map((value, index) =>
    index === 0 ? NaN : value - (close[index - 1] ?? NaN),
  );
  const numerator = ema(ema(difference, long, seed), short, seed);
  const denominator = ema(
    ema(
      difference.map((value) => Math.abs(value)),
      long,
      seed,
    ),
    short,
    seed,
  );
  return numerator.map((value, index) => {
    const below = denominator[index] ?? NaN;
    return below === 0 ? NaN : (100 * value) / below;
  });
}
