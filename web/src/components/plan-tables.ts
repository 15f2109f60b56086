// The plans view's tables: a header row and rows of the API's text (numbers right-aligned), a
// hint in place of an empty table; scrolling sideways on a phone.

import { h } from "../dom";
import { alignNumericHeaders } from "./numeric-headers";

/** Table cells of the values (null: "—"); `numeric` right-aligns the cells at those indexes. */
export function cells(values: readonly (string | number | null)[], numeric: readonly number[] = []): HTMLElement[] {
  return values.map((value, index) =>
    h("td", { class: numeric.includes(index) ? "number" : null }, value === null ? "—" : String(value)),
  );
}

export function dataTable(id: string, titles: readonly string[], rows: readonly HTMLElement[], empty: string): HTMLElement {
  if (rows.length === 0) return h("p", { class: "hint", id }, empty);
  return h(
    "div",
    { class: "table-scroll" },
    alignNumericHeaders(
      h(
        "table",
        { class: "view-table", id },
        h("thead", {}, h("tr", {}, ...titles.map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, ...rows),
      ),
    ),
  );
}
