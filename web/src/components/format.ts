// How the trading views show values: prices and quantities exactly as the API sent them
// (grouped), money by the one money rule (`formatMoney`: exact, grouped, at least the currency's
// decimals), P&L coloured by its sign, times in UTC as the API keeps them.

import type { Decimal } from "../api";
import { h } from "../dom";
import { formatDecimal, formatMoney, sign } from "./decimal";

/** A price or a quantity: every digit the API sent, thousands grouped. */
export function exact(value: Decimal | null | undefined): string {
  return formatDecimal(value);
}

/** An amount of money (cash, equity, a fee, a P&L) by the money rule, in the book's currency
 * (required, so no table forgets it: JPY shows no `.00`); null (a walk-forward, which keeps no
 * currency) shows at least two decimals. */
export function money(value: Decimal | null | undefined, currency: string | null): string {
  return formatMoney(value, currency);
}

/** A P&L cell's content: the money rule's text with a class for its sign (up, down). */
export function pnl(value: Decimal | null | undefined, currency: string | null): HTMLSpanElement {
  const direction = value === null || value === undefined ? 0 : sign(value);
  const cls = direction > 0 ? "pnl up" : direction < 0 ? "pnl down" : "pnl";
  return h("span", { class: cls }, formatMoney(value, currency));
}

/** `2020-01-02T21:00:00Z` as `2020-01-02 21:00` (UTC). */
export function when(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return "—";
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return match === null ? iso : `${match[1] ?? ""} ${match[2] ?? ""}`;
}

export function percent(ratio: number | null | undefined, digits = 0): string {
  if (ratio === null || ratio === undefined) return "—";
  return `${(ratio * 100).toFixed(digits)}%`;
}

export function number(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined) return "—";
  return value.toFixed(digits);
}
