// The hash routes and the view each one mounts (one file per view under views/).

import type { MountView } from "./context";
import { mount as chart } from "./views/chart";
import { mount as health } from "./views/health";
import { mount as orders } from "./views/orders";
import { mount as performance } from "./views/performance";
import { mount as plans } from "./views/plans";
import { mount as portfolios } from "./views/portfolios";
import { mount as signals } from "./views/signals";

export interface Route {
  readonly path: string;
  readonly title: string;
  readonly mount: MountView;
}

export const ROUTES: readonly Route[] = [
  { path: "chart", title: "Chart", mount: chart },
  { path: "signals", title: "Signals", mount: signals },
  { path: "orders", title: "Orders", mount: orders },
  { path: "performance", title: "Performance", mount: performance },
  { path: "plans", title: "Plans", mount: plans },
  { path: "portfolios", title: "Portfolios", mount: portfolios },
  { path: "health", title: "Health", mount: health },
];

export const DEFAULT_ROUTE = "chart";

/** The route named by the address (`#/orders`), else the default. */
export function currentRoute(): Route {
  const path = /^#\/([a-z-]+)/.exec(window.location.hash)?.[1] ?? DEFAULT_ROUTE;
  const fallback = ROUTES[0] as Route;
  return ROUTES.find((route) => route.path === path) ?? fallback;
}
