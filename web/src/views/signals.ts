// The signal panel: the portfolio's recent signals (read from the API on open) and each new one
// as it arrives on /ws/trading, with strategy, direction, confidence, reward-to-risk, entry,
// stop, target and the router's decision with its reason. A trading key can execute a signal:
// the newest one's plan is open at once (one click executes it), any other opens on demand.

import { describeError, listPage, type Signal } from "../api";
import type { AppContext } from "../context";
import { h, replaceChildren, tradingControl } from "../dom";
import { exact, number, percent } from "../components/format";
import { utcTime } from "../components/figures";
import { executionBox, type ExecutionBox } from "../components/signal-execution";

const SHOWN = 100;
const PAGE = 500;
const DIRECTIONS: Record<number, { text: string; cls: string }> = {
  1: { text: "▲ long", cls: "long" },
  [-1]: { text: "▼ short", cls: "short" },
  0: { text: "■ flat", cls: "flat" },
};
// Events after which an open plan may size differently (a fill, a new price, a closed trade,
// an order canceled or placed: a working entry blocks another when pyramiding is off).
const PLAN_EVENTS = ["trade_execution", "position_update", "trade_closed", "price_update", "order_update"];

export function mount(root: HTMLElement, app: AppContext): () => void {
  const portfolio = app.portfolio;
  root.append(h("h2", {}, "Signals"));
  if (portfolio === null) {
    root.append(h("p", { class: "hint" }, "No portfolio to show."));
    return () => {
      root.replaceChildren();
    };
  }
  const decisionFilter = h(
    "select",
    { id: "signal-decision", "aria-label": "Decision" },
    h("option", { value: "" }, "every decision"),
    h("option", { value: "accepted" }, "accepted"),
    h("option", { value: "rejected" }, "rejected"),
  );
  const status = h("span", { id: "signal-status", class: "hint", role: "status" }, "loading…");
  const list = h("div", { id: "signal-list", class: "signal-list" });
  root.append(h("div", { class: "toolbar" }, decisionFilter, status), list);

  const signals = new Map<number, Signal>();
  const boxes = new Map<number, ExecutionBox>();
  let tailCursor: string | null = null; // the cursor of the last page read: the list only grows
  let loading: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let firstRead = true; // what is there on open is not "new"
  let planTimer: number | null = null;

  /** Reads the signals after the ones already read (from the last page's cursor). */
  const readNew = async (): Promise<Signal[]> => {
    const fresh: Signal[] = [];
    let cursor = tailCursor;
    for (;;) {
      const page = await listPage<Signal>(app.api, portfolio.id, "signals", { limit: PAGE, cursor });
      for (const signal of page.items) {
        if (!signals.has(signal.id)) fresh.push(signal);
        signals.set(signal.id, signal);
      }
      if (page.next_cursor === null) break;
      tailCursor = page.next_cursor;
      cursor = page.next_cursor;
    }
    return fresh;
  };

  const render = (fresh: readonly Signal[]): void => {
    const wanted = decisionFilter.value;
    const newest = [...signals.values()]
      .filter((signal) => wanted === "" || signal.decision === wanted)
      .sort((a, b) => b.id - a.id)
      .slice(0, SHOWN);
    const freshIds = new Set(fresh.map((signal) => signal.id));
    const newestId = Math.max(0, ...signals.keys());
    replaceChildren(list, ...newest.map((signal) => card(signal, freshIds.has(signal.id), signal.id === newestId)));
    if (newest.length === 0) list.append(h("p", { class: "hint", id: "no-signals" }, "No signal yet."));
    status.textContent = `${signals.size} signal${signals.size === 1 ? "" : "s"}; newest first`;
  };

  const card = (signal: Signal, fresh: boolean, newest: boolean): HTMLElement => {
    const direction = DIRECTIONS[signal.direction] ?? { text: String(signal.direction), cls: "flat" };
    const element = h(
      "article",
      {
        class: `signal card${fresh ? " new" : ""}`,
        "data-signal-id": signal.id,
        "data-decision": signal.decision,
      },
      h(
        "header",
        {},
        h("strong", { class: "symbol" }, signal.symbol),
        h("span", { class: `direction ${direction.cls}` }, direction.text),
        h("span", { class: "strategy" }, signal.strategy),
        h("time", { datetime: signal.ts }, utcTime(signal.ts)),
      ),
      h(
        "dl",
        { class: "metrics" },
        metric("confidence", percent(signal.confidence)),
        metric("reward:risk", number(signal.reward_to_risk)),
        metric("entry", exact(signal.entry)),
        metric("stop", exact(signal.stop)),
        metric("target", exact(signal.target)),
      ),
      h(
        "p",
        { class: `decision ${signal.decision}` },
        h("strong", {}, signal.decision),
        signal.decision_reason === null ? "" : `: ${signal.decision_reason}`,
      ),
      signal.reason === "" ? null : h("p", { class: "hint reason" }, signal.reason),
    );
    if (app.canTrade) {
      const existing = boxes.get(signal.id);
      if (existing !== undefined) element.append(existing.element);
      else if (newest) element.append(openBox(signal).element);
      else {
        const opener = tradingControl(h("button", { type: "button", class: "open-execution" }, "Execute…"));
        opener.addEventListener("click", () => {
          opener.replaceWith(openBox(signal).element);
        });
        element.append(opener);
      }
    }
    return element;
  };

  const openBox = (signal: Signal): ExecutionBox => {
    const box = executionBox(app, portfolio.id, signal);
    boxes.set(signal.id, box);
    return box;
  };

  const refresh = (): void => {
    if (loading !== null) {
      again = true;
      return;
    }
    loading = readNew().then(
      (fresh) => {
        if (!stopped) render(firstRead ? [] : fresh);
        firstRead = false;
      },
      (error: unknown) => {
        status.textContent = describeError(error);
        app.reportError(error);
      },
    );
    void loading.finally(() => {
      loading = null;
      if (again && !stopped) {
        again = false;
        refresh();
      }
    });
  };

  const refreshPlans = (): void => {
    if (planTimer !== null) window.clearTimeout(planTimer);
    planTimer = window.setTimeout(() => {
      for (const box of boxes.values()) box.refresh();
    }, 300);
  };

  const ours = (handler: () => void) => (message: { portfolio_id: number | null }) => {
    if (message.portfolio_id === portfolio.id) handler();
  };
  const unsubscribers = [
    app.trading.on("signal_alert", ours(refresh)),
    ...PLAN_EVENTS.map((type) => app.trading.on(type, ours(refreshPlans))),
  ];
  decisionFilter.addEventListener("change", () => {
    render([]);
  });
  refresh();

  return () => {
    stopped = true;
    if (planTimer !== null) window.clearTimeout(planTimer);
    for (const unsubscribe of unsubscribers) unsubscribe();
    root.replaceChildren();
  };
}

function metric(name: string, value: string): HTMLElement {
  return h("div", { class: `metric ${name.replace(":", "-")}` }, h("dt", {}, name), h("dd", {}, value));
}
