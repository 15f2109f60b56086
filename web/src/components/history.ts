// Fills, closed trades and the audit log, a page at a time (the API's cursor paging, oldest
// first) with the filters the API takes: symbol and strategy for trades, kind (exact, or a
// prefix ending in a dot) for the audit log. "Previous" goes back through the cursors seen.

import { describeError, listPage, type AuditEntry, type Fill, type Trade } from "../api";
import type { AppContext } from "../context";
import { h, replaceChildren } from "../dom";
import { exact, money, pnl, when } from "./format";
import { AnswersInOrder } from "./in-order";
import { inCurrency, row, table, type Column } from "./table";

type Resource = "fills" | "trades" | "audit";

interface Kind<T> {
  readonly title: string;
  readonly columns: readonly Column[];
  readonly numeric: readonly number[];
  readonly filters: readonly { name: string; label: string }[];
  /** The row's cells; money in the book's `currency`. */
  cells(item: T, currency: string): (string | Node)[];
}

const KINDS: { [R in Resource]: Kind<R extends "fills" ? Fill : R extends "trades" ? Trade : AuditEntry> } = {
  fills: {
    title: "Fills",
    columns: [
      { title: "Time (UTC)" },
      { title: "Order" },
      { title: "Symbol" },
      { title: "Side" },
      { title: "Quantity", numeric: true },
      { title: "Price", numeric: true },
      { title: "Fee", numeric: true, money: true },
      { title: "Slippage (price per unit)", numeric: true },
    ],
    numeric: [4, 5, 6, 7],
    filters: [],
    cells: (f, currency) => [when(f.ts), f.order_id, f.symbol, f.side, exact(f.quantity), exact(f.price), money(f.fee, currency), exact(f.slippage)],
  },
  trades: {
    title: "Closed trades",
    columns: [
      { title: "Closed (UTC)" },
      { title: "Symbol" },
      { title: "Side" },
      { title: "Quantity", numeric: true },
      { title: "Entry", numeric: true },
      { title: "Exit", numeric: true },
      { title: "P&L", numeric: true, money: true },
      { title: "Fees", numeric: true, money: true },
      { title: "Strategy" },
      { title: "Exit reason" },
    ],
    numeric: [3, 4, 5, 6, 7],
    filters: [
      { name: "symbol", label: "Symbol" },
      { name: "strategy", label: "Strategy" },
    ],
    cells: (t, currency) => [
      when(t.ts_exit),
      t.symbol,
      t.side,
      exact(t.quantity),
      exact(t.entry_price),
      exact(t.exit_price),
      pnl(t.pnl, currency),
      money(t.fees, currency),
      t.strategy,
      t.exit_reason,
    ],
  },
  audit: {
    title: "Audit log",
    columns: [{ title: "#", numeric: true }, { title: "Event time (UTC)" }, { title: "Kind" }, { title: "What" }],
    numeric: [0],
    filters: [{ name: "kind", label: "Kind (order.filled, or order.)" }],
    cells: (a) => [String(a.id), when(a.ts_event), a.kind, a.message],
  },
};

const PAGE_SIZE = 25;

export interface History {
  readonly element: HTMLElement;
  /** Reads the current page again (after a fill or a closed trade). */
  refresh(): void;
}

export function history(app: AppContext, portfolioId: number, currency: string): History {
  let resource: Resource = "fills";
  let cursors: (string | null)[] = [null]; // the cursor of each page seen; the last is shown
  let next: string | null = null;
  const pages = new AnswersInOrder(); // a page asked later is never covered by an earlier one
  const filterValues: Record<string, string> = {};

  const tabs = h("div", { class: "history-tabs", role: "tablist" });
  const filters = h("form", { class: "history-filters" });
  const body = h("div", { class: "history-body" });
  const previous = h("button", { type: "button", class: "ghost page-previous" }, "‹ Previous");
  const following = h("button", { type: "button", class: "ghost page-next" }, "Next ›");
  const position = h("span", { class: "hint page-number" });
  const element = h(
    "section",
    { id: "history", class: "history" },
    tabs,
    filters,
    body,
    h("div", { class: "pager" }, previous, position, following),
  );

  const load = (): void => {
    const cursor = cursors[cursors.length - 1] ?? null;
    const query: Record<string, string | number | null> = { limit: PAGE_SIZE, cursor };
    for (const { name } of KINDS[resource].filters) query[name] = filterValues[name] || null;
    const shown = resource;
    const ticket = pages.ask();
    listPage<never>(app.api, portfolioId, shown, query).then(
      (page) => {
        if (!pages.take(ticket) || shown !== resource) return;
        const kind = KINDS[shown] as Kind<unknown>;
        const rows = (page.items as unknown[]).map((item) => row({}, kind.cells(item, currency), kind.numeric));
        replaceChildren(body, table(`history-${shown}`, inCurrency(kind.columns, currency), rows, `No ${kind.title.toLowerCase()} yet.`));
        next = page.next_cursor;
        previous.disabled = cursors.length <= 1;
        following.disabled = next === null;
        position.textContent = `page ${cursors.length}`;
      },
      (error: unknown) => {
        if (!pages.take(ticket)) return;
        replaceChildren(body, h("p", { class: "error" }, describeError(error)));
      },
    );
  };

  const show = (chosen: Resource): void => {
    resource = chosen;
    cursors = [null];
    for (const tab of tabs.querySelectorAll("button")) {
      tab.setAttribute("aria-selected", String(tab.dataset["resource"] === chosen));
    }
    const inputs = KINDS[chosen].filters.map(({ name, label }) =>
      h("input", { name, placeholder: label, "aria-label": label, value: filterValues[name] ?? "" }),
    );
    replaceChildren(filters, ...inputs, inputs.length > 0 ? h("button", { type: "submit" }, "Filter") : null);
    load();
  };

  for (const name of Object.keys(KINDS) as Resource[]) {
    const tab = h("button", { type: "button", role: "tab", "data-resource": name, class: "ghost" }, KINDS[name].title);
    tab.addEventListener("click", () => {
      show(name);
    });
    tabs.append(tab);
  }
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    for (const input of filters.querySelectorAll("input")) filterValues[input.name] = input.value.trim();
    cursors = [null];
    load();
  });
  previous.addEventListener("click", () => {
    if (cursors.length > 1) cursors.pop();
    load();
  });
  following.addEventListener("click", () => {
    if (next === null) return;
    cursors.push(next);
    load();
  });
  show("fills");
  return { element, refresh: load };
}
