// A few DOM helpers: build elements from a tag, attributes and children (text is always text,
// never HTML, so nothing the API returns can inject markup).

export type Child = Node | string | number | null | undefined | false;
export type Attributes = Record<string, string | number | boolean | null | undefined>;

/** Creates `<tag ...attributes>children</tag>`; `false`/`null` attributes are left out. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, ...children);
  return element;
}

/** Appends children, skipping the empty ones. */
export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/**
 * Runs `redraw` and gives the focus back to the element that had it, with its caret, when the
 * element is still in the page: a control kept across a table's redraw (a half-typed quantity)
 * is moved into the new row, and moving an element out of the document drops its focus, so the
 * next keystroke would go nowhere.
 */
export function keepingFocus(redraw: () => void): void {
  const active = document.activeElement;
  const field = active instanceof HTMLInputElement || active instanceof HTMLTextAreaElement ? active : null;
  const caret = field === null ? null : [field.selectionStart, field.selectionEnd] as const;
  redraw();
  if (!(active instanceof HTMLElement) || !active.isConnected || document.activeElement === active) return;
  active.focus({ preventScroll: true });
  if (field !== null && caret !== null && caret[0] !== null && caret[1] !== null) {
    field.setSelectionRange(caret[0], caret[1]);
  }
}

/** Adds an event listener and returns the function that removes it. */
export function listen<K extends keyof HTMLElementEventMap>(
  target: HTMLElement,
  type: K,
  listener: (event: HTMLElementEventMap[K]) => void,
): () => void {
  target.addEventListener(type, listener);
  return () => {
    target.removeEventListener(type, listener);
  };
}

/** Marks an element as a trading control: hidden (and absent from the accessibility tree) for
 * keys that cannot trade. Views tag every button or form that changes state with this. */
export function tradingControl<T extends HTMLElement>(element: T): T {
  element.dataset["tradingControl"] = "";
  return element;
}

/** Escape inside `element` (a field or button of an inline form or a confirmation) runs
 * `dismiss`, as its Back or Keep button does. */
export function dismissOnEscape(element: HTMLElement, dismiss: () => void): void {
  element.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    event.preventDefault();
    event.stopPropagation();
    dismiss();
  });
}
