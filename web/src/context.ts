// What the shell hands every view: the API client, the key's rights, the chosen portfolio, the
// shared trading stream and a few services. A view reads it at mount; when the portfolio
// changes the shell unmounts the view and mounts it again.

import type { ApiClient, Me, PortfolioSummary } from "./api";
import type { StreamClient } from "./stream";
import type { Theme } from "./theme";

export interface AppContext {
  readonly api: ApiClient;
  readonly key: string;
  readonly me: Me;
  /** The portfolio chosen in the switcher (null: the key sees none). */
  readonly portfolio: PortfolioSummary | null;
  readonly portfolios: readonly PortfolioSummary[];
  /** /ws/trading for the portfolios the key sees, opened by the shell and shared by views. */
  readonly trading: StreamClient;
  readonly canTrade: boolean;
  /** `?debug=1` in the address: views may expose test hooks (never otherwise). */
  readonly debug: boolean;
  readonly theme: () => Theme;
  /** Calls `listener` on each theme change; returns the function that stops it. */
  readonly onThemeChange: (listener: (theme: Theme) => void) => () => void;
  /** Shows a stream of the view's own (e.g. /ws/prices) in the connection indicator. */
  readonly watchStream: (stream: StreamClient) => () => void;
  /** Shows an error to the user (an ApiError's message and code). */
  readonly reportError: (error: unknown) => void;
  /** Re-reads the portfolio list (after creating or archiving one). */
  readonly refreshPortfolios: () => Promise<void>;
}

/** A view: mounts into `root` and returns the function that unmounts it. */
export type MountView = (root: HTMLElement, app: AppContext) => () => void;
