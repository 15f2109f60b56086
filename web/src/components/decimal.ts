// Exact decimal strings on the client: the API sends and takes money, prices and quantities as
// decimal strings, so the dashboard checks and compares them as text scaled to BigInt, never
// through a float (0.1 + 0.2 must not decide whether an order is valid).

import type { Decimal } from "../api";

const AMOUNT = /^\d+(\.\d+)?$/;
const MAX_DECIMALS = 12;
const LIMIT = 10n ** 15n;

/** The problem with `text` as an amount the API takes (`parsing.decimal_value`: a plain
 * decimal, positive, below 1e15, at most 12 decimals), or null when it is one. */
export function amountProblem(text: string): string | null {
  const value = text.trim();
  if (value === "") return "is required";
  if (/^-\d+(\.\d+)?$/.test(value)) return "must be positive"; // a number, on the wrong side of 0
  if (!AMOUNT.test(value)) return `'${value}' is not a decimal number such as 300.5`;
  const decimals = value.split(".")[1]?.length ?? 0;
  if (decimals > MAX_DECIMALS) return `'${value}' has more than ${MAX_DECIMALS} decimals`;
  if (BigInt(value.split(".")[0] ?? "0") >= LIMIT) return `'${value}' is too large`;
  if (compare(value, "0") <= 0) return "must be positive";
  return null;
}

/** Compares two decimal strings exactly: -1, 0 or 1. */
export function compare(left: Decimal, right: Decimal): number {
  const scale = Math.max(decimalsOf(left), decimalsOf(right));
  const a = scaled(left, scale);
  const b = scaled(right, scale);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `left - right` exactly, with the decimals of the more precise of the two ("1.16498" -
 * "1.16512" is "-0.00014", where a float's `toFixed(2)` said "-0.00"; "0.1" - "0.03" is
 * "0.07", not 0.07000000000000001). */
export function subtract(left: Decimal, right: Decimal): Decimal {
  const scale = Math.max(decimalsOf(left), decimalsOf(right));
  const difference = scaled(left, scale) - scaled(right, scale);
  const negative = difference < 0n;
  const digits = (negative ? -difference : difference).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const fraction = scale === 0 ? "" : `.${digits.slice(digits.length - scale)}`;
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

/** The sign of a decimal string (-1, 0, 1), for colouring a P&L. */
export function sign(value: Decimal): number {
  return compare(value, "0");
}

/** A decimal string with thousands separators, its digits untouched (nothing rounded). */
export function formatDecimal(value: Decimal | null | undefined): string {
  if (value === null || value === undefined) return "—";
  const negative = value.startsWith("-");
  const [whole = "0", fraction] = (negative ? value.slice(1) : value).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}${grouped}${fraction === undefined ? "" : `.${fraction}`}`;
}

/** The decimals each currency's amounts are shown with (ISO 4217 minor units): the same table
 * as `paperdesk.domain.currencies.MINOR_UNITS` (a test holds the two equal); 2 if unknown. */
export const MINOR_UNITS: Readonly<Record<string, number>> = {
  BHD: 3, CLP: 0, HUF: 2, IDR: 2, ISK: 0, JOD: 3, JPY: 0, KRW: 0, KWD: 3,
  OMR: 3, TND: 3, TWD: 2, VND: 0, XAG: 2, XAU: 2,
  BTC: 8, ETH: 8, USDT: 2, USDC: 2, BUSD: 2,
};
const DEFAULT_MINOR_UNIT = 2;
/** Decimals past the minor unit shown as they are (`currencies.EXACT_EXTRA_DECIMALS`); an amount
 * with more is rounded half-up to the minor unit. */
const EXACT_EXTRA_DECIMALS = 3;

/** An amount as every surface shows it, the rule of the CLI and the reports
 * (`currencies.money_text`): exact, never rounded, thousands grouped, at least the currency's
 * minor-unit decimals and every further decimal the amount has, trailing zeros beyond the minor
 * unit dropped: "24385.290" USD is "24,385.29", "134.485" is "134.485", "7" is "7.00", "-0.000"
 * is "0.00"; so shown amounts add up exactly. An amount with more than 3 decimals past the minor
 * unit (prices adjusted for splits and dividends) is rounded half-up to the minor unit. */
export function formatMoney(value: Decimal | null | undefined, currency: string | null | undefined): string {
  if (value === null || value === undefined || value.trim() === "") return "—";
  const places = MINOR_UNITS[(currency ?? "").trim().toUpperCase()] ?? DEFAULT_MINOR_UNIT;
  const text = value.trim();
  if (!/^[-+]?\d*(\.\d*)?$/.test(text) || !/\d/.test(text)) return text; // not a plain decimal: as sent
  const negative = text.startsWith("-");
  const [rawWhole = "", rawFraction = ""] = (negative || text.startsWith("+") ? text.slice(1) : text).split(".");
  const whole = rawWhole.replace(/^0+(?=\d)/, "") || "0";
  const kept = rawFraction.replace(/0+$/, "");
  if (kept.length > places + EXACT_EXTRA_DECIMALS) return formatRounded(text, places); // adjusted prices' digits
  const fraction = kept.length >= places ? kept : kept.padEnd(places, "0");
  const zero = /^0*$/.test(whole + kept);
  return `${negative && !zero ? "-" : ""}${formatDecimal(whole)}${fraction === "" ? "" : `.${fraction}`}`;
}

/** A plain decimal text rounded half-up (ties away from zero) to `places` decimals, thousands
 * grouped, never "-0.00": the rule of `money.figure_text` (the CLI's statistics). */
export function formatRounded(value: Decimal, places: number): string {
  const text = value.trim();
  const negative = text.startsWith("-");
  const digits = negative || text.startsWith("+") ? text.slice(1) : text;
  const kept = scaled(digits, places + 1); // one digit more than shown, to round on
  const rounded = (kept + 5n) / 10n; // half-up on the magnitude: ties away from zero
  const whole = (rounded / 10n ** BigInt(places)).toString();
  const fraction = places === 0 ? "" : `.${(rounded % 10n ** BigInt(places)).toString().padStart(places, "0")}`;
  const sign = negative && rounded !== 0n ? "-" : "";
  return `${sign}${formatDecimal(whole)}${fraction}`;
}

function decimalsOf(value: Decimal): number {
  return value.split(".")[1]?.length ?? 0;
}

function scaled(value: Decimal, scale: number): bigint {
  const negative = value.trim().startsWith("-");
  const digits = negative ? value.trim().slice(1) : value.trim();
  const [whole = "0", fraction = ""] = digits.split(".");
  const padded = (fraction + "0".repeat(scale)).slice(0, scale);
  const magnitude = BigInt((whole || "0") + padded);
  return negative ? -magnitude : magnitude;
}
