// The REST calls of the performance, portfolios and health views, over api.ts's client (free
// functions and their types, kept beside api.ts so the views add nothing to the shared client).
// Money stays a decimal string as the API sends it.

import type { ApiClient, Decimal, Page, PortfolioDetail, PortfolioSummary, Trade } from "./api";

export interface EquityPoint {
  ts: string;
  cash: Decimal;
  positions_value: Decimal;
  equity: Decimal;
  realized_pnl: Decimal;
  unrealized_pnl: Decimal;
  fees_paid: Decimal;
  peak: Decimal;
  drawdown: Decimal;
  drawdown_pct: number;
}

export interface PeriodPnl {
  period: string;
  start_equity: Decimal;
  end_equity: Decimal;
  pnl: Decimal;
  return_pct: number | null;
}

export interface Performance {
  portfolio_id: number;
  /** Every statistic of docs/statistics.md (money as decimal strings; undefined ones null). */
  statistics: Record<string, number | string | null> | null;
  equity_curve: EquityPoint[];
  breakdown: {
    total: PeriodPnl;
    day: PeriodPnl | null;
    months: PeriodPnl[];
    total_pips: Decimal | null;
  };
}

export interface StrategyParameter {
  name: string;
  type: "int" | "float" | "bool" | "str";
  default: unknown;
  description: string;
  minimum: number | null;
  maximum: number | null;
  enum: unknown[] | null;
}

/** One property of a strategy's parameters_schema (JSON Schema, draft 2020-12). */
export interface SchemaProperty {
  type?: "integer" | "number" | "boolean" | "string";
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  enum?: unknown[];
}

export interface Strategy {
  name: string;
  kind: string;
  description: string;
  source: string;
  parameters: StrategyParameter[];
  parameters_schema: { properties?: Record<string, SchemaProperty>; required?: string[] };
}

export interface PortfolioCreateBody {
  name: string;
  cash: string;
  currency?: string;
  strategies: string[];
  params: string[];
  symbols: string[];
  settings: Record<string, string | boolean>;
}

export interface Provider {
  name: string;
  enabled: boolean;
  skipped_reason: string | null;
  blocked_reason: string | null;
  per_day: number | null;
  used_today: number | null;
  left_today: number | null;
  per_minute: number | null;
  used_this_minute: number | null;
  circuit: string | null;
  open_until: string | null;
  last_error: string | null;
}

export interface Quality {
  symbol: string;
  timeframe: string;
  calendar: string;
  bars: number;
  first: string | null;
  last: string | null;
  missing_bars: number;
  gaps: { start: string; end: string; missing: number }[];
  duplicates: number;
  off_session: number;
  outliers: number;
  zero_volume_runs: number;
  stale_runs: number;
  no_volume: boolean;
  last_close: string | null;
  last_bar_age_seconds: number | null;
  feed_stale: boolean;
  /** Where a replay portfolio stands in the series (asked with `portfolio`); null otherwise. */
  replay: { portfolio_id: number; at: string | null; served: number; remaining: number; text: string } | null;
  warnings: string[];
}

export interface PortfolioWork {
  portfolio_id: number;
  name: string;
  held: boolean;
  holder: string | null;
  lease_expires_at: string | null;
  last_round_at: string | null;
  next_due_at: string | null;
  last_tick: {
    symbol: string;
    strategy: string;
    ts_bar: string;
    outcome: string;
    summary: string;
    ts_recorded: string;
  } | null;
  ticks: number;
}

export interface WorkerStatus {
  as_of: string;
  portfolios: PortfolioWork[];
}

export function getPerformance(api: ApiClient, portfolioId: number): Promise<Performance> {
  return api.get<Performance>(`/portfolios/${portfolioId}/performance`);
}

export function getStrategies(api: ApiClient): Promise<Strategy[]> {
  return api.get<Strategy[]>("/strategies");
}

export function getAllPortfolios(api: ApiClient): Promise<PortfolioSummary[]> {
  return api.get<PortfolioSummary[]>("/portfolios", { include_archived: true });
}

/** Creates a portfolio; the idempotency key makes a double click or a retry create one. */
export function createPortfolio(
  api: ApiClient,
  body: PortfolioCreateBody,
  idempotencyKey: string,
): Promise<PortfolioDetail> {
  return api.post<PortfolioDetail>("/portfolios", body, { "Idempotency-Key": idempotencyKey });
}

export function archivePortfolio(api: ApiClient, id: number, idempotencyKey: string): Promise<PortfolioDetail> {
  return api.post<PortfolioDetail>(`/portfolios/${id}/archive`, undefined, { "Idempotency-Key": idempotencyKey });
}

export function unarchivePortfolio(api: ApiClient, id: number, idempotencyKey: string): Promise<PortfolioDetail> {
  return api.post<PortfolioDetail>(`/portfolios/${id}/unarchive`, undefined, { "Idempotency-Key": idempotencyKey });
}

export function getProviders(api: ApiClient): Promise<Provider[]> {
  return api.get<Provider[]>("/market-data/providers");
}

export function getQuality(api: ApiClient, symbol: string, timeframe: string, portfolio: number | null = null): Promise<Quality> {
  const query: Record<string, string> = { timeframe };
  if (portfolio !== null) query["portfolio"] = String(portfolio);
  return api.get<Quality>(`/market-data/${encodeURIComponent(symbol)}/quality`, query);
}

/** The timeframes the API serves over bars of `base` (`base`, then the coarser ones resampled
 * from it), and the bar lengths series are stored in: the one list every menu offers. */
export interface ChartTimeframes {
  base: string;
  timeframes: string[];
  bar_lengths: string[];
}

export function getTimeframes(api: ApiClient, base: string): Promise<ChartTimeframes> {
  return api.get<ChartTimeframes>("/prices/timeframes", { base });
}

export function getWorkerStatus(api: ApiClient): Promise<WorkerStatus> {
  return api.get<WorkerStatus>("/worker");
}

/** A closed round trip, as the trades endpoint gives it (the order manager's `Trade`). */
export type ClosedTrade = Trade;

/** Every closed round trip, page by page (at most `maxPages` pages of 500). */
export async function getAllTrades(api: ApiClient, portfolioId: number, maxPages = 20): Promise<ClosedTrade[]> {
  const trades: ClosedTrade[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < maxPages; page += 1) {
    const answer: Page<ClosedTrade> = await api.get<Page<ClosedTrade>>(`/portfolios/${portfolioId}/trades`, {
      limit: 500,
      cursor,
    });
    trades.push(...answer.items);
    cursor = answer.next_cursor;
    if (cursor === null) break;
  }
  return trades;
}
