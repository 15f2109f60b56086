// The chart view.

import type { AppContext } from "../context";
import { h } from "../dom";

export function mount(root: HTMLElement, _app: AppContext): () => void {
  root.append(h("h2", {}, "Chart"));
  return () => {
    root.replaceChildren();
  };
}
