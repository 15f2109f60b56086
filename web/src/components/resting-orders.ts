// Working orders with cancel and modify (quantity, limit price, stop price: what the API lets
// change; time in force cannot). The API's refusal is shown next to the field it is about.

import { cancelOrder, describeError, modifyOrder, type Order, type OrderChange } from "../api";
import type { AppContext } from "../context";
import { dismissOnEscape, h, tradingControl } from "../dom";
import { amountProblem } from "./decimal";
import { FieldErrors } from "./field-errors";
import { exact, when } from "./format";
import { actOnce } from "./intent";
import type { KeptControl, KeptControls } from "./kept";
import { row, table } from "./table";

const COLUMNS = [
  { title: "Order" },
  { title: "Symbol" },
  { title: "Side" },
  { title: "Type" },
  { title: "Quantity", numeric: true },
  { title: "Limit", numeric: true },
  { title: "Stop", numeric: true },
  { title: "TIF" },
  { title: "Role" },
  { title: "Status" },
  { title: "Submitted (UTC)" },
];

export function restingOrdersTable(
  app: AppContext,
  portfolioId: number,
  orders: readonly Order[],
  kept: KeptControls<Order>,
  afterAction: () => void,
): HTMLElement {
  kept.keepOnly(orders.map((order) => order.order_id));
  const columns = app.canTrade ? [...COLUMNS, { title: "" }] : COLUMNS;
  const rows = orders.map((order) => {
    const cells: (string | Node)[] = [
      order.order_id,
      order.symbol,
      order.side,
      order.type.replace("_", "-"),
      exact(order.quantity),
      exact(order.limit_price),
      exact(order.stop_price),
      order.time_in_force,
      order.role,
      order.status,
      when(order.ts_submitted),
    ];
    if (app.canTrade) {
      cells.push(kept.take(order.order_id, order, (first) => orderControls(app, portfolioId, first, afterAction)));
    }
    return row({ "data-order-id": order.order_id }, cells, [4, 5, 6]);
  });
  return table("open-orders", columns, rows, "No working order.");
}

function orderControls(
  app: AppContext,
  portfolioId: number,
  order: Order,
  afterAction: () => void,
): KeptControl<Order> {
  let current = order;
  const problem = h("span", { class: "error", role: "alert" });
  const cancel = h("button", { type: "button", class: "cancel-order" }, "Cancel");
  const modify = h("button", { type: "button", class: "modify-order" }, "Modify");
  const holder = h("div", { class: "order-controls" }, modify, cancel, problem);
  cancel.addEventListener("click", () => {
    problem.textContent = "";
    actOnce(cancel, `cancel:${portfolioId}:${order.order_id}`, (key) =>
      cancelOrder(app.api, portfolioId, order.order_id, key),
    ).then(
      (canceled) => {
        if (canceled !== null) afterAction();
      },
      (error: unknown) => {
        problem.textContent = describeError(error);
      },
    );
  });
  modify.addEventListener("click", () => {
    modify.hidden = true;
    const form = modifyForm(app, portfolioId, current, afterAction, () => {
      modify.hidden = false;
      modify.focus(); // the keyboard goes on from where it opened the form
    });
    holder.append(form);
    form.querySelector("input")?.focus(); // typing goes into the form at once
  });
  return {
    element: tradingControl(holder),
    update: (latest) => {
      current = latest;
    },
  };
}

function modifyForm(
  app: AppContext,
  portfolioId: number,
  order: Order,
  afterAction: () => void,
  onClose: () => void,
): HTMLElement {
  const field = (name: keyof OrderChange, label: string, value: string | null): [HTMLInputElement, HTMLElement, HTMLElement] => {
    const input = h("input", { name, inputmode: "decimal", value: value ?? "", "aria-label": label });
    const error = h("span", { class: "field-error", "data-field": name });
    return [input, error, h("label", {}, label, input, error)];
  };
  const fields: [keyof OrderChange, string, string | null][] = [["quantity", "Quantity", order.quantity]];
  if (order.limit_price !== null) fields.push(["limit_price", "Limit price", order.limit_price]);
  if (order.stop_price !== null) fields.push(["stop_price", "Stop price", order.stop_price]);
  const built = fields.map(([name, label, value]) => ({ name, value, parts: field(name, label, value) }));
  const general = h("p", { class: "error", role: "alert" });
  const errors = new FieldErrors(general, built.map((b) => [b.name, b.parts[1]]));
  const save = h("button", { type: "submit", class: "primary save-order" }, "Save");
  const dismiss = h("button", { type: "button", class: "ghost" }, "Back");
  const form = h("form", { class: "modify-form" }, ...built.map((b) => b.parts[2]), save, dismiss, general);
  const close = (): void => {
    form.remove();
    onClose();
  };
  dismiss.addEventListener("click", close);
  dismissOnEscape(form, close); // Escape closes the form as Back does
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const change: OrderChange = {};
    const problems: Record<string, string> = {};
    for (const b of built) {
      const text = b.parts[0].value.trim();
      if (text === (b.value ?? "")) continue; // unchanged: not sent
      const complaint = amountProblem(text);
      if (complaint !== null) problems[b.name] = `${b.name.replace("_", " ")} ${complaint}`;
      else change[b.name] = text;
    }
    if (Object.keys(problems).length > 0) {
      errors.showProblems(problems);
      return;
    }
    if (Object.keys(change).length === 0) {
      errors.showProblems({ quantity: "change the quantity or a price first" });
      return;
    }
    errors.clear();
    const intent = `modify:${portfolioId}:${order.order_id}:${JSON.stringify(change)}`;
    actOnce(save, intent, (key) => modifyOrder(app.api, portfolioId, order.order_id, change, key)).then(
      (modified) => {
        if (modified === null) return;
        form.remove();
        onClose();
        afterAction();
      },
      (error: unknown) => {
        errors.showError(error);
      },
    );
  });
  return form;
}
