// Controls that outlive a table's refresh: the order manager redraws its tables on every event
// of the stream, and a half-typed close quantity or an open modify form must survive that. A
// control is built once per key (a symbol, an order id), given the row's latest value on each
// redraw, and dropped when its row is gone.

export interface KeptControl<T> {
  readonly element: HTMLElement;
  update(value: T): void;
}

export class KeptControls<T> {
  private readonly controls = new Map<string, KeptControl<T>>();

  /** The control of `key`, built on first use, told the row's current `value`. */
  take(key: string, value: T, build: (value: T) => KeptControl<T>): HTMLElement {
    let control = this.controls.get(key);
    if (control === undefined) {
      control = build(value);
      this.controls.set(key, control);
    } else {
      control.update(value);
    }
    return control.element;
  }

  /** Forgets the controls of rows no longer shown. */
  keepOnly(keys: Iterable<string>): void {
    const wanted = new Set(keys);
    for (const key of [...this.controls.keys()]) if (!wanted.has(key)) this.controls.delete(key);
  }
}
