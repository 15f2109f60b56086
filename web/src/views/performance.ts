// The performance view: KPI cards (equity, cash, P&L), the statistics, the equity curve over
// its drawdown, and the returns by month. Every figure is the API's own (money by the one money
// rule the CLI and the report print it with: exact, grouped, at least the currency's decimals,
// the API's text in the tooltip; realized P&L net of fees, its gross and fees under it; undefined figures "—"); the view re-reads the API when an equity event of the
// portfolio arrives on /ws/trading, so the cards never drift from what the API says.

import type { PortfolioSummary } from "../api";
import { getAllTrades, getPerformance, type ClosedTrade, type Performance } from "../api-views";
import { equityChart, type EquityChart, type PlottedPoint } from "../components/equity-chart";
import { formatMoney } from "../components/decimal";
import { direction, ratioText, shown, UNDEFINED_TEXT, utcTime } from "../components/figures";
import { alignNumericHeaders } from "../components/numeric-headers";
import type { AppContext } from "../context";
import { h, replaceChildren } from "../dom";
import "../views.css";
import { chartCredit } from "../components/chart-credit";

interface Card {
  key: string;
  label: string;
  value: unknown;
  suffix?: string;
  note?: string;
  signed?: boolean;
  exact?: string | null; // a money card's exact decimal text (the tooltip)
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const RELOAD_DELAY_MS = 250;

declare global {
  interface Window {
    /** With ?debug=1 only: what the equity chart plots, for the browser tests. */
    paperdeskPerformance?: {
      plotted(): { equity: PlottedPoint[]; drawdown: PlottedPoint[] };
      scaleLabel(value: number): string;
      loads: number;
    };
  }
}

export function mount(root: HTMLElement, app: AppContext): () => void {
  const portfolio = app.portfolio;
  if (portfolio === null) {
    root.append(h("h2", {}, "Performance"), h("p", { class: "hint" }, "No portfolio to show: create one under Portfolios."));
    return () => {
      root.replaceChildren();
    };
  }
  const kpis = h("div", { class: "figure-grid", id: "kpi-cards" });
  const statistics = h("div", { class: "figure-grid", id: "statistics-cards" });
  const chartBox = h("div", { class: "equity-box", id: "equity-chart" });
  const months = h("div", { class: "months", id: "monthly-returns" });
  const extremes = h("div", { id: "best-worst-trades" });
  const status = h("p", { class: "hint", id: "performance-status" }, "loading…");
  root.append(
    h("h2", {}, `Performance · ${portfolio.name}`),
    kpis,
    statistics,
    h("h3", {}, "Equity and drawdown"),
    chartBox,
    chartCredit(),
    h("h3", {}, "Returns by month"),
    months,
    h("h3", {}, "Best and worst round trips"),
    extremes,
    status,
  );
  const chart: EquityChart = equityChart(chartBox);
  let stopped = false;
  let loading = false;
  let again = false;
  let timer: number | null = null;
  const hook = { plotted: () => chart.plotted(), scaleLabel: (value: number) => chart.scaleLabel(value), loads: 0 };
  if (app.debug) window.paperdeskPerformance = hook;

  const load = async (): Promise<void> => {
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    try {
      const [detail, performance, trades] = await Promise.all([
        app.api.portfolio(portfolio.id),
        getPerformance(app.api, portfolio.id),
        getAllTrades(app.api, portfolio.id),
      ]);
      if (stopped) return;
      render(detail.summary, performance);
      replaceChildren(extremes, tradeTable(trades, detail.summary.base_currency));
      hook.loads += 1;
      root.dataset["loads"] = String(hook.loads);
    } catch (error) {
      if (!stopped) app.reportError(error);
    } finally {
      loading = false;
      if (again && !stopped) {
        again = false;
        void load();
      }
    }
  };

  const render = (summary: PortfolioSummary, performance: Performance): void => {
    const stats = performance.statistics ?? {};
    const { day, total, total_pips: pips } = performance.breakdown;
    const currency = summary.base_currency;
    const money = (value: string): string => formatMoney(value, currency);
    // the statistics as the CLI prints them (two decimals, half-up, grouped), the API's value
    // in the tooltip; money statistics (decimal strings at the cent) as the money cards
    const ratioCard = (key: string, label: string, suffix = ""): Card => ({
      key,
      label,
      value: ratioText(stats[key], suffix),
      exact: typeof stats[key] === "number" ? String(stats[key]) : null,
    });
    const moneyCard = (key: string, label: string): Card => {
      const value = stats[key];
      return typeof value === "string"
        ? { key, label, value: money(value), exact: value }
        : { key, label, value: null };
    };
    replaceChildren(
      kpis,
      ...[
        { key: "equity", label: "Equity", value: money(summary.equity), exact: summary.equity, note: currency },
        { key: "cash", label: "Cash", value: money(summary.cash), exact: summary.cash, note: currency },
        { key: "unrealized_pnl", label: "Unrealized P&L", value: money(summary.unrealized_pnl), exact: summary.unrealized_pnl, signed: true, note: currency },
        {
          key: "realized_pnl_net",
          label: "Realized P&L (net)",
          value: money(summary.realized_pnl_net),
          exact: summary.realized_pnl_net,
          signed: true,
          note: `gross ${money(summary.realized_pnl)} − fees ${money(summary.fees_paid)}`,
        },
        {
          key: "day_pnl",
          label: "Today's P&L",
          value: day === null ? null : money(day.pnl),
          exact: day === null ? null : day.pnl,
          signed: true,
          note: day === null ? "no snapshot yet" : `${day.period} (UTC day of the last snapshot)`,
        },
        {
          key: "total_pnl",
          label: "Total P&L",
          value: money(total.pnl),
          exact: total.pnl,
          signed: true,
          note: `${shown(total.return_pct, "%")} of ${money(total.start_equity)}`,
        },
        ...(pips === null ? [] : [{ key: "total_pips", label: "Total pips", value: pips, signed: true }]),
      ].map(card),
    );
    replaceChildren(
      statistics,
      ...[
        ratioCard("win_rate_pct", "Win rate", "%"),
        ratioCard("profit_factor", "Profit factor"),
        { ...ratioCard("max_drawdown_pct", "Max drawdown", "%"), signed: true },
        ratioCard("sharpe", "Sharpe"),
        { key: "trades", label: "Trades", value: stats["trades"] },
        { ...moneyCard("best_trade", "Best trade (net)"), signed: true },
        { ...moneyCard("worst_trade", "Worst trade (net)"), signed: true },
      ].map(card),
    );
    chart.show(performance.equity_curve);
    replaceChildren(months, monthTable(performance));
    const last = performance.equity_curve.at(-1);
    status.textContent =
      last === undefined
        ? "No equity snapshot yet: the figures appear after the portfolio's first tick."
        : `Last snapshot ${utcTime(last.ts)} · ${performance.equity_curve.length} snapshots · updated on each equity event`;
  };

  const schedule = (): void => {
    if (timer !== null) return;
    timer = window.setTimeout(() => {
      timer = null;
      void load();
    }, RELOAD_DELAY_MS);
  };
  const stopEquity = app.trading.on("equity_update", (message) => {
    if (message.portfolio_id === portfolio.id) schedule();
  });
  const stopTheme = app.onThemeChange(() => {
    chart.applyTheme();
  });
  void load();

  return () => {
    stopped = true;
    if (timer !== null) window.clearTimeout(timer);
    stopEquity();
    stopTheme();
    chart.destroy();
    if (window.paperdeskPerformance === hook) delete window.paperdeskPerformance;
    root.replaceChildren();
    delete root.dataset["loads"];
  };
}

function card(spec: Card): HTMLElement {
  const text = shown(spec.value, spec.suffix ?? "");
  const tone = spec.signed === true && text !== UNDEFINED_TEXT ? direction(spec.value) : "";
  return h(
    "div",
    {
      class: "figure-card card",
      "data-kpi": spec.key,
      ...(typeof spec.exact === "string"
        ? { title: spec.exact }
        : typeof spec.value === "number"
          ? { title: String(spec.value) }
          : {}),
    },
    h("span", { class: "figure-label" }, spec.label),
    h("span", { class: `figure-value ${tone}`.trim() }, text),
    spec.note === undefined ? null : h("span", { class: "figure-note" }, spec.note),
  );
}

/** Years down, months across; each cell the month's return (its P&L in the tooltip), shaded
 * by size. */
function monthTable(performance: Performance): HTMLElement {
  const months = performance.breakdown.months;
  if (months.length === 0) return h("p", { class: "hint" }, "No month yet.");
  const years = [...new Set(months.map((m) => m.period.slice(0, 4)))];
  const byPeriod = new Map(months.map((m) => [m.period, m]));
  const head = h("tr", {}, h("th", { scope: "col" }, "Year"), ...MONTHS.map((m) => h("th", { scope: "col" }, m)));
  const rows = years.map((year) =>
    h(
      "tr",
      {},
      h("th", { scope: "row" }, year),
      ...MONTHS.map((_, index) => {
        const period = `${year}-${String(index + 1).padStart(2, "0")}`;
        const month = byPeriod.get(period);
        if (month === undefined) return h("td", { class: "empty" }, "");
        const percent = month.return_pct;
        return h(
          "td",
          {
            class: `heat ${direction(percent)} ${heat(percent)}`.trim(),
            "data-month": period,
            title: `${period}: P&L ${month.pnl} (${month.start_equity} → ${month.end_equity})`,
          },
          ratioText(percent, "%"),
        );
      }),
    ),
  );
  return h("div", { class: "table-scroll" }, h("table", { class: "month-table" }, h("thead", {}, head), h("tbody", {}, ...rows)));
}

const EXTREMES = 3;

/** The best and the worst round trips by net P&L (each trip once), with the API's exact text. */
function tradeTable(trades: readonly ClosedTrade[], currency: string): HTMLElement {
  if (trades.length === 0) return h("p", { class: "hint" }, "No closed round trip yet.");
  const ordered = [...trades].sort((a, b) => Number(b.pnl) - Number(a.pnl));
  const best = ordered.slice(0, Math.min(EXTREMES, Math.ceil(ordered.length / 2)));
  const worst = ordered.slice(best.length).reverse().slice(0, EXTREMES);
  const row = (trade: ClosedTrade, rank: string): HTMLElement =>
    h(
      "tr",
      { "data-rank": rank },
      h("td", {}, rank.startsWith("best") ? "best" : "worst"),
      h("td", {}, `${trade.symbol} ${trade.side} ${trade.quantity}`),
      h("td", {}, `${utcTime(trade.ts_entry)} → ${utcTime(trade.ts_exit)}`),
      h("td", { class: "number" }, `${trade.entry_price} → ${trade.exit_price}`),
      h("td", { class: `number ${direction(trade.pnl)}`.trim(), "data-cell": "pnl", title: trade.pnl }, formatMoney(trade.pnl, currency)),
      h("td", {}, trade.exit_reason || UNDEFINED_TEXT),
    );
  return h(
    "div",
    { class: "table-scroll" },
    alignNumericHeaders(h(
      "table",
      { class: "view-table", id: "trade-extremes" },
      h("thead", {}, h("tr", {}, ...["", "Round trip", "Held", "Prices", "Net P&L", "Exit"].map((t) => h("th", { scope: "col" }, t)))),
      h(
        "tbody",
        {},
        ...best.map((trade, index) => row(trade, `best-${index + 1}`)),
        ...worst.map((trade, index) => row(trade, `worst-${index + 1}`)),
      ),
    )),
  );
}

function heat(percent: number | null): string {
  if (percent === null) return "";
  const size = Math.abs(percent);
  if (size >= 6) return "heat-4";
  if (size >= 3) return "heat-3";
  if (size >= 1) return "heat-2";
  return "heat-1";
}
