// The manual order ticket: market, limit, stop, stop-limit, an optional bracket (stop-loss and
// take-profit) and the time in force. The client checks mirror the API's (ticket-checks.ts);
// the API's 422/409 message is shown next to the field it names. One Idempotency-Key per
// ticket as filled in: a double click or a retry never places two orders.

import { placeOrder, type OrderType, type Side, type TimeInForce } from "../api";
import type { AppContext } from "../context";
import { h, tradingControl } from "../dom";
import { FieldErrors } from "./field-errors";
import { actOnce } from "./intent";
import { checkTicket } from "./ticket-checks";

const TYPES: [OrderType, string][] = [
  ["market", "market"],
  ["limit", "limit"],
  ["stop", "stop"],
  ["stop_limit", "stop-limit"],
];
const TIME_IN_FORCE: [TimeInForce, string][] = [
  ["gtc", "good till canceled"],
  ["day", "day"],
  ["ioc", "immediate or cancel"],
  ["fok", "fill or kill"],
];

export function orderTicket(
  app: AppContext,
  portfolioId: number,
  symbols: readonly string[],
  afterPlaced: () => void,
): HTMLElement {
  const slots = new Map<string, HTMLElement>();
  const slot = (name: string): HTMLElement => {
    const element = h("span", { class: "field-error", "data-field": name, role: "alert" });
    slots.set(name, element);
    return element;
  };
  const labelled = (name: string, text: string, control: HTMLElement, hidden = false): HTMLElement =>
    h("label", { class: `field field-${name}`, hidden }, h("span", {}, text), control, slot(name));
  const select = (name: string, options: [string, string][]): HTMLSelectElement =>
    h("select", { name, id: `ticket-${name}` }, ...options.map(([value, text]) => h("option", { value }, text)));
  const decimal = (name: string): HTMLInputElement =>
    h("input", { name, id: `ticket-${name}`, inputmode: "decimal", autocomplete: "off" });

  const symbol = select("symbol", symbols.map((s) => [s, s]));
  const side = select("side", [
    ["buy", "buy"],
    ["sell", "sell"],
  ]);
  const type = select("type", TYPES);
  const quantity = decimal("quantity");
  const limitPrice = decimal("limit_price");
  const stopPrice = decimal("stop_price");
  const timeInForce = select("time_in_force", TIME_IN_FORCE);
  const bracket = h("input", { type: "checkbox", name: "bracket", id: "ticket-bracket" });
  const stopLoss = decimal("stop_loss");
  const takeProfit = decimal("take_profit");

  const limitField = labelled("limit_price", "Limit price", limitPrice, true);
  const stopField = labelled("stop_price", "Stop price", stopPrice, true);
  const stopLossField = labelled("stop_loss", "Stop-loss", stopLoss, true);
  const takeProfitField = labelled("take_profit", "Take-profit", takeProfit, true);
  const general = h("p", { class: "error", id: "ticket-error", role: "alert" });
  const outcome = h("p", { class: "outcome", id: "ticket-outcome", role: "status" });
  const submit = h("button", { type: "submit", class: "primary", id: "ticket-submit" }, "Place order");

  const form = h(
    "form",
    { id: "order-ticket", class: "ticket card", novalidate: true },
    h("h3", {}, "Order ticket"),
    h(
      "div",
      { class: "ticket-grid" },
      labelled("symbol", "Symbol", symbol),
      labelled("side", "Side", side),
      labelled("type", "Type", type),
      labelled("quantity", "Quantity", quantity),
      limitField,
      stopField,
      labelled("time_in_force", "Time in force", timeInForce),
      h("label", { class: "field check" }, bracket, h("span", {}, "Bracket (stop-loss and take-profit)")),
      stopLossField,
      takeProfitField,
    ),
    submit,
    general,
    outcome,
  );
  const errors = new FieldErrors(general, slots.entries());

  const showFields = (): void => {
    const kind = type.value as OrderType;
    limitField.hidden = kind !== "limit" && kind !== "stop_limit";
    stopField.hidden = kind !== "stop" && kind !== "stop_limit";
    stopLossField.hidden = !bracket.checked;
    takeProfitField.hidden = !bracket.checked;
  };
  type.addEventListener("change", showFields);
  bracket.addEventListener("change", showFields);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    outcome.textContent = "";
    const checked = checkTicket({
      symbol: symbol.value,
      side: side.value as Side,
      type: type.value as OrderType,
      quantity: quantity.value,
      limitPrice: limitPrice.value,
      stopPrice: stopPrice.value,
      timeInForce: timeInForce.value as TimeInForce,
      bracket: bracket.checked,
      stopLoss: stopLoss.value,
      takeProfit: takeProfit.value,
    });
    if (!checked.ok) {
      errors.showProblems(checked.problems);
      return;
    }
    errors.clear();
    const ticket = checked.ticket;
    const intent = `order:${portfolioId}:${JSON.stringify(ticket)}`;
    actOnce(submit, intent, (key) => placeOrder(app.api, portfolioId, ticket, key)).then(
      (placed) => {
        if (placed === null) return;
        const ids = placed.orders.map((o) => `${o.order_id} (${o.role}, ${o.status})`);
        outcome.textContent = `placed ${ids.join(", ")}`;
        afterPlaced();
      },
      (error: unknown) => {
        errors.showError(error);
      },
    );
  });
  showFields();
  return tradingControl(form);
}
