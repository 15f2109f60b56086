// The trade-plan view (`#/plans`, issue 13 item 8): a plan file uploaded or pasted is filtered
// by a mode under the exposure cap (the audit: every row's score, decision and reason; the
// kept rows), executed into the current portfolio (trade keys only), simulated over real
// candles as a background job (the trades as a table and as markers on a candlestick chart),
// and a walk-forward started as a job whose evidence is shown when it ends (summary cards,
// equity and drawdown, the monthly returns, the outcome counts, the trades). Every figure is
// the API's text; the API does all the work (docs/api-plans.md).

import { ApiError, type Candle, type CandlePage } from "../api";
import { formatMoney } from "../components/decimal";
import { actionKey, shown, utcTime } from "../components/figures";
import { cells, dataTable } from "../components/plan-tables";
import { tradeChart, type TradeChart, type TradeMarker } from "../components/trade-chart";
import { walkForwardEvidence } from "../components/walk-forward-evidence";
import type { AppContext } from "../context";
import { h, listen, replaceChildren, tradingControl } from "../dom";
import {
  executePlan,
  filterPlan,
  readJob,
  readWalkForward,
  startSimulation,
  startWalkForward,
  type DayPlan,
  type Job,
  type Mode,
  type PlanChoice,
  type PlanFiltered,
  type Simulation,
  type SimulatedTrade,
  type WalkForwardStart,
} from "../plan-api";
import "../views.css";
import { chartCredit } from "../components/chart-credit";

const POLL_MS = 400;
const MODES: readonly (Mode | "")[] = ["", "intraday", "fast", "balanced", "conservative"];
const DAY_FILE = /^\d{4}-\d{2}-\d{2}\.(csv|json)$/;
const CANDLE_MARGIN_MS = 2 * 86_400_000;

declare global {
  interface Window {
    /** With ?debug=1 only: what the plan view's charts draw, for the browser tests. */
    paperdeskPlans?: {
      tradeChart(): { candles: number; markers: TradeMarker[] } | null;
      equity(): { equity: { time: number; value: number }[]; drawdown: { time: number; value: number }[] } | null;
    };
  }
}

function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  return h("label", { class: "plan-field" }, h("span", {}, label), control, hint === undefined ? null : h("span", { class: "hint" }, hint));
}

/** A simulation's P&L by the one money rule (a plan has no book currency: the default minor
 * unit, as the walk-forward evidence shows its P&L); a value that is not text as sent. */
function simulatedPnl(value: unknown): string {
  return typeof value === "string" ? formatMoney(value, null) : shown(value);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => window.setTimeout(resolve, ms));
}

export function mount(root: HTMLElement, app: AppContext): () => void {
  let stopped = false;
  const cleanups: (() => void)[] = [];

  // ------------------------------------------------------------------ the plan and its options
  const fileInput = h("input", { type: "file", id: "plan-file", accept: ".csv,.json,text/csv,application/json" });
  const text = h("textarea", {
    id: "plan-text",
    rows: 6,
    spellcheck: "false",
    placeholder: "ticker,side,qty,entry_price,take_profit,stop_loss,strength,etth_days,entry_datetime\nSPY,buy,10,167.32,168.00,166.50,0.8,1,2013-10-10T13:00:00Z",
  });
  const format = h("select", { id: "plan-format" }, h("option", { value: "csv" }, "CSV"), h("option", { value: "json" }, "JSON"));
  const mode = h("select", { id: "plan-mode" }, ...MODES.map((m) => h("option", { value: m }, m === "" ? "none (file order)" : m)));
  const capital = h("input", { id: "plan-capital", inputmode: "decimal", value: "100000" });
  const cap = h("input", { id: "plan-exposure-cap", inputmode: "decimal", value: "0.8" });
  const filterButton = h("button", { type: "submit", id: "plan-filter-button", class: "primary" }, "Filter");
  const planForm = h(
    "form",
    { id: "plan-form", class: "card plan-form" },
    h("div", { class: "plan-fields" }, field("Plan file", fileInput, "CSV or JSON; or paste below"), field("Format", format), field("Mode", mode), field("Capital", capital), field("Exposure cap", cap, "share of capital, 0 to 1")),
    field("Plan", text),
    h("div", { class: "form-actions" }, filterButton),
  );
  let fileName = "pasted";
  cleanups.push(
    listen(fileInput, "change", () => {
      const file = fileInput.files?.[0];
      if (file === undefined) return;
      fileName = file.name;
      format.value = file.name.toLowerCase().endsWith(".json") ? "json" : "csv";
      void file.text().then((content) => {
        text.value = content;
      });
    }),
  );

  const choice = (): PlanChoice => {
    const chosen = mode.value as Mode | "";
    return {
      plan: text.value,
      format: format.value === "json" ? "json" : "csv",
      name: fileName,
      ...(chosen === "" ? {} : { mode: chosen }),
      exposure_cap: cap.value.trim(),
    };
  };

  // ------------------------------------------------------------------------------ the filter
  const filterStatus = h("p", { class: "hint", id: "plan-filter-status" });
  // before the first Filter, each section says what fills it (not an empty heading)
  const audit = h("div", { id: "plan-audit-box" }, h("p", { class: "hint" }, "No plan filtered yet: choose or paste a plan above, then Filter. Each row's score, rank and decision show here."));
  const filtered = h("div", { id: "plan-filtered-box" }, h("p", { class: "hint" }, "The rows the filter keeps show here, in rank order."));
  const executeButton = tradingControl(h("button", { type: "button", id: "plan-execute-button", disabled: true }, app.portfolio === null ? "Execute (no portfolio)" : `Execute into ${app.portfolio.name}`));
  const executed = h("div", { id: "plan-executed-box" });

  const showFilter = (result: PlanFiltered): void => {
    const counts = Object.entries(result.audit.counts).map(([k, v]) => `${k} ${v}`).join(", ");
    filterStatus.textContent = `${result.audit.rows.length} rows read · ${counts} · cap ${result.audit.cap} of ${result.audit.capital}${result.audit.formula === null ? "" : ` · score ${result.audit.formula}`}`;
    replaceChildren(
      audit,
      dataTable(
        "plan-audit",
        ["Row", "Ticker", "Side", "Qty", "Entry", "Score", "Rank", "Decision", "Kept qty", "Reason"],
        result.audit.rows.map((row) =>
          h(
            "tr",
            { "data-row": row.row, "data-decision": row.decision },
            ...cells([row.row, row.ticker, row.side, row.qty, row.entry_price, row.score, row.rank, row.decision, row.kept_qty, row.reason], [0, 3, 4, 5, 6, 8]),
          ),
        ),
        "No row.",
      ),
    );
    replaceChildren(
      filtered,
      dataTable(
        "plan-filtered",
        ["Row", "Ticker", "Side", "Qty", "Entry", "Take profit", "Stop loss", "Entry time"],
        result.rows.map((row) =>
          h("tr", { "data-row": row.row }, ...cells([row.row, row.ticker, row.side, row.qty, row.entry_price, row.take_profit, row.stop_loss, row.entry_datetime], [0, 3, 4, 5, 6])),
        ),
        "No row kept.",
      ),
    );
    executeButton.disabled = app.portfolio === null || result.rows.length === 0;
  };

  cleanups.push(
    listen(planForm, "submit", (event) => {
      event.preventDefault();
      filterStatus.textContent = "filtering…";
      filterPlan(app.api, choice(), capital.value.trim())
        .then((result) => {
          if (!stopped) showFilter(result);
        })
        .catch((error: unknown) => {
          if (stopped) return;
          filterStatus.textContent = error instanceof ApiError ? `${error.message} (${error.code})` : String(error);
          replaceChildren(audit);
          replaceChildren(filtered);
          executeButton.disabled = true;
        });
    }),
  );

  cleanups.push(
    listen(executeButton, "click", () => {
      const portfolio = app.portfolio;
      if (portfolio === null) return;
      executeButton.disabled = true;
      executePlan(app.api, portfolio.id, choice(), actionKey("plan"))
        .then((result) => {
          if (stopped) return;
          replaceChildren(
            executed,
            h("p", { class: "hint", id: "plan-executed-status" }, `${result.placed} placed into ${portfolio.name} (plan date ${result.plan_date})`),
            dataTable(
              "plan-executed",
              ["Row", "Ticker", "Side", "Qty", "Status", "Client order id", "Reason"],
              result.rows.map((row) => h("tr", { "data-row": row.row, "data-status": row.status }, ...cells([row.row, row.ticker, row.side, row.qty, row.status, row.client_order_id, row.reason], [0, 3]))),
              "No row.",
            ),
          );
        })
        .catch((error: unknown) => {
          if (!stopped) app.reportError(error);
        })
        .finally(() => {
          if (!stopped) executeButton.disabled = false;
        });
    }),
  );

  // --------------------------------------------------------------------------- the simulation
  const timeframe = h("input", { id: "sim-timeframe", value: "1h", size: 5 });
  const resolveWith = h("input", { id: "sim-resolve-with", value: "1m", size: 5 });
  const simulateButton = h("button", { type: "submit", id: "sim-button" }, "Simulate");
  const simProgress = h("progress", { id: "sim-progress", max: 1, value: 0, hidden: true });
  const simStatus = h("p", { class: "hint", id: "sim-status" }, "Simulate runs the plan above over the chosen candles: its trades show here and on the chart.");
  const simForm = h(
    "form",
    { id: "sim-form", class: "plan-actions" },
    field("Candles", timeframe),
    field("Finer bars", resolveWith, "empty: none"),
    simulateButton,
    simProgress,
  );
  const symbolChoice = h("select", { id: "sim-symbol" });
  // The symbol choice and the chart (with the attribution the library's licence asks for) are
  // hidden until a simulation has trades to draw: before it, an empty select and a credit under
  // no chart said nothing (h-dash's walk-through).
  const symbolField = h("label", { class: "plan-field inline", id: "sim-symbol-field", hidden: true }, h("span", {}, "Symbol"), symbolChoice);
  const chartBox = h("div", { class: "equity-box", id: "sim-chart", hidden: true });
  const chartArea = h(
    "div",
    { id: "sim-chart-area", hidden: true },
    chartBox,
    chartCredit(),
  );
  const simTrades = h("div", { id: "sim-trades-box" });
  let simulation: Simulation | null = null;
  let trades: TradeChart | null = null;

  const drawSymbol = async (): Promise<void> => {
    if (simulation === null) return;
    const symbol = symbolChoice.value;
    const chosen = simulation.trades.filter((t) => t.ticker === symbol);
    const times = chosen.flatMap((t) => [t.entry_time, t.exit_time]).filter((t): t is string => t !== null).map((t) => Date.parse(t));
    if (times.length === 0) {
      chartArea.hidden = true;
      simStatus.textContent = `${symbol}: no trade entered, nothing to draw`;
      return;
    }
    const start = new Date(Math.min(...times) - CANDLE_MARGIN_MS).toISOString();
    const end = new Date(Math.max(...times) + CANDLE_MARGIN_MS).toISOString();
    const page = await app.api.get<CandlePage>(`/prices/${encodeURIComponent(symbol)}/ohlc`, {
      timeframe: simulation.timeframe,
      start,
      end,
      limit: 2000,
    });
    if (stopped) return;
    chartArea.hidden = false;
    chartBox.hidden = false;
    trades ??= tradeChart(chartBox);
    const candles: Candle[] = page.items;
    trades.show(candles, chosen);
    chartBox.dataset["symbol"] = symbol;
    chartBox.dataset["markers"] = String(trades.drawn().markers.length);
  };

  const showSimulation = (result: Simulation): void => {
    simulation = result;
    const outcomes = result.summary["outcomes"] as Record<string, number> | undefined;
    simStatus.textContent = `${result.trades.length} trades · P&L ${simulatedPnl(result.summary["pnl"])} · ${Object.entries(outcomes ?? {}).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(", ")}`;
    replaceChildren(
      simTrades,
      dataTable(
        "sim-trades",
        ["Row", "Ticker", "Side", "Qty", "Outcome", "Entry", "Entry price", "Exit", "Exit price", "P&L", "Hours"],
        result.trades.map((t: SimulatedTrade) =>
          h(
            "tr",
            { "data-row": t.row, "data-outcome": t.outcome },
            ...cells([t.row, t.ticker, t.side, t.qty, t.outcome, utcTime(t.entry_time), t.entry_price, utcTime(t.exit_time), t.exit_price, formatMoney(t.pnl, null), t.hours_held], [0, 3, 6, 8, 9, 10]),
          ),
        ),
        "No trade.",
      ),
    );
    const symbols = [...new Set(result.trades.map((t) => t.ticker))];
    replaceChildren(symbolChoice, ...symbols.map((s) => h("option", { value: s }, s)));
    symbolField.hidden = symbols.length === 0;
    if (symbols.length === 0) chartArea.hidden = true;
    void drawSymbol().catch((error: unknown) => {
      if (!stopped) app.reportError(error);
    });
  };

  /** Polls a job until it ends, showing its progress; its result, or the error thrown. */
  const follow = async <T>(jobId: string, bar: HTMLProgressElement, status: HTMLElement, unit: string): Promise<T> => {
    for (;;) {
      const job: Job<T> = await readJob<T>(app.api, jobId);
      if (stopped) throw new Error("view closed");
      bar.max = Math.max(job.progress.total, 1);
      bar.value = job.progress.done;
      bar.dataset["done"] = String(job.progress.done);
      bar.dataset["total"] = String(job.progress.total);
      status.textContent = `${job.state}: ${job.progress.done} of ${job.progress.total} ${unit}`;
      if (job.state === "succeeded" && job.result !== null) return job.result;
      if (job.state === "failed") throw new ApiError(422, job.error?.code ?? "failed", job.error?.message ?? "the job failed");
      await sleep(POLL_MS);
    }
  };

  cleanups.push(
    listen(simForm, "submit", (event) => {
      event.preventDefault();
      simulateButton.disabled = true;
      simProgress.hidden = false;
      simStatus.textContent = "starting…";
      const finer = resolveWith.value.trim();
      const { plan, format, name } = choice();
      const chosen = mode.value as Mode | "";
      startSimulation(app.api, { plan, format, name, ...(chosen === "" ? {} : { mode: chosen }) }, timeframe.value.trim(), finer === "" ? null : finer)
        .then((job) => follow<Simulation>(job.job_id, simProgress, simStatus, "steps"))
        .then((result) => {
          if (!stopped) showSimulation(result);
        })
        .catch((error: unknown) => {
          if (!stopped) simStatus.textContent = error instanceof ApiError ? `${error.message} (${error.code})` : String(error);
        })
        .finally(() => {
          if (!stopped) simulateButton.disabled = false;
        });
    }),
  );
  cleanups.push(
    listen(symbolChoice, "change", () => {
      void drawSymbol().catch((error: unknown) => {
        if (!stopped) app.reportError(error);
      });
    }),
  );

  // ------------------------------------------------------------------------- the walk-forward
  const dayFiles = h("input", { type: "file", id: "wf-files", multiple: true, accept: ".csv,.json" });
  const strategy = h("input", { id: "wf-strategy", placeholder: "e.g. sma-cross (instead of files)" });
  const params = h("input", { id: "wf-params", placeholder: "fast=10 slow=30" });
  const symbols = h("input", { id: "wf-symbols", value: "SPY AAPL" });
  const start = h("input", { id: "wf-start", type: "date", value: "2021-03-01" });
  const end = h("input", { id: "wf-end", type: "date", value: "2021-03-05" });
  const wfButton = tradingControl(h("button", { type: "submit", id: "wf-button" }, "Start walk-forward"));
  const wfProgress = h("progress", { id: "wf-progress", max: 1, value: 0, hidden: true });
  const wfStatus = h("p", { class: "hint", id: "wf-status" });
  const wfForm = tradingControl(
    h(
      "form",
      { id: "wf-form", class: "plan-actions" },
      field("Daily plans", dayFiles, "files named YYYY-MM-DD.csv or .json"),
      field("or strategy", strategy),
      field("Parameters", params, "KEY=VALUE, space-separated"),
      field("Symbols", symbols),
      field("From", start),
      field("To", end),
      wfButton,
      wfProgress,
    ),
  );
  const evidence = walkForwardEvidence();

  const dayPlans = async (): Promise<DayPlan[]> => {
    const files = [...(dayFiles.files ?? [])];
    const bad = files.find((file) => !DAY_FILE.test(file.name));
    if (bad !== undefined) throw new ApiError(422, "invalid_plan_name", `${bad.name}: a daily plan is named YYYY-MM-DD.csv or .json`);
    return Promise.all(files.map(async (file) => ({ name: file.name, plan: await file.text() })));
  };

  cleanups.push(
    listen(wfForm, "submit", (event) => {
      event.preventDefault();
      wfButton.disabled = true;
      evidence.element.hidden = true;
      wfProgress.hidden = false;
      wfStatus.textContent = "starting…";
      const chosen = mode.value as Mode | "";
      const run = async (): Promise<void> => {
        const plans = await dayPlans();
        const name = strategy.value.trim();
        const parameters = Object.fromEntries(
          params.value.split(/\s+/).filter((p) => p.includes("=")).map((p) => [p.slice(0, p.indexOf("=")), p.slice(p.indexOf("=") + 1)]),
        );
        const body: WalkForwardStart = {
          ...(name === "" ? { plans } : { strategy: name, params: parameters, symbols: symbols.value.split(/[\s,]+/).filter((s) => s !== "") }),
          start: start.value,
          end: end.value,
          ...(chosen === "" ? {} : { mode: chosen }),
          capital: capital.value.trim(),
          exposure_cap: cap.value.trim(),
          timeframe: timeframe.value.trim(),
        };
        const started = await startWalkForward(app.api, body);
        await follow<unknown>(started.job_id, wfProgress, wfStatus, "days");
        const result = await readWalkForward(app.api, started.run_id);
        if (stopped) return;
        if (result.evidence === null) throw new ApiError(500, result.state, `the run is ${result.state}`);
        wfStatus.textContent = `${result.state}: ${result.progress.done} of ${result.progress.total} days · ${result.evidence.title}`;
        evidence.show(result, result.evidence);
      };
      run()
        .catch((error: unknown) => {
          if (!stopped) wfStatus.textContent = error instanceof ApiError ? `${error.message} (${error.code})` : String(error);
        })
        .finally(() => {
          if (!stopped) wfButton.disabled = false;
        });
    }),
  );

  const themed = app.onThemeChange(() => {
    trades?.applyTheme();
    evidence.applyTheme();
  });

  if (app.debug) {
    window.paperdeskPlans = {
      tradeChart: () => trades?.drawn() ?? null,
      equity: () => evidence.plotted(),
    };
  }

  root.append(
    h("h2", {}, "Trade plans"),
    planForm,
    filterStatus,
    h("h3", {}, "Audit"),
    audit,
    h("h3", {}, "Filtered plan"),
    filtered,
    h("div", { class: "form-actions" }, executeButton),
    executed,
    h("h3", {}, "Simulation"),
    simForm,
    simStatus,
    symbolField,
    chartArea,
    simTrades,
    tradingControl(h("h3", {}, "Walk-forward")),
    wfForm,
    wfStatus,
    evidence.element,
  );

  return () => {
    stopped = true;
    for (const cleanup of cleanups) cleanup();
    themed();
    trades?.destroy();
    evidence.destroy();
    delete window.paperdeskPlans;
    root.replaceChildren();
  };
}
