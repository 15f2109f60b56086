// A walk-forward's evidence as the plans view shows it (GET /walkforwards/{run_id}): summary
// cards, the equity curve over its drawdown (the performance view's chart), the monthly
// returns, the outcome counts and a page of the trades; every figure the API's text, money by
// the one money rule (a walk-forward keeps no currency: at least two decimals, as its report).

import { equityChart, type EquityChart, type PlottedPoint } from "./equity-chart";
import { formatMoney } from "./decimal";
import { direction, shown, utcTime } from "./figures";
import { cells, dataTable } from "./plan-tables";
import { h, replaceChildren } from "../dom";
import type { Evidence, EvidenceTrade, WalkForwardRun } from "../plan-api";

export interface WalkForwardEvidence {
  /** The section (hidden until a run's evidence is shown). */
  readonly element: HTMLElement;
  show(run: WalkForwardRun, evidence: Evidence): void;
  plotted(): { equity: PlottedPoint[]; drawdown: PlottedPoint[] } | null;
  applyTheme(): void;
  destroy(): void;
}

export function walkForwardEvidence(): WalkForwardEvidence {
  const cards = h("div", { class: "figure-grid", id: "wf-summary" });
  const chartBox = h("div", { class: "equity-box", id: "wf-equity-chart" });
  const months = h("div", { id: "wf-months-box" });
  const outcomes = h("div", { id: "wf-outcomes-box" });
  const trades = h("div", { id: "wf-trades-box" });
  const element = h(
    "div",
    { id: "wf-evidence", hidden: true },
    cards,
    h("h3", {}, "Equity and drawdown"),
    chartBox,
    h("h3", {}, "Monthly returns"),
    months,
    h("h3", {}, "Outcomes"),
    outcomes,
    h("h3", {}, "Trades"),
    trades,
  );
  let equity: EquityChart | null = null;

  const show = (run: WalkForwardRun, evidence: Evidence): void => {
    const summary = evidence.summary;
    const card = (key: string, label: string, suffix = "", signed = false, money = false): HTMLElement => {
      const value = summary[key];
      const tone = signed ? direction(value) : "";
      const text = money && typeof value === "string" ? formatMoney(value, null) : shown(value, suffix);
      return h("div", { class: "figure-card card", "data-kpi": key }, h("span", { class: "figure-label" }, label), h("span", { class: `figure-value ${tone}`.trim() }, text));
    };
    replaceChildren(
      cards,
      card("trades", "Trades"),
      card("pnl", "P&L", "", true, true),
      card("final_equity", "Final equity", "", false, true),
      card("win_rate_pct", "Win rate", "%"),
      card("max_drawdown_pct", "Max drawdown", "%", true),
      card("cagr_pct", "CAGR", "%", true),
      card("sharpe", "Sharpe"),
      card("profit_factor", "Profit factor"),
    );
    element.hidden = false;
    equity ??= equityChart(chartBox);
    equity.show(evidence.equity.map((p) => ({ ts: p.time, equity: p.equity, drawdown_pct: Number(p.drawdown) })));
    replaceChildren(
      months,
      dataTable(
        "wf-months",
        ["Month", "Return", "P&L"],
        evidence.monthly_returns.map((m) =>
          h("tr", { "data-month": m.month }, h("td", {}, m.month), h("td", { class: `number ${direction(m.return)}`.trim() }, shown(m.return, "%")), h("td", { class: `number ${direction(m.pnl)}`.trim() }, formatMoney(m.pnl, null))),
        ),
        "No month.",
      ),
    );
    replaceChildren(
      outcomes,
      dataTable(
        "wf-outcomes",
        ["Outcome", "Count"],
        Object.entries(evidence.outcomes).map(([outcome, count]) => h("tr", { "data-outcome": outcome }, h("td", {}, outcome), h("td", { class: "number" }, String(count)))),
        "No outcome.",
      ),
    );
    const page = run.trades;
    replaceChildren(
      trades,
      page !== null && page.total > page.items.length ? h("p", { class: "hint" }, `the first ${page.items.length} of ${page.total} trades`) : null,
      dataTable(
        "wf-trades",
        ["Symbol", "Side", "Qty", "Outcome", "Entry", "Entry price", "Exit", "Exit price", "P&L"],
        (page?.items ?? []).map((t: EvidenceTrade) =>
          h("tr", { "data-outcome": t.outcome }, ...cells([t.symbol, t.side, t.quantity, t.outcome, utcTime(t.entry_time), t.entry_price, utcTime(t.exit_time), t.exit_price, formatMoney(t.pnl, null)], [2, 5, 7, 8])),
        ),
        "No trade.",
      ),
    );
    element.hidden = false;
    element.dataset["runId"] = run.run_id;
  };

  return {
    element,
    show,
    plotted: () => equity?.plotted() ?? null,
    applyTheme: () => equity?.applyTheme(),
    destroy: () => equity?.destroy(),
  };
}
