// The signals view (a placeholder: another part of issue 12 builds it).

import type { AppContext } from "../context";
import { h } from "../dom";

export function mount(root: HTMLElement, _app: AppContext): () => void {
  root.append(h("h2", {}, "Signals"));
  return () => {
    root.replaceChildren();
  };
}
