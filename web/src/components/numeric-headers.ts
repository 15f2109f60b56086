// The views' own tables (`view-table`) mark numbers by their cells (`td.number`); a column's
// title goes right-aligned over them only when its `th` carries the class too, so the header
// takes it from the first body row here, once, instead of each table listing its numeric
// columns twice.

/** Gives each header cell the `number` class when the first body row's cell under it has it;
 * returns the table. */
export function alignNumericHeaders<T extends HTMLTableElement>(table: T): T {
  const first = table.tBodies[0]?.rows[0];
  const headers = table.tHead?.rows[0]?.cells;
  if (first === undefined || headers === undefined) return table;
  Array.from(headers).forEach((header, index) => {
    if (first.cells[index]?.classList.contains("number") === true) header.classList.add("number");
  });
  return table;
}
