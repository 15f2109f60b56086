// The portfolios view: every portfolio the key sees (archived ones too) with a switch to it,
// archive / unarchive behind a confirmation, and the create form: strategies with parameter
// forms generated from their JSON Schemas, symbols, source, sizing, risk and costs. The form
// checks what it can before sending; the API's 422 is shown next to the field it names.
// Controls that change state are built only for a key that may use them.

import { ApiError, describeError, type PortfolioSummary } from "../api";
import {
  archivePortfolio,
  createPortfolio,
  getAllPortfolios,
  getStrategies,
  getTimeframes,
  unarchivePortfolio,
  type PortfolioCreateBody,
  type Strategy,
} from "../api-views";
import { formatMoney } from "../components/decimal";
import { actionKey, utcTime } from "../components/figures";
import { alignNumericHeaders } from "../components/numeric-headers";
import { schemaForm, type SchemaForm } from "../components/schema-form";
import {
  SETTING_SECTIONS,
  settingField,
  settingVisible,
  type SettingField,
} from "../components/portfolio-settings";
import type { AppContext } from "../context";
import { dismissOnEscape, h, listen, replaceChildren, tradingControl } from "../dom";
import "../views.css";
import { AnswersInOrder } from "../components/in-order";

const DEFAULT_STRATEGY = "macd-cross";
const SWITCHER_ID = "portfolio-switcher";

export function mount(root: HTMLElement, app: AppContext): () => void {
  const cleanups: (() => void)[] = [];
  let stopped = false;
  const list = h("div", { id: "portfolio-list" }, h("p", { class: "hint" }, "loading…"));
  root.append(h("h2", {}, "Portfolios"), list);

  const canCreate = app.canTrade && app.me.portfolio_ids === null;
  if (app.canTrade && !canCreate) {
    root.append(h("p", { class: "hint" }, "This key is limited to some portfolios: it cannot create one."));
  }

  const listReads = new AnswersInOrder(); // two actions' reads may cross
  const loadList = async (): Promise<void> => {
    const ticket = listReads.ask();
    try {
      const portfolios = await getAllPortfolios(app.api);
      if (!stopped && listReads.take(ticket)) replaceChildren(list, portfolioTable(portfolios));
    } catch (error) {
      if (!stopped && listReads.take(ticket)) app.reportError(error);
    }
  };

  const portfolioTable = (portfolios: PortfolioSummary[]): HTMLElement => {
    if (portfolios.length === 0) return h("p", { class: "hint" }, "No portfolio yet.");
    const current = app.portfolio?.id;
    const rows = portfolios.map((portfolio) => {
      const actions = h("td", { class: "actions" });
      const row = h(
        "tr",
        { "data-portfolio": portfolio.id, "data-status": portfolio.status },
        h("td", {}, String(portfolio.id)),
        h("td", {}, portfolio.name, portfolio.id === current ? h("span", { class: "badge" }, "shown") : null),
        h("td", {}, h("span", { class: `status status-${portfolio.status}` }, portfolio.status)),
        h("td", { class: "number", title: portfolio.equity }, `${formatMoney(portfolio.equity, portfolio.base_currency)} ${portfolio.base_currency}`),
        h("td", { class: "number", title: portfolio.cash }, `${formatMoney(portfolio.cash, portfolio.base_currency)} ${portfolio.base_currency}`),
        h(
          "td",
          { class: "number", title: `gross ${portfolio.realized_pnl}, fees ${portfolio.fees_paid}` },
          `${formatMoney(portfolio.realized_pnl_net, portfolio.base_currency)} ${portfolio.base_currency}`,
        ),
        h("td", {}, utcTime(portfolio.ts_created)),
        actions,
      );
      fillActions(actions, portfolio);
      return row;
    });
    return h(
      "div",
      { class: "table-scroll" },
      alignNumericHeaders(h(
        "table",
        { class: "view-table", id: "portfolios-table" },
        h(
          "thead",
          {},
          h("tr", {}, ...["#", "Name", "Status", "Equity", "Cash", "Realized P&L (net)", "Created", ""].map((t) => h("th", { scope: "col" }, t))),
        ),
        h("tbody", {}, ...rows),
      )),
    );
  };

  const fillActions = (cell: HTMLElement, portfolio: PortfolioSummary): void => {
    const buttons: HTMLElement[] = [];
    if (portfolio.status !== "archived") {
      const show = h("button", { type: "button", class: "ghost", "data-action": "switch" }, "Show");
      show.addEventListener("click", () => {
        switchTo(portfolio.id);
      });
      buttons.push(show);
    }
    if (app.canTrade) {
      const archived = portfolio.status === "archived";
      const action = tradingControl(
        h("button", { type: "button", "data-action": archived ? "unarchive" : "archive" }, archived ? "Unarchive" : "Archive"),
      );
      action.addEventListener("click", () => {
        confirmAction(cell, portfolio, archived);
      });
      buttons.push(action);
    }
    replaceChildren(cell, ...buttons);
  };

  const confirmAction = (cell: HTMLElement, portfolio: PortfolioSummary, archived: boolean): void => {
    const verb = archived ? "Unarchive" : "Archive";
    const yes = tradingControl(h("button", { type: "button", class: "primary", "data-action": "confirm" }, `Yes, ${verb.toLowerCase()}`));
    const no = h("button", { type: "button", class: "ghost", "data-action": "keep" }, "Keep as is");
    replaceChildren(cell, h("span", { class: "confirm-text" }, `${verb} “${portfolio.name}”?`), yes, no);
    const keep = (): void => {
      fillActions(cell, portfolio);
      cell.querySelector<HTMLElement>("[data-action=archive], [data-action=unarchive]")?.focus();
    };
    no.addEventListener("click", keep);
    for (const button of [yes, no]) dismissOnEscape(button, keep); // Escape keeps it as is
    no.focus(); // the safe choice has the focus: Enter does not archive by accident
    yes.addEventListener("click", () => {
      yes.disabled = true;
      no.disabled = true;
      const key = actionKey(verb.toLowerCase());
      const call = archived ? unarchivePortfolio(app.api, portfolio.id, key) : archivePortfolio(app.api, portfolio.id, key);
      call
        .then(async () => {
          await app.refreshPortfolios();
          await loadList();
        })
        .catch((error: unknown) => {
          app.reportError(error);
          if (!stopped) fillActions(cell, portfolio);
        });
    });
  };

  void loadList();
  if (canCreate) {
    const section = tradingControl(h("section", { class: "create-portfolio card", id: "create-portfolio" }));
    root.append(section);
    Promise.all([getStrategies(app.api), getTimeframes(app.api, "1d")])
      .then(([strategies, { bar_lengths }]) => {
        if (stopped) return;
        cleanups.push(
          buildCreateForm(section, strategies, bar_lengths, app, async (created) => {
            await app.refreshPortfolios();
            await loadList();
            return created;
          }),
        );
      })
      .catch((error: unknown) => {
        if (!stopped) app.reportError(error);
      });
  }

  return () => {
    stopped = true;
    for (const cleanup of cleanups) cleanup();
    root.replaceChildren();
  };
}

/** Chooses the portfolio in the shell's switcher, as a person picking it there would. */
function switchTo(id: number): void {
  const switcher = document.getElementById(SWITCHER_ID);
  if (!(switcher instanceof HTMLSelectElement)) return;
  switcher.value = String(id);
  switcher.dispatchEvent(new Event("change"));
}

interface FieldSlot {
  input: HTMLInputElement | HTMLSelectElement;
  error: HTMLElement;
  row: HTMLElement;
}

function buildCreateForm(
  section: HTMLElement,
  strategies: Strategy[],
  barLengths: readonly string[],
  app: AppContext,
  created: (id: number) => Promise<number>,
): () => void {
  const slots = new Map<string, FieldSlot>();
  const formError = h("p", { class: "error", id: "create-error", role: "alert" });
  const formResult = h("p", { class: "hint", id: "create-result", "aria-live": "polite" });
  const field = (key: string, label: string, input: HTMLInputElement | HTMLSelectElement, hint = ""): HTMLElement => {
    input.id = `create-${key}`;
    input.setAttribute("name", key);
    const error = h("span", { class: "field-error", id: `create-${key}-error`, "aria-live": "polite" });
    input.setAttribute("aria-describedby", error.id);
    const row = h("div", { class: "field", "data-field": key }, h("label", { for: input.id }, label), input, hint ? h("span", { class: "hint" }, hint) : null, error);
    slots.set(key, { input, error, row });
    return row;
  };

  const name = h("input", { type: "text", required: true, maxlength: 200, placeholder: "my desk" });
  const cash = h("input", { type: "text", inputmode: "decimal", value: "10000" });
  const currency = h("input", { type: "text", value: "USD", maxlength: 8 });
  const symbols = h("input", { type: "text", value: "SPY", placeholder: "SPY, AAPL" });

  const strategyBoxes = h("div", { class: "strategy-choices", id: "create-strategies" });
  const strategyForms = h("div", { class: "strategy-forms" });
  const forms = new Map<string, SchemaForm>();
  const chosen: string[] = [];
  const strategiesError = h("span", { class: "field-error", id: "create-strategies-error" });
  for (const strategy of strategies) {
    const box = h("input", { type: "checkbox", value: strategy.name, id: `strategy-${strategy.name}`, checked: strategy.name === DEFAULT_STRATEGY });
    box.addEventListener("change", () => {
      toggleStrategy(strategy, box.checked);
    });
    strategyBoxes.append(h("label", { class: "check", title: strategy.description }, box, strategy.name));
  }
  const toggleStrategy = (strategy: Strategy, on: boolean): void => {
    const at = chosen.indexOf(strategy.name);
    if (on && at < 0) {
      const form = schemaForm(strategy);
      forms.set(strategy.name, form);
      chosen.push(strategy.name);
      strategyForms.append(form.element);
    } else if (!on && at >= 0) {
      forms.get(strategy.name)?.element.remove();
      forms.delete(strategy.name);
      chosen.splice(at, 1);
    }
  };
  const initial = strategies.find((s) => s.name === DEFAULT_STRATEGY);
  if (initial !== undefined) toggleStrategy(initial, true);

  const settingInputs = new Map<string, { spec: SettingField; input: HTMLInputElement | HTMLSelectElement }>();
  const sections = SETTING_SECTIONS.map((group) =>
    h(
      "fieldset",
      { class: "settings-group", "data-group": group.title },
      h("legend", {}, group.title),
      ...group.fields.map((spec) => {
        const input = settingField(spec.key === "timeframe" ? { ...spec, options: barLengths } : spec);
        settingInputs.set(spec.key, { spec, input });
        return field(spec.key, spec.label, input, spec.hint);
      }),
    ),
  );
  const refreshVisibility = (): void => {
    const values = new Map([...settingInputs].map(([key, { input }]) => [key, input.value]));
    for (const [key, { spec }] of settingInputs) {
      const slot = slots.get(key);
      if (slot !== undefined) slot.row.hidden = !settingVisible(spec, values);
    }
  };

  const submit = tradingControl(h("button", { type: "submit", class: "primary", id: "create-submit" }, "Create portfolio"));
  const form = h(
    "form",
    { novalidate: true, id: "create-form" },
    h("h3", {}, "Create a portfolio"),
    h(
      "fieldset",
      { class: "settings-group" },
      h("legend", {}, "Portfolio"),
      field("name", "Name", name),
      field("cash", "Starting cash", cash, "a decimal amount, e.g. 10000"),
      field("currency", "Currency", currency),
      field("symbols", "Symbols", symbols, "comma or space separated"),
    ),
    h("fieldset", { class: "settings-group" }, h("legend", {}, "Strategies"), strategyBoxes, strategiesError, strategyForms),
    ...sections,
    formError,
    h("div", { class: "form-actions" }, submit),
    formResult,
  );
  slots.set("strategies", { input: symbols, error: strategiesError, row: strategyBoxes });
  replaceChildren(section, form);
  refreshVisibility();
  const stopChange = listen(form, "change", refreshVisibility);

  const clearErrors = (): void => {
    formError.textContent = "";
    for (const slot of slots.values()) {
      slot.error.textContent = "";
      slot.input.removeAttribute("aria-invalid");
    }
    for (const schema of forms.values()) schema.clearErrors();
  };
  const fieldError = (key: string, message: string): boolean => {
    const slot = slots.get(key);
    if (slot === undefined) return false;
    slot.error.textContent = message;
    if (key !== "strategies") slot.input.setAttribute("aria-invalid", "true");
    return true;
  };

  const symbolList = (): string[] =>
    symbols.value
      .split(/[\s,;]+/)
      .map((s) => s.trim().toUpperCase())
      .filter((s) => s !== "");

  const validate = (): boolean => {
    let valid = true;
    const fail = (key: string, message: string): void => {
      fieldError(key, message);
      valid = false;
    };
    if (name.value.trim() === "") fail("name", "name: a name is required");
    if (!/^\d+(\.\d+)?$/.test(cash.value.trim()) || Number(cash.value) <= 0) {
      fail("cash", `cash: expected a positive decimal amount, got '${cash.value.trim()}'`);
    }
    if (currency.value.trim() === "") fail("currency", "currency: required");
    if (symbolList().length === 0) fail("symbols", "symbols: at least one symbol");
    if (chosen.length === 0) fail("strategies", "strategies: choose at least one");
    for (const schema of forms.values()) if (!schema.validate()) valid = false;
    for (const [key, { spec, input }] of settingInputs) {
      const row = slots.get(key)?.row;
      if (row?.hidden === true) continue;
      const problem = checkSetting(spec, input.value.trim());
      if (problem !== null) fail(key, problem);
    }
    return valid;
  };

  const body = (): PortfolioCreateBody => {
    const many = chosen.length > 1;
    const params = chosen.flatMap((strategy) =>
      (forms.get(strategy)?.values() ?? []).map((text) => (many ? `${strategy}.${text}` : text)),
    );
    const settings: Record<string, string | boolean> = {};
    for (const [key, { spec, input }] of settingInputs) {
      if (slots.get(key)?.row.hidden === true) continue;
      const value = input.value.trim();
      if (value === "") continue;
      settings[key] = spec.kind === "boolean" ? value === "true" : value;
    }
    return {
      name: name.value.trim(),
      cash: cash.value.trim(),
      currency: currency.value.trim(),
      strategies: [...chosen],
      params,
      symbols: symbolList(),
      settings,
    };
  };

  const showApiError = (error: unknown): void => {
    formError.textContent = describeError(error);
    if (!(error instanceof ApiError)) return;
    const target = errorTarget(error.message);
    if (target === null) return;
    if (target.kind === "parameter") {
      let shownAt = false;
      for (const schema of forms.values()) shownAt = schema.showError(target.name, error.message) || shownAt;
      if (!shownAt) fieldError("strategies", error.message);
    } else {
      fieldError(target.name, error.message);
    }
  };

  const stopSubmit = listen(form, "submit", (event) => {
    event.preventDefault();
    clearErrors();
    formResult.textContent = "";
    if (!validate()) {
      formError.textContent = "Check the fields marked above.";
      return;
    }
    submit.disabled = true;
    createPortfolio(app.api, body(), actionKey("create"))
      .then(async (detail) => {
        await created(detail.summary.id);
        formResult.textContent = `Created “${detail.summary.name}” (#${detail.summary.id}); pick it in the switcher or with Show.`;
        formResult.dataset["created"] = String(detail.summary.id);
      })
      .catch(showApiError)
      .finally(() => {
        submit.disabled = false;
      });
  });
  return () => {
    stopChange();
    stopSubmit();
  };
}

/** Which field a refusal names: `body.cash`, `settings.size_pct`, `parameter 'fast'`,
 * `strategies[0]`, an unknown symbol. */
export function errorTarget(message: string): { kind: "field" | "parameter"; name: string } | null {
  const parameter = /parameter '([A-Za-z_][\w]*)'/.exec(message);
  if (parameter?.[1] !== undefined) return { kind: "parameter", name: parameter[1] };
  const setting = /settings\.([A-Za-z_]\w*)/.exec(message);
  if (setting?.[1] !== undefined) return { kind: "field", name: setting[1] };
  const bodyField = /body\.([A-Za-z_]\w*)/.exec(message);
  if (bodyField?.[1] !== undefined) {
    const key = bodyField[1] === "params" ? "strategies" : bodyField[1];
    return { kind: "field", name: key };
  }
  if (/strategies\[\d+\]|unknown strateg/i.test(message)) return { kind: "field", name: "strategies" };
  if (/symbol/i.test(message)) return { kind: "field", name: "symbols" };
  return null;
}

function checkSetting(spec: SettingField, value: string): string | null {
  if (value === "") return null;
  if (spec.kind === "number" || spec.kind === "integer") {
    if (spec.allow?.includes(value) === true) return null;
    const pattern = spec.kind === "integer" ? /^\d+$/ : /^[+-]?\d+(\.\d+)?$/;
    if (!pattern.test(value)) return `${spec.key}: expected ${spec.kind === "integer" ? "a whole number" : "a number"}, got '${value}'`;
    const number = Number(value);
    if (spec.minimum !== undefined && number < spec.minimum) return `${spec.key}: must be at least ${spec.minimum}`;
    if (spec.maximum !== undefined && number > spec.maximum) return `${spec.key}: must be at most ${spec.maximum}`;
  }
  if (spec.kind === "date" && !/^\d{4}-\d{2}-\d{2}$/.test(value)) return `${spec.key}: expected a date YYYY-MM-DD`;
  return null;
}

