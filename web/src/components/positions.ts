// Open positions with their unrealized P&L (the API's exact figures, re-read whenever the
// trading stream says a price, fill or position changed), and closing one whole or in part.

import { closePosition, describeError, type Position } from "../api";
import type { AppContext } from "../context";
import { h, tradingControl } from "../dom";
import { amountProblem, compare } from "./decimal";
import { exact, money, pnl, when } from "./format";
import { actOnce } from "./intent";
import type { KeptControl, KeptControls } from "./kept";
import { inCurrency, row, table } from "./table";

const COLUMNS = [
  { title: "Symbol" },
  { title: "Quantity", numeric: true },
  { title: "Average", numeric: true },
  { title: "Last", numeric: true },
  { title: "Value", numeric: true, money: true },
  { title: "Unrealized P&L", numeric: true, money: true },
  { title: "Opened (UTC)" },
];

export function positionsTable(
  app: AppContext,
  portfolioId: number,
  positions: readonly Position[],
  kept: KeptControls<Position>,
  afterAction: () => void,
  currency: string,
): HTMLElement {
  kept.keepOnly(positions.map((position) => position.symbol));
  const columns = inCurrency(app.canTrade ? [...COLUMNS, { title: "" }] : COLUMNS, currency);
  const rows = positions.map((position) => {
    const cells: (string | Node)[] = [
      position.symbol,
      exact(position.quantity),
      exact(position.average_price),
      exact(position.last_price),
      money(position.market_value, currency),
      pnl(position.unrealized_pnl, currency),
      when(position.ts_opened),
    ];
    if (app.canTrade) {
      cells.push(kept.take(position.symbol, position, (first) => closeControl(app, portfolioId, first, afterAction)));
    }
    return row({ "data-symbol": position.symbol }, cells, [1, 2, 3, 4, 5]);
  });
  return table("positions", columns, rows, "No open position.");
}

function closeControl(
  app: AppContext,
  portfolioId: number,
  position: Position,
  afterAction: () => void,
): KeptControl<Position> {
  let held = position.quantity.replace(/^-/, "");
  const quantity = h("input", {
    class: "close-quantity",
    inputmode: "decimal",
    placeholder: `all ${held}`,
    "aria-label": `Quantity of ${position.symbol} to close (empty: all)`,
  });
  const button = h("button", { type: "button", class: "close-position" }, "Close");
  const problem = h("span", { class: "error", role: "alert" });
  button.addEventListener("click", () => {
    const text = quantity.value.trim();
    if (text !== "") {
      const complaint = amountProblem(text);
      if (complaint !== null) {
        problem.textContent = `quantity ${complaint}`;
        return;
      }
      if (compare(text, held) > 0) {
        problem.textContent = `quantity ${text} is more than the position (${held})`;
        return;
      }
    }
    problem.textContent = "";
    const asked = text === "" ? null : text;
    const intent = `close:${portfolioId}:${position.symbol}:${asked ?? "all"}`;
    actOnce(button, intent, (key) => closePosition(app.api, portfolioId, position.symbol, asked, key)).then(
      (closed) => {
        if (closed === null) return;
        quantity.value = "";
        afterAction();
      },
      (error: unknown) => {
        problem.textContent = describeError(error);
      },
    );
  });
  return {
    element: tradingControl(h("div", { class: "inline-form" }, quantity, button, problem)),
    update: (current) => {
      held = current.quantity.replace(/^-/, "");
      quantity.placeholder = `all ${held}`;
    },
  };
}
