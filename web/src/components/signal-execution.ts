// The execution box of one signal: the plan the API previews (quantity from the portfolio's
// sizing rules, editable; forex in lots with the stop and target in pips; what risk rules
// trimmed), and one button that executes it through the API with an Idempotency-Key per click
// intent. A refusal by the router, at preview or at execution, is shown with its reason.

import {
  describeError,
  executeSignal,
  previewSignal,
  type ExecutionPlan,
  type Signal,
} from "../api";
import type { AppContext } from "../context";
import { h, replaceChildren, tradingControl } from "../dom";
import { amountProblem } from "./decimal";
import { exact } from "./format";
import { actOnce } from "./intent";

export interface ExecutionBox {
  readonly element: HTMLElement;
  /** Reads the plan again (after a fill or a new price changed what the sizer would say). */
  refresh(): void;
}

export function executionBox(app: AppContext, portfolioId: number, signal: Signal): ExecutionBox {
  const quantity = h("input", {
    class: "quantity",
    name: "quantity",
    inputmode: "decimal",
    autocomplete: "off",
    "aria-label": `Quantity for signal ${signal.id}`,
  });
  const plan = h("div", { class: "plan" }, "reading the plan…");
  const problem = h("p", { class: "error refusal", role: "alert" });
  const outcome = h("p", { class: "outcome", role: "status" });
  const execute = h("button", { type: "button", class: "primary execute" }, "Execute");
  const element = tradingControl(
    h(
      "div",
      { class: "execution", "data-signal-id": signal.id },
      h("label", {}, "Quantity ", quantity),
      execute,
      plan,
      problem,
      outcome,
    ),
  );
  execute.disabled = true; // until the plan is read
  let edited = false;
  // After a success the box shows what was placed; it plans again only when the quantity is
  // edited (a stream event re-reading the plan would show the next click's refusal as if the
  // one just made had failed).
  let settled = false;
  let sizerQuantity: string | null = null;
  let previewTimer: number | null = null;

  const showPlan = (preview: ExecutionPlan): void => {
    sizerQuantity = preview.quantity;
    if (!edited) quantity.value = preview.quantity;
    const parts: (string | HTMLElement)[] = [
      `${preview.direction} ${preview.symbol} at ${exact(preview.price)} (last close); `,
      `sized by ${preview.sized_by === "sizer" ? "the portfolio's rules" : "you"}`,
    ];
    if (preview.lots !== null) parts.push(h("span", { class: "lots" }, ` · ${preview.lots} lots`));
    if (preview.stop_pips !== null) parts.push(` · stop ${preview.stop_pips} pips`);
    if (preview.target_pips !== null) parts.push(` · target ${preview.target_pips} pips`);
    const orders = preview.planned.map((order) =>
      h(
        "li",
        {},
        `${order.side} ${order.quantity} ${order.symbol} ${order.type} (${order.role})`,
        order.stop_loss === null ? "" : ` · stop-loss ${order.stop_loss}`,
        order.take_profit === null ? "" : ` · take-profit ${order.take_profit}`,
      ),
    );
    replaceChildren(
      plan,
      h("span", {}, ...parts),
      h("ul", { class: "planned" }, ...orders),
      ...preview.notes.map((note) => h("p", { class: "hint" }, note)),
    );
    execute.disabled = false;
  };

  const loadPreview = (): void => {
    if (settled) return;
    const text = quantity.value.trim();
    const asked = edited && text !== "" ? text : null;
    if (asked !== null && amountProblem(asked) !== null) return; // shown by the input check
    previewSignal(app.api, portfolioId, signal.id, asked).then(
      (preview) => {
        problem.textContent = "";
        showPlan(preview);
      },
      (error: unknown) => {
        // the router's refusal (or a bad quantity): nothing to execute as it stands
        problem.textContent = describeError(error);
        replaceChildren(plan);
        execute.disabled = true;
      },
    );
  };

  quantity.addEventListener("input", () => {
    settled = false;
    outcome.textContent = "";
    edited = quantity.value.trim() !== sizerQuantity;
    const complaint = amountProblem(quantity.value);
    problem.textContent = complaint === null ? "" : `quantity ${complaint}`;
    execute.disabled = complaint !== null;
    if (previewTimer !== null) window.clearTimeout(previewTimer);
    previewTimer = window.setTimeout(loadPreview, 300);
  });

  execute.addEventListener("click", () => {
    const asked = quantity.value.trim();
    const complaint = amountProblem(asked);
    if (complaint !== null) {
      problem.textContent = `quantity ${complaint}`;
      return;
    }
    outcome.textContent = "";
    problem.textContent = "";
    const intent = `execute:${portfolioId}:${signal.id}:${asked}`;
    actOnce(execute, intent, (key) => executeSignal(app.api, portfolioId, signal.id, asked, key)).then(
      (executed) => {
        if (executed === null) return;
        const placed = executed.orders.map((o) => `${o.order_id} ${o.side} ${o.quantity} ${o.symbol} ${o.type}`);
        outcome.textContent = `placed ${placed.join(", ")}`;
        settled = true;
        replaceChildren(plan);
        element.dataset["executed"] = executed.orders.map((o) => o.order_id).join(",");
      },
      (error: unknown) => {
        problem.textContent = describeError(error);
      },
    );
  });

  loadPreview();
  return { element, refresh: loadPreview };
}
