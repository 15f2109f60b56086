// Puts an API refusal next to the field it is about. A validation error names the field
// (`body.limit_price: ...`); a domain refusal names it in words or by its code (`lot_size`:
// the quantity, `tick_size`: a price), so the message is matched to the form's fields by what
// it says; anything unmatched goes to the form's general line.

import { ApiError, describeError } from "../api";

/** Words in a message, or codes, that point at each field of an order form. */
const FIELD_HINTS: Record<string, { codes: string[]; words: RegExp }> = {
  quantity: {
    codes: ["lot_size", "insufficient_cash", "quantity_exceeds_position"],
    words: /\bquantity\b/i,
  },
  limit_price: { codes: [], words: /\blimit[ _-]price\b/i },
  stop_price: { codes: [], words: /\bstop[ _-]price\b/i },
  stop_loss: { codes: [], words: /\bstop[_ ]loss\b/i },
  take_profit: { codes: [], words: /\btake[_ ]profit\b/i },
  symbol: { codes: ["unknown_symbol"], words: /\bsymbol\b/i },
};

/** The field of `fields` an error is about (null: the form as a whole). */
export function fieldOf(error: unknown, fields: readonly string[]): string | null {
  if (!(error instanceof ApiError)) return null;
  const named = /(?:^|; )body\.([a-z_]+):/.exec(error.message)?.[1];
  if (named !== undefined && fields.includes(named)) return named;
  for (const field of fields) {
    const hint = FIELD_HINTS[field];
    if (hint?.codes.includes(error.code) === true) return field;
  }
  // tick_size names the price ("limit price 100.001 is not a whole tick")
  for (const field of fields) {
    const hint = FIELD_HINTS[field];
    if (hint !== undefined && hint.words.test(error.message)) return field;
  }
  return null;
}

/** A form's error slots: one per field plus a general one. */
export class FieldErrors {
  private readonly slots = new Map<string, HTMLElement>();

  constructor(
    private readonly general: HTMLElement,
    fields: Iterable<[string, HTMLElement]>,
  ) {
    for (const [name, slot] of fields) this.slots.set(name, slot);
  }

  clear(): void {
    this.general.textContent = "";
    for (const slot of this.slots.values()) slot.textContent = "";
  }

  /** Shows client-side problems by field. */
  showProblems(problems: Record<string, string>): void {
    this.clear();
    for (const [name, message] of Object.entries(problems)) {
      const slot = this.slots.get(name) ?? this.general;
      slot.textContent = message;
    }
  }

  /** Shows an API refusal next to its field (or on the general line). */
  showError(error: unknown): void {
    this.clear();
    const field = fieldOf(error, [...this.slots.keys()]);
    const slot = field === null ? this.general : (this.slots.get(field) ?? this.general);
    slot.textContent = describeError(error);
  }
}
