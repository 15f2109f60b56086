// The app shell: sign-in, then the header (views, portfolio switcher, connection state, theme,
// sign out) around the current view. The key lives in sessionStorage only (session.ts).

import { ApiClient, describeError, type Me, type PortfolioSummary } from "./api";
import type { AppContext } from "./context";
import { h, listen, replaceChildren } from "./dom";
import { currentRoute, ROUTES } from "./routes";
import { forgetKey, storedKey, storeKey, takeKeyFromAddress } from "./session";
import { StreamClient, type ConnectionState } from "./stream";
import { applyTheme, initialTheme, type Theme } from "./theme";

const PORTFOLIO_STORAGE = "paperdesk.portfolio";
const STATE_RANK: Record<ConnectionState, number> = {
  open: 0,
  closed: 1,
  connecting: 2,
  reconnecting: 3,
  refused: 4,
};
const STATE_TEXT: Record<ConnectionState, string> = {
  open: "live",
  closed: "offline",
  connecting: "connecting…",
  reconnecting: "reconnecting…",
  refused: "refused",
};

export function start(root: HTMLElement): void {
  let theme = initialTheme();
  applyTheme(theme, false);
  window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => {
    theme = initialTheme();
    applyTheme(theme, false);
  });
  const key = takeKeyFromAddress() ?? storedKey();
  if (key === null) {
    showSignIn(root, theme);
    return;
  }
  signInWith(root, key, theme);
}

/** Checks a key from the address or the tab's storage: the app, or the sign-in form saying why
 * not. */
function signInWith(root: HTMLElement, key: string, theme: Theme): void {
  const api = new ApiClient(key);
  api.me().then(
    (me) => void openApp(root, key, api, me, theme),
    (error: unknown) => {
      forgetKey();
      showSignIn(root, theme, describeError(error));
    },
  );
}

function showSignIn(root: HTMLElement, theme: Theme, problem?: string): void {
  applyTheme(theme, false);
  // a `#key=` link opened in this tab while it shows the form only changes the hash (no
  // reload): it signs in as the link would in a new tab
  const fromAddress = (): void => {
    const key = takeKeyFromAddress();
    if (key === null) return;
    window.removeEventListener("hashchange", fromAddress);
    signInWith(root, key, theme);
  };
  window.addEventListener("hashchange", fromAddress);
  const input = h("input", {
    id: "api-key",
    name: "api-key",
    type: "password",
    autocomplete: "off",
    required: true,
    placeholder: "pd_…",
    "aria-label": "API key",
  });
  const error = h("p", { id: "sign-in-error", class: "error", role: "alert" }, problem ?? "");
  const button = h("button", { type: "submit", id: "sign-in-button" }, "Sign in");
  const form = h(
    "form",
    { id: "sign-in", class: "sign-in card" },
    h("h1", {}, "paperdesk"),
    h("label", { for: "api-key" }, "API key"),
    input,
    button,
    error,
    h(
      "p",
      { class: "hint" },
      "Create one with ",
      h("code", {}, "paperdesk apikey create NAME --scope read"),
      ". It is kept for this browser tab only.",
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (key === "") return;
    button.disabled = true;
    error.textContent = "";
    const api = new ApiClient(key);
    api.me().then(
      (me) => {
        window.removeEventListener("hashchange", fromAddress);
        storeKey(key);
        void openApp(root, key, api, me, theme);
      },
      (failure: unknown) => {
        button.disabled = false;
        error.textContent = describeError(failure);
        input.select();
      },
    );
  });
  replaceChildren(root, h("main", { class: "sign-in-page" }, form));
  input.focus();
}

async function openApp(
  root: HTMLElement,
  key: string,
  api: ApiClient,
  me: Me,
  initial: Theme,
): Promise<void> {
  let theme = initial;
  const themeListeners = new Set<(theme: Theme) => void>();
  const watched = new Set<StreamClient>();
  const trading = new StreamClient({ channel: "trading", key });
  const debug = new URLSearchParams(window.location.search).get("debug") === "1";

  const banner = h("div", { id: "error-banner", class: "error-banner", role: "alert", hidden: true });
  const viewRoot = h("section", { id: "view", class: "view" });
  const switcher = h("select", { id: "portfolio-switcher", "aria-label": "Portfolio" });
  const connection = h("span", { id: "connection", class: "connection", "data-state": "connecting" });
  const themeButton = h("button", { id: "theme-toggle", type: "button", class: "ghost" });
  const signOut = h("button", { id: "sign-out", type: "button", class: "ghost" }, "Sign out");
  const nav = h("nav", { class: "tabs", "aria-label": "Views" });
  for (const route of ROUTES) {
    nav.append(h("a", { href: `#/${route.path}`, "data-route": route.path }, route.title));
  }
  const header = h(
    "header",
    { class: "top" },
    h("span", { class: "brand" }, "paperdesk"),
    nav,
    h(
      "div",
      { class: "controls" },
      switcher,
      connection,
      h("span", { id: "who", class: "who", title: `key ${me.prefix}…` }, `${me.name} · ${me.scope}`),
      // the API's own reference (Swagger UI, served offline by the server), in a new tab
      h("a", { id: "api-docs", class: "docs-link", href: "/api/v1/docs", target: "_blank", rel: "noopener" }, "API docs"),
      themeButton,
      signOut,
    ),
  );
  document.body.dataset["canTrade"] = String(me.can_trade);
  replaceChildren(root, header, banner, viewRoot);

  let portfolios: PortfolioSummary[] = [];
  let unmount: (() => void) | null = null;

  const reportError = (error: unknown): void => {
    banner.hidden = false;
    replaceChildren(
      banner,
      h("span", {}, describeError(error)),
      closeButton(() => {
        banner.hidden = true;
      }),
    );
  };

  const showConnection = (): void => {
    let worst: StreamClient = trading;
    for (const stream of watched) {
      if (STATE_RANK[stream.state] > STATE_RANK[worst.state]) worst = stream;
    }
    connection.dataset["state"] = worst.state;
    connection.textContent = STATE_TEXT[worst.state];
    connection.title = worst.detail || `${worst.channel} stream ${STATE_TEXT[worst.state]}`;
  };

  const chosenPortfolio = (): PortfolioSummary | null => {
    const stored = Number(sessionStorage.getItem(PORTFOLIO_STORAGE));
    return portfolios.find((p) => p.id === stored) ?? portfolios[0] ?? null;
  };

  const context = (): AppContext => ({
    api,
    key,
    me,
    portfolio: chosenPortfolio(),
    portfolios,
    trading,
    canTrade: me.can_trade,
    debug,
    theme: () => theme,
    onThemeChange: (listener) => {
      themeListeners.add(listener);
      return () => themeListeners.delete(listener);
    },
    watchStream: (stream) => {
      watched.add(stream);
      const stop = stream.onState(showConnection);
      return () => {
        stop();
        watched.delete(stream);
        showConnection();
      };
    },
    reportError,
    refreshPortfolios: loadPortfolios,
  });

  const render = (): void => {
    unmount?.();
    unmount = null;
    banner.hidden = true;
    viewRoot.replaceChildren();
    const route = currentRoute();
    for (const link of nav.querySelectorAll("a")) {
      if (link.dataset["route"] === route.path) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    document.title = `${route.title} · paperdesk`;
    viewRoot.dataset["view"] = route.path;
    unmount = route.mount(viewRoot, context());
  };

  async function loadPortfolios(): Promise<void> {
    portfolios = await api.portfolios();
    const chosen = chosenPortfolio();
    switcher.replaceChildren(
      ...portfolios.map((p) =>
        h("option", { value: p.id, selected: p.id === chosen?.id }, `${p.name} (#${p.id})`),
      ),
    );
    if (portfolios.length === 0) switcher.append(h("option", { value: "" }, "no portfolio"));
    switcher.disabled = portfolios.length === 0;
  }

  const setTheme = (next: Theme, remember: boolean): void => {
    theme = next;
    applyTheme(theme, remember);
    themeButton.textContent = theme === "dark" ? "Light" : "Dark";
    themeButton.setAttribute("aria-label", `Switch to the ${theme === "dark" ? "light" : "dark"} theme`);
    for (const listener of themeListeners) listener(theme);
  };

  setTheme(theme, false);
  // a change of the system's scheme recolours the views too (unless the toggle chose one)
  const systemScheme = window.matchMedia("(prefers-color-scheme: dark)");
  const onSystemScheme = (): void => {
    setTheme(initialTheme(), false);
  };
  systemScheme.addEventListener("change", onSystemScheme);
  listen(themeButton, "click", () => {
    setTheme(theme === "dark" ? "light" : "dark", true);
  });
  listen(switcher, "change", () => {
    sessionStorage.setItem(PORTFOLIO_STORAGE, switcher.value);
    render();
  });
  listen(signOut, "click", () => {
    unmount?.();
    trading.stop();
    for (const stream of watched) stream.stop();
    forgetKey();
    sessionStorage.removeItem(PORTFOLIO_STORAGE);
    window.removeEventListener("hashchange", render);
    systemScheme.removeEventListener("change", onSystemScheme);
    delete document.body.dataset["canTrade"];
    showSignIn(root, theme);
  });
  trading.onState(showConnection);
  trading.start();
  window.addEventListener("hashchange", render);
  try {
    await loadPortfolios();
  } catch (error) {
    reportError(error);
  }
  render();
}

function closeButton(onClose: () => void): HTMLButtonElement {
  const button = h("button", { type: "button", class: "ghost", "aria-label": "Dismiss" }, "×");
  button.addEventListener("click", onClose);
  return button;
}
