// What is drawn over the candles: a marker per signal (an arrow coloured by direction, with the
// strategy, its confidence and the router's decision) and a price line per open position's
// entry and per resting order (stop-loss, take-profit, limit, stop).

import type { Order, PortfolioDetail, Signal } from "../api";
import { subtract } from "../components/decimal";

export interface MarkerSpec {
  id: string;
  time: number;
  position: "aboveBar" | "belowBar" | "inBar";
  shape: "arrowUp" | "arrowDown" | "circle";
  color: string;
  text: string;
}

export interface LineSpec {
  kind: "entry" | "stop" | "target" | "limit";
  price: number;
  /** The price as the API wrote it, for the legend (`1.10250`, not the float's `1.1025`). */
  priceText: string;
  title: string;
  color: string;
  /** What the line stands for, for the legend and tests: an order id or the position. */
  source: string;
}

export interface Palette {
  up: string;
  down: string;
  muted: string;
  accent: string;
  warn: string;
}

export function directionWord(direction: number): string {
  if (direction > 0) return "long";
  if (direction < 0) return "short";
  return "flat";
}

/** A short label of a strategy for the marker: `macd-cross` is `MACD`. */
export function strategyLabel(strategy: string): string {
  return (strategy.split("-")[0] ?? strategy).toUpperCase();
}

/** A signal's marker: up arrow under the bar for long, down arrow over it for short, a circle
 * for flat; a refused signal in the muted colour and crossed out. The text stays short (the
 * strategy's label and the confidence); the tooltip says the rest. */
export function signalMarker(signal: Signal, time: number, palette: Palette): MarkerSpec {
  const refused = signal.decision !== "accepted";
  const base = { id: `signal-${signal.id.toString()}`, time, text: signalText(signal) };
  if (signal.direction > 0) {
    return { ...base, position: "belowBar", shape: "arrowUp", color: refused ? palette.muted : palette.up };
  }
  if (signal.direction < 0) {
    return { ...base, position: "aboveBar", shape: "arrowDown", color: refused ? palette.muted : palette.down };
  }
  return { ...base, position: "inBar", shape: "circle", color: palette.muted };
}

/** A signal marker's text: the strategy's label, the confidence, and a cross when refused
 * (`MACD 18%`, `RSI 20% ✕`). */
export function signalText(signal: Signal): string {
  const confidence =
    signal.confidence === null ? "" : ` ${Math.round(signal.confidence * 100).toString()}%`;
  return `${strategyLabel(signal.strategy)}${confidence}${signal.decision !== "accepted" ? " ✕" : ""}`;
}

/** The lines of `symbol`: each open position's entry, each resting order at its price. */
export function priceLines(detail: PortfolioDetail, symbol: string, palette: Palette): LineSpec[] {
  const lines: LineSpec[] = [];
  for (const position of detail.positions) {
    if (position.symbol !== symbol || Number(position.quantity) === 0) continue;
    lines.push({
      kind: "entry",
      price: Number(position.average_price),
      priceText: position.average_price,
      title: `entry ${position.quantity}`,
      color: palette.accent,
      source: `position ${position.symbol}`,
    });
  }
  for (const order of detail.open_orders) {
    if (order.symbol !== symbol) continue;
    const line = orderLine(order, palette);
    if (line !== null) lines.push(line);
  }
  return lines;
}

function orderLine(order: Order, palette: Palette): LineSpec | null {
  // a limit rests at its limit; a stop (and a stop-limit) waits for its trigger
  const shown = order.type === "limit" ? order.limit_price : (order.stop_price ?? order.limit_price);
  if (shown === null) return null; // a market order waiting for the next bar has no price
  const remaining = subtract(order.quantity, order.filled_quantity); // exact: 0.1 - 0.03 is 0.07
  const size = `${order.side} ${remaining}`;
  const at = { price: Number(shown), priceText: shown, source: order.order_id };
  if (order.role === "stop_loss") {
    return { ...at, kind: "stop", title: `stop ${size}`, color: palette.down };
  }
  if (order.role === "take_profit") {
    return { ...at, kind: "target", title: `target ${size}`, color: palette.up };
  }
  const kind = order.type === "limit" ? "limit" : "stop";
  return { ...at, kind, title: `${order.type.replace("_", "-")} ${size}`, color: palette.warn };
}
