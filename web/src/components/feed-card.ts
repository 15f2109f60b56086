// A live portfolio's feeds (GET /portfolios/{id} `feeds`, docs/live-data.md): each symbol's
// state (ok, stale, failing) since when and why, its newest stored bar's close and that bar's
// age when read. The view re-reads the portfolio on each of its stream events, a `feed_alert`
// (feed.stale, feed.failing, feed.recovered) among them, so the card follows the API's view.
// A replay or file portfolio has no feed: no card.

import type { Feed } from "../api";
import { h } from "../dom";
import { duration, utcTime } from "./figures";

const STATE_TEXT: Record<Feed["state"], string> = { ok: "ok", stale: "STALE", failing: "FAILING" };

export function feedCard(feeds: readonly Feed[]): HTMLElement | null {
  if (feeds.length === 0) return null;
  return h(
    "section",
    { class: "card feeds", id: "feeds", "aria-live": "polite" },
    h("h3", {}, feeds.length === 1 ? "Live feed" : "Live feeds"),
    ...feeds.map((feed) => {
      const age = feed.age_seconds === null ? null : Number(feed.age_seconds);
      return h(
        "div",
        { class: "feed", "data-symbol": feed.symbol, "data-state": feed.state },
        h("strong", {}, feed.symbol),
        h("span", { class: "feed-state", "data-field": "state" }, STATE_TEXT[feed.state]),
        h("span", { "data-field": "last-bar" }, `last bar ${utcTime(feed.last_bar_close)}`),
        h("span", { "data-field": "age", title: feed.age_seconds === null ? "" : `${feed.age_seconds} s` }, `age ${duration(age)}`),
        feed.since === null ? null : h("span", { class: "hint", "data-field": "since" }, `since ${utcTime(feed.since)}`),
        feed.reason === "" ? null : h("span", { class: "hint", "data-field": "reason" }, feed.reason),
      );
    }),
  );
}
