// One Idempotency-Key per click intent: the key is made when the user means an action (this
// order, this body) and reused by every retry of that same intent, so a double click, a retry
// after a dropped connection or a second tab's replay never acts twice (the API answers a
// replayed key with the first response). A different intent (another quantity) gets a new key;
// an answer that settles the intent (success or a refusal) forgets it, so a deliberate later
// click is a new action.

import { ApiError } from "../api";

const keys = new Map<string, string>();

function newKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return `dash-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** The key of this intent (the same one until the intent is settled). */
export function intentKey(intent: string): string {
  let key = keys.get(intent);
  if (key === undefined) {
    key = newKey();
    keys.set(intent, key);
  }
  return key;
}

/** Runs `action` with the intent's key while `button` is disabled (a second click while the
 * first is in flight does nothing). Keeps the key only when the outcome is unknown (the
 * network failed or the server erred), so the retry replays instead of acting again. */
export async function actOnce<T>(
  button: HTMLButtonElement,
  intent: string,
  action: (key: string) => Promise<T>,
): Promise<T | null> {
  if (button.dataset["busy"] === "true") return null;
  button.dataset["busy"] = "true";
  button.disabled = true;
  const key = intentKey(intent);
  try {
    const result = await action(key);
    keys.delete(intent);
    return result;
  } catch (error) {
    const unknownOutcome = error instanceof ApiError && (error.status === 0 || error.status >= 500);
    if (!unknownOutcome) keys.delete(intent);
    throw error;
  } finally {
    button.dataset["busy"] = "false";
    button.disabled = false;
  }
}
