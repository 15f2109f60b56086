// Light and dark themes as CSS variables (styles.css); the default follows the system's
// `prefers-color-scheme`, a choice made with the toggle lasts for the tab (sessionStorage).

export type Theme = "light" | "dark";

const THEME_STORAGE = "paperdesk.theme";

export function initialTheme(): Theme {
  const chosen = sessionStorage.getItem(THEME_STORAGE);
  if (chosen === "light" || chosen === "dark") return chosen;
  return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

export function applyTheme(theme: Theme, remember: boolean): void {
  document.documentElement.dataset["theme"] = theme;
  if (remember) sessionStorage.setItem(THEME_STORAGE, theme);
}

/** A CSS variable's value in the current theme (charts need colours as strings). */
export function cssVariable(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}
