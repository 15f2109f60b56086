// How the performance, portfolios and health views show figures: money exactly as the API's
// decimal text; a statistic (a JSON number: a ratio or a percentage, float analytics) to two
// decimals as a trader reads it (whole numbers as they are; the full value in the tooltip);
// "—" for an undefined one, never a made-up 0. The performance view's statistics cards print
// as the CLI does (`ratioText`).

import { formatRounded } from "./decimal";

export const UNDEFINED_TEXT = "—";

/** The API's value as text: null or undefined is "—". */
export function shown(value: unknown, suffix = ""): string {
  if (value === null || value === undefined || value === "") return UNDEFINED_TEXT;
  if (typeof value === "number") return Number.isFinite(value) ? `${statistic(value)}${suffix}` : UNDEFINED_TEXT;
  if (typeof value === "string") return `${value}${suffix}`;
  if (typeof value === "boolean") return value ? "yes" : "no";
  return JSON.stringify(value);
}

/** A float statistic to two decimals (half away from zero, on the double's exact value); a
 * whole number as it is. */
export function statistic(value: number): string {
  if (Number.isInteger(value)) return String(value);
  const text = value.toFixed(2);
  return text === "-0.00" ? "0.00" : text;
}

/** "up", "down" or "" for a signed value (a decimal string or a number), for colouring. */
export function direction(value: unknown): "up" | "down" | "" {
  if (typeof value === "number") return value > 0 ? "up" : value < 0 ? "down" : "";
  if (typeof value === "string" && value !== "") {
    if (value.startsWith("-")) return "down";
    return /[1-9]/.test(value) ? "up" : "";
  }
  return "";
}

/** An ISO-8601 time as "2020-01-02 21:00 UTC" (the API's times are UTC). */
export function utcTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return UNDEFINED_TEXT;
  const moment = new Date(iso);
  if (Number.isNaN(moment.getTime())) return iso;
  return `${moment.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** A duration in seconds as "3 d 4 h", "5 min", "12 s". */
export function duration(seconds: number | null): string {
  if (seconds === null) return UNDEFINED_TEXT;
  const whole = Math.max(0, Math.round(seconds));
  const days = Math.floor(whole / 86400);
  const hours = Math.floor((whole % 86400) / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${minutes} min`;
  if (minutes > 0) return `${minutes} min`;
  return `${whole} s`;
}

/** A random key for Idempotency-Key headers (one per user action). */
export function actionKey(prefix: string): string {
  const random = crypto.getRandomValues(new Uint32Array(2));
  return `${prefix}-${Date.now().toString(36)}-${Array.from(random, (n) => n.toString(36)).join("")}`;
}

/** A statistic as the CLI prints it (`cli.money.percent` and `ratio`): rounded half-up on its
 * shortest decimal text (JavaScript's `String` and Python's `repr` agree on it) to `digits`
 * decimals, always that many, thousands grouped; "—" when undefined. */
export function ratioText(value: unknown, suffix = "", digits = 2): string {
  if (typeof value !== "number" || !Number.isFinite(value)) return UNDEFINED_TEXT;
  const text = String(value);
  const plain = /e/i.test(text) ? value.toFixed(20) : text; // 1e-7: no exponent to round on
  return `${formatRounded(plain, digits)}${suffix}`;
}
