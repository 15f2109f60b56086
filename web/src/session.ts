// The API key for this browser tab: sessionStorage only (gone when the tab closes), never
// localStorage; a `#key=...` link signs in once and is then cleared from the address bar.

export const KEY_STORAGE = "paperdesk.apiKey";

export function storedKey(): string | null {
  return sessionStorage.getItem(KEY_STORAGE);
}

export function storeKey(key: string): void {
  sessionStorage.setItem(KEY_STORAGE, key);
}

export function forgetKey(): void {
  sessionStorage.removeItem(KEY_STORAGE);
}

/** Takes a key given as `#key=...` (stores it, then removes it from the address bar and the
 * history entry); returns it, or null when the address has none. */
export function takeKeyFromAddress(): string | null {
  const match = /^#key=([^&]+)/.exec(window.location.hash);
  if (match?.[1] === undefined) return null;
  const key = decodeURIComponent(match[1]);
  storeKey(key);
  history.replaceState(null, "", window.location.pathname + window.location.search + "#/chart");
  return key;
}
