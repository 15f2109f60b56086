// The data and health view: the stream connection, the worker's last round and tick per
// portfolio (GET /worker), the price providers with their quotas and circuits, and the quality
// report of a symbol. It re-reads the worker table when a tick of a shown portfolio arrives
// on /ws/trading, and every 15 s.

import { getProviders, getQuality, getTimeframes, getWorkerStatus, type Provider, type Quality, type WorkerStatus } from "../api-views";
import { duration, shown, utcTime } from "../components/figures";
import { alignNumericHeaders } from "../components/numeric-headers";
import type { AppContext } from "../context";
import { h, listen, replaceChildren } from "../dom";
import "../views.css";
import type { ConnectionState } from "../stream";
import { AnswersInOrder } from "../components/in-order";

const REFRESH_MS = 15_000;
const STATE_TEXT: Record<ConnectionState, string> = {
  connecting: "connecting…",
  open: "live",
  reconnecting: "reconnecting…",
  refused: "refused",
  closed: "closed",
};

export function mount(root: HTMLElement, app: AppContext): () => void {
  let stopped = false;
  const cleanups: (() => void)[] = [];
  const connection = h("div", { id: "health-connection", class: "card" });
  const readiness = h("div", { id: "readiness" });
  const worker = h("div", { id: "worker-status" }, h("p", { class: "hint" }, "loading…"));
  const providers = h("div", { id: "providers" }, h("p", { class: "hint" }, "loading…"));
  const quality = h("div", { id: "quality-report" });
  const symbol = h("input", { id: "quality-symbol", type: "text", value: "", "aria-label": "Symbol", placeholder: "SPY" });
  const timeframe = h("select", { id: "quality-timeframe", "aria-label": "Bar length" }, h("option", { value: "1d" }, "1d"));
  const check = h("button", { type: "submit", id: "quality-check" }, "Check");
  const qualityForm = h("form", { class: "quality-form", id: "quality-form" }, symbol, timeframe, check);
  root.append(
    h("h2", {}, "Data and health"),
    h("h3", {}, "Connection"),
    connection,
    readiness,
    h("h3", {}, "Worker"),
    worker,
    h("h3", {}, "Price providers"),
    providers,
    h("h3", {}, "Data quality"),
    qualityForm,
    quality,
  );

  const showConnection = (): void => {
    const stream = app.trading;
    replaceChildren(
      connection,
      h("span", { class: "connection", "data-state": stream.state, id: "health-stream-state" }, `/ws/trading ${STATE_TEXT[stream.state]}`),
      h("span", { class: "hint" }, ` last event #${shown(stream.lastSequence)}${stream.detail ? ` · ${stream.detail}` : ""}`),
    );
  };
  cleanups.push(app.trading.onState(showConnection));
  showConnection();

  const workerReads = new AnswersInOrder(); // the timer's read and a tick's may cross
  const loadWorker = async (): Promise<void> => {
    const ticket = workerReads.ask();
    try {
      const status = await getWorkerStatus(app.api);
      if (!stopped && workerReads.take(ticket)) replaceChildren(worker, workerTable(status));
    } catch (error) {
      if (!stopped && workerReads.take(ticket)) app.reportError(error);
    }
  };
  const loadReadiness = async (): Promise<void> => {
    try {
      const checks = await readinessChecks();
      if (!stopped) replaceChildren(readiness, readinessList(checks));
    } catch (error) {
      if (!stopped) app.reportError(error);
    }
  };
  const loadProviders = async (): Promise<void> => {
    try {
      const list = await getProviders(app.api);
      if (!stopped) replaceChildren(providers, providerTable(list));
    } catch (error) {
      if (!stopped) app.reportError(error);
    }
  };
  const loadQuality = async (): Promise<void> => {
    const wanted = symbol.value.trim().toUpperCase();
    if (wanted === "") return;
    check.disabled = true;
    try {
      // the shown portfolio's series as it sees it: a replay's says where the replay stands
      const report = await getQuality(app.api, wanted, timeframe.value, app.portfolio?.id ?? null);
      if (!stopped) replaceChildren(quality, qualityCard(report));
    } catch (error) {
      if (!stopped) app.reportError(error);
    } finally {
      check.disabled = false;
    }
  };
  cleanups.push(
    listen(qualityForm, "submit", (event) => {
      event.preventDefault();
      void loadQuality();
    }),
  );

  let pending: number | null = null;
  cleanups.push(
    app.trading.on("price_update", () => {
      if (pending !== null) return;
      pending = window.setTimeout(() => {
        pending = null;
        void loadWorker();
      }, 500);
    }),
  );
  const timer = window.setInterval(() => {
    void loadWorker();
    void loadProviders();
    void loadReadiness();
  }, REFRESH_MS);

  void loadWorker();
  void loadProviders();
  void loadReadiness();
  /** The bar lengths the API stores series in, the portfolio's own first (chosen). */
  const offerBarLengths = async (bars: string): Promise<void> => {
    const { base, bar_lengths } = await getTimeframes(app.api, bars);
    if (stopped) return;
    const lengths = [base, ...bar_lengths.filter((length) => length !== base)];
    replaceChildren(timeframe, ...lengths.map((length) => h("option", { value: length, selected: length === base }, length)));
  };
  if (app.portfolio !== null) {
    const portfolioId = app.portfolio.id;
    app.api
      .portfolio(portfolioId)
      .then(async (detail) => {
        const symbols = detail.settings["symbols"];
        const first = Array.isArray(symbols) && typeof symbols[0] === "string" ? symbols[0] : "";
        const bars = detail.settings["timeframe"];
        await offerBarLengths(typeof bars === "string" ? bars : "1d");
        if (stopped || first === "") return;
        symbol.value = first;
        void loadQuality();
      })
      .catch((error: unknown) => {
        if (!stopped) app.reportError(error);
      });
  } else {
    offerBarLengths("1d").catch((error: unknown) => {
      if (!stopped) app.reportError(error);
    });
  }

  return () => {
    stopped = true;
    window.clearInterval(timer);
    if (pending !== null) window.clearTimeout(pending);
    for (const cleanup of cleanups) cleanup();
    root.replaceChildren();
  };
}

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** The server's readiness (/readyz, no key: the database and, when configured, Redis); a 503
 * answers the same body naming what is down. */
async function readinessChecks(): Promise<Check[]> {
  const response = await fetch("/readyz", { headers: { Accept: "application/json" } });
  const body = (await response.json()) as { checks?: Check[] };
  return body.checks ?? [];
}

function readinessList(checks: Check[]): HTMLElement {
  return h(
    "ul",
    { class: "checks" },
    ...checks.map((check) =>
      h(
        "li",
        { "data-check": check.name, "data-ok": String(check.ok) },
        h("span", { class: `connection`, "data-state": check.ok ? "open" : "refused" }, check.name),
        ` ${check.ok ? "ready" : check.detail}`,
      ),
    ),
  );
}

function table(id: string, headers: string[], rows: HTMLElement[]): HTMLElement {
  return h(
    "div",
    { class: "table-scroll" },
    alignNumericHeaders(
      h(
        "table",
        { class: "view-table", id },
        h("thead", {}, h("tr", {}, ...headers.map((text) => h("th", { scope: "col" }, text)))),
        h("tbody", {}, ...rows),
      ),
    ),
  );
}

function workerTable(status: WorkerStatus): HTMLElement {
  if (status.portfolios.length === 0) return h("p", { class: "hint" }, "No active portfolio.");
  const rows = status.portfolios.map((work) => {
    const tick = work.last_tick;
    const state = work.held ? `working (${work.holder ?? ""})` : work.next_due_at === null ? "not seen by a worker" : "idle";
    return h(
      "tr",
      { "data-portfolio": work.portfolio_id },
      h("td", {}, `${work.name} (#${work.portfolio_id})`),
      h("td", { "data-cell": "state" }, state),
      h("td", { "data-cell": "last-round" }, utcTime(work.last_round_at)),
      h("td", { "data-cell": "next-due" }, utcTime(work.next_due_at)),
      h("td", { "data-cell": "last-tick" }, tick === null ? "—" : `${tick.symbol} bar ${utcTime(tick.ts_bar)} · ${tick.outcome}`),
      h("td", { "data-cell": "tick-recorded" }, utcTime(tick?.ts_recorded)),
      h("td", { "data-cell": "ticks", class: "number" }, String(work.ticks)),
    );
  });
  return h(
    "div",
    {},
    table("worker-table", ["Portfolio", "Worker", "Last round", "Next due", "Last tick", "Tick ran at", "Ticks"], rows),
    h("p", { class: "hint" }, `as of ${utcTime(status.as_of)}`),
  );
}

function providerTable(providers: Provider[]): HTMLElement {
  if (providers.length === 0) return h("p", { class: "hint" }, "No price provider configured.");
  const rows = providers.map((provider) => {
    const state = !provider.enabled
      ? (provider.skipped_reason ?? "disabled")
      : (provider.blocked_reason ?? "enabled");
    const quota = [
      provider.per_day === null ? null : `${shown(provider.used_today)} / ${provider.per_day} today (${shown(provider.left_today)} left)`,
      provider.per_minute === null ? null : `${shown(provider.used_this_minute)} / ${provider.per_minute} this minute`,
    ].filter((text) => text !== null);
    return h(
      "tr",
      { "data-provider": provider.name },
      h("td", {}, provider.name),
      h("td", { "data-cell": "state", class: provider.enabled ? "" : "muted" }, state),
      h("td", { "data-cell": "quota" }, quota.length === 0 ? "no quota" : quota.join(" · ")),
      h(
        "td",
        { "data-cell": "circuit" },
        h("span", { class: `circuit circuit-${provider.circuit ?? "none"}` }, shown(provider.circuit)),
        provider.open_until === null ? null : ` until ${utcTime(provider.open_until)}`,
      ),
      h("td", { "data-cell": "last-error" }, shown(provider.last_error)),
    );
  });
  return table("providers-table", ["Provider", "State", "Quota", "Circuit", "Last error"], rows);
}

function qualityCard(report: Quality): HTMLElement {
  const items: [string, string][] = [
    ["Series", `${report.symbol} ${report.timeframe} · ${report.calendar}`],
    ["Bars", `${report.bars} (${utcTime(report.first)} → ${utcTime(report.last)})`],
    ["Missing bars", `${report.missing_bars} in ${report.gaps.length} gap(s)`],
    ["Duplicates", String(report.duplicates)],
    ["Outside the session", String(report.off_session)],
    ["Outliers", String(report.outliers)],
    ["Zero-volume runs", String(report.zero_volume_runs)],
    ["Stale runs", String(report.stale_runs)],
    ["Last close", `${utcTime(report.last_close)} (${duration(report.last_bar_age_seconds)} ago)`],
    report.replay !== null ? ["Replay", report.replay.text] : ["Feed", report.feed_stale ? "stale" : "fresh"],
  ];
  return h(
    "div",
    { class: "card quality", "data-symbol": report.symbol },
    h("dl", { class: "facts" }, ...items.flatMap(([term, value]) => [h("dt", {}, term), h("dd", { "data-fact": term }, value)])),
    report.warnings.length === 0
      ? h("p", { class: "hint" }, "No warning.")
      : h("ul", { class: "warnings" }, ...report.warnings.map((warning) => h("li", {}, warning))),
  );
}
