// The credit under a Lightweight Charts chart: the library's own logo is drawn with an inline
// style the page's Content-Security-Policy refuses, so the views link TradingView in text (the
// attribution the library's licence asks for).

import { h } from "../dom";

/** `Charting by TradingView Lightweight Charts™`, TradingView linked, in a new tab. */
export function chartCredit(): HTMLElement {
  return h(
    "p",
    { class: "hint attribution" },
    "Charting by ",
    h("a", { href: "https://www.tradingview.com/", target: "_blank", rel: "noopener noreferrer" }, "TradingView"),
    " Lightweight Charts™",
  );
}
