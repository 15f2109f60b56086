// The create form's run settings, by section (source, sizing, risk rules, costs): the
// run-file keys POST /portfolios takes in `settings`, with the bounds the server checks too.
// An empty field is left out, so the server's default applies.

import { h } from "../dom";

export interface SettingField {
  key: string;
  label: string;
  kind: "number" | "integer" | "text" | "select" | "boolean" | "date";
  hint?: string;
  options?: readonly string[];
  initial?: string;
  minimum?: number;
  maximum?: number;
  /** Words accepted besides a number (exposure_cap: none). */
  allow?: readonly string[];
  /** Shown only when another field has one of these values. */
  when?: { key: string; values: readonly string[] };
}

export interface SettingSection {
  title: string;
  fields: readonly SettingField[];
}

const PERCENT_SIZERS = ["", "percent-equity", "target-percent"];

export const SETTING_SECTIONS: readonly SettingSection[] = [
  {
    title: "Source",
    fields: [
      { key: "source", label: "Source", kind: "select", options: ["replay", "bundled", "live"], initial: "replay",
        hint: "replay: the stored bars one at a time; bundled: all at once; live: the providers" },
      { key: "replay_from", label: "Replay from", kind: "date", initial: "2020-01-02", when: { key: "source", values: ["replay"] } },
      { key: "replay_interval", label: "Replay interval", kind: "text", hint: "manual (a bar per tick) or e.g. 1s, 1m",
        when: { key: "source", values: ["replay"] } },
      // options: the API's bar lengths (GET /prices/timeframes), set by the create form
      { key: "timeframe", label: "Bar length", kind: "select", initial: "1d" },
    ],
  },
  {
    title: "Sizing",
    fields: [
      { key: "sizer", label: "Sizer", kind: "select", options: ["", "percent-equity", "fixed", "risk", "lots", "target-percent"],
        hint: "empty: the server's default" },
      { key: "size_pct", label: "Size, % of equity", kind: "number", minimum: 0, maximum: 100, when: { key: "sizer", values: PERCENT_SIZERS } },
      { key: "quantity", label: "Quantity per entry", kind: "number", minimum: 0, when: { key: "sizer", values: ["fixed"] } },
      { key: "risk_pct", label: "Risk, % of equity", kind: "number", minimum: 0, maximum: 100, when: { key: "sizer", values: ["risk"] } },
      { key: "lots", label: "Lots per entry", kind: "number", minimum: 0, when: { key: "sizer", values: ["lots"] } },
    ],
  },
  {
    title: "Risk rules",
    fields: [
      { key: "min_confidence", label: "Minimum confidence", kind: "number", minimum: 0, maximum: 1, hint: "0 to 1" },
      { key: "allow_short", label: "Short entries", kind: "boolean", options: ["", "true", "false"] },
      { key: "max_position_pct", label: "Max position, % of equity", kind: "number", minimum: 0, maximum: 100 },
      { key: "max_open_positions", label: "Max open positions", kind: "integer", minimum: 1 },
      { key: "daily_loss_limit", label: "Daily loss limit, %", kind: "number", minimum: 0, maximum: 100 },
      { key: "exposure_cap", label: "Exposure cap, %", kind: "number", minimum: 0, allow: ["none"], hint: "a percent, or none" },
    ],
  },
  {
    title: "Costs",
    fields: [
      { key: "commission", label: "Commission", kind: "text", hint: "none, percent:P, per-share:R, per-lot:A" },
      { key: "slippage_bps", label: "Slippage, bps", kind: "number", minimum: 0 },
      { key: "spread_pips", label: "Spread, pips (forex)", kind: "number", minimum: 0 },
    ],
  },
];

export function settingField(spec: SettingField): HTMLInputElement | HTMLSelectElement {
  if (spec.kind === "select" || spec.kind === "boolean") {
    const select = h("select", {});
    for (const option of spec.options ?? []) {
      const text = option === "" ? "default" : spec.kind === "boolean" ? (option === "true" ? "allowed" : "not allowed") : option;
      select.append(h("option", { value: option, selected: option === (spec.initial ?? "") }, text));
    }
    return select;
  }
  if (spec.kind === "date") return h("input", { type: "date", value: spec.initial ?? "" });
  return h("input", {
    type: "text",
    value: spec.initial ?? "",
    inputmode: spec.kind === "number" ? "decimal" : spec.kind === "integer" ? "numeric" : null,
  });
}

/** Whether the field applies, given the form's values (e.g. replay_from only for a replay). */
export function settingVisible(spec: SettingField, values: ReadonlyMap<string, string>): boolean {
  if (spec.when === undefined) return true;
  return spec.when.values.includes(values.get(spec.when.key) ?? "");
}
