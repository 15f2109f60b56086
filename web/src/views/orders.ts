// The order manager: the portfolio's cash, equity and P&L, open positions with live unrealized
// P&L, a live portfolio's feeds (state, last bar, age), working orders (cancel, modify), closing a position whole or in part, the manual order
// ticket, and the fills, closed trades and audit log a page at a time. Every figure is the
// API's; the trading stream only says when to read them again (each event of this portfolio
// re-reads the portfolio, a moment later, once for a burst). A read-only key gets the same
// tables without a single control that changes state.

import type { Order, PortfolioDetail, Position } from "../api";
import type { AppContext } from "../context";
import { h, keepingFocus, replaceChildren } from "../dom";
import { feedCard } from "../components/feed-card";
import { money, pnl } from "../components/format";
import { history } from "../components/history";
import { KeptControls } from "../components/kept";
import { orderTicket } from "../components/order-ticket";
import { AnswersInOrder } from "../components/in-order";
import { positionsTable } from "../components/positions";
import { restingOrdersTable } from "../components/resting-orders";

const HISTORY_EVENTS = new Set(["trade_execution", "trade_closed", "order_update"]);

export function mount(root: HTMLElement, app: AppContext): () => void {
  const portfolio = app.portfolio;
  root.append(h("h2", {}, "Orders"));
  if (portfolio === null) {
    root.append(h("p", { class: "hint" }, "No portfolio to show."));
    return () => {
      root.replaceChildren();
    };
  }
  const summary = h("div", { id: "order-summary", class: "kpis" });
  const feeds = h("div", { id: "feeds-panel" });
  const positions = h("div", { id: "positions-panel" });
  const orders = h("div", { id: "orders-panel" });
  const ticketHolder = h("div", { id: "ticket-panel" });
  const past = history(app, portfolio.id, portfolio.base_currency);
  root.append(
    summary,
    feeds,
    h("div", { class: "orders-grid" }, h("section", { class: "card" }, h("h3", {}, "Positions"), positions), ticketHolder),
    h("section", { class: "card" }, h("h3", {}, "Working orders"), orders),
    h("section", { class: "card" }, past.element),
  );

  const positionControls = new KeptControls<Position>();
  const orderControls = new KeptControls<Order>();
  let stopped = false;
  let timer: number | null = null;
  let ticketBuilt = false;

  const show = (detail: PortfolioDetail): void => {
    const s = detail.summary;
    const currency = s.base_currency;
    replaceChildren(
      summary,
      kpi("cash", "Cash", money(s.cash, currency), currency),
      kpi("equity", "Equity", money(s.equity, currency), currency),
      kpi("unrealized", "Unrealized P&L", pnl(s.unrealized_pnl, currency), currency),
      kpi("realized", "Realized P&L (gross)", pnl(s.realized_pnl, currency), currency),
      kpi("fees", "Fees", money(s.fees_paid, currency), currency),
      kpi("realized_net", "Realized P&L (net)", pnl(s.realized_pnl_net, currency), currency),
    );
    replaceChildren(feeds, feedCard(detail.feeds));
    keepingFocus(() => {
      replaceChildren(positions, positionsTable(app, portfolio.id, detail.positions, positionControls, reload, detail.summary.base_currency));
      replaceChildren(orders, restingOrdersTable(app, portfolio.id, detail.open_orders, orderControls, reload));
    });
    if (app.canTrade && !ticketBuilt) {
      ticketBuilt = true; // built once: a refresh must not wipe what the user is typing
      const symbols = Array.isArray(detail.settings["symbols"]) ? (detail.settings["symbols"] as string[]) : [];
      replaceChildren(ticketHolder, orderTicket(app, portfolio.id, symbols, reload));
    }
    root.dataset["loaded"] = "true";
  };

  const portfolioId = portfolio.id;
  const reads = new AnswersInOrder(); // a stream-driven read and an action's may cross
  const readPortfolio = (): void => {
    const ticket = reads.ask();
    app.api.portfolio(portfolioId).then(
      (detail) => {
        if (!stopped && reads.take(ticket)) show(detail);
      },
      (error: unknown) => {
        if (reads.take(ticket)) app.reportError(error);
      },
    );
  };
  function reload(): void {
    readPortfolio();
    past.refresh();
  }

  let historyPending = false;
  const soon = (): void => {
    if (timer !== null) return; // one read for a burst of events
    timer = window.setTimeout(() => {
      timer = null;
      if (stopped) return;
      readPortfolio();
      if (historyPending) past.refresh();
      historyPending = false;
    }, 200);
  };
  const unsubscribe = app.trading.on("*", (message) => {
    if (message.portfolio_id !== portfolioId) return;
    if (HISTORY_EVENTS.has(message.type)) historyPending = true;
    soon();
  });
  reload();

  return () => {
    stopped = true;
    if (timer !== null) window.clearTimeout(timer);
    unsubscribe();
    root.replaceChildren();
  };
}

/** A summary card: its label, the amount, and the book's currency beside it (`USD`). */
function kpi(name: string, label: string, value: string | Node, currency: string): HTMLElement {
  return h(
    "div",
    { class: "kpi card", "data-kpi": name },
    h("span", { class: "hint" }, label),
    h("strong", {}, value),
    h("span", { class: "unit" }, currency),
  );
}
