// A plain table: a header row and body rows of cells (text or nodes), scrolling sideways on a
// phone instead of squeezing the columns.

import { h, type Child } from "../dom";

export interface Column {
  readonly title: string;
  /** Right-aligned (numbers). */
  readonly numeric?: boolean;
  /** An amount of money: the title names the book's currency (`Value (USD)`). */
  readonly money?: boolean;
}

/** The columns with the currency in each money column's title: `Fee` is `Fee (JPY)`. */
export function inCurrency(columns: readonly Column[], currency: string): Column[] {
  return columns.map((column) => (column.money === true ? { ...column, title: `${column.title} (${currency})` } : column));
}

export function table(
  id: string,
  columns: readonly Column[],
  rows: readonly HTMLTableRowElement[],
  empty: string,
): HTMLDivElement {
  const head = h(
    "tr",
    {},
    ...columns.map((column) => h("th", { class: column.numeric === true ? "num" : null }, column.title)),
  );
  const body = h("tbody", {}, ...rows);
  if (rows.length === 0) {
    body.append(h("tr", { class: "empty" }, h("td", { colspan: columns.length }, empty)));
  }
  return h("div", { class: "table-wrap" }, h("table", { id, class: "data" }, h("thead", {}, head), body));
}

/** A row of cells; `numeric` marks the cells to right-align by their index. */
export function row(
  attributes: Record<string, string | number | null>,
  cells: readonly Child[],
  numeric: readonly number[] = [],
): HTMLTableRowElement {
  return h(
    "tr",
    attributes,
    ...cells.map((cell, index) => h("td", { class: numeric.includes(index) ? "num" : null }, cell)),
  );
}
