// The trade-plan, simulation and walk-forward endpoints (docs/api-plans.md) as the plans view
// calls them. Money, prices and quantities stay the API's decimal strings.

import type { ApiClient, Decimal } from "./api";

export type PlanFormat = "csv" | "json";
export type Mode = "intraday" | "fast" | "balanced" | "conservative";

export interface PlanChoice {
  plan: string;
  format: PlanFormat;
  name: string;
  mode?: Mode;
  exposure_cap: Decimal;
}

export interface AuditRow {
  row: number;
  ticker: string;
  side: string;
  qty: Decimal;
  entry_price: Decimal;
  score: Decimal | null;
  rank: number | null;
  decision: string;
  kept_qty: Decimal;
  kept_notional: Decimal;
  reason: string;
}

export interface PlanRow {
  row: number;
  ticker: string;
  side: string;
  qty: Decimal;
  entry_price: Decimal;
  take_profit: Decimal | null;
  stop_loss: Decimal | null;
  strength: Decimal | null;
  etth_days: Decimal | null;
  entry_datetime: string | null;
}

export interface PlanFiltered {
  rows: PlanRow[];
  skipped: { row: number | null; field: string; message: string }[];
  audit: {
    mode: string | null;
    formula: string | null;
    capital: Decimal;
    cap: Decimal;
    exposure_used: Decimal;
    counts: Record<string, number>;
    rows: AuditRow[];
  };
}

export interface PlacedRow {
  row: number;
  ticker: string;
  side: string;
  qty: Decimal;
  client_order_id: string;
  status: string;
  order_ids: string[];
  reason: string;
}

export interface PlanExecution {
  portfolio_id: number;
  plan_date: string;
  placed: number;
  rows: PlacedRow[];
}

export interface SimulatedTrade {
  row: number;
  ticker: string;
  side: string;
  qty: Decimal;
  outcome: string;
  entry_time: string | null;
  entry_price: Decimal | null;
  take_profit: Decimal | null;
  stop_loss: Decimal | null;
  exit_time: string | null;
  exit_price: Decimal | null;
  fees: Decimal | null;
  pnl: Decimal | null;
  hours_held: Decimal | null;
  reason: string;
}

export interface Simulation {
  timeframe: string;
  summary: Record<string, unknown>;
  trades: SimulatedTrade[];
}

export interface Job<T> {
  job_id: string;
  kind: string;
  state: "queued" | "running" | "succeeded" | "failed";
  progress: { done: number; total: number };
  result: T | null;
  error: { code: string; message: string } | null;
}

export interface DayPlan {
  name: string;
  plan: string;
}

export interface WalkForwardStart {
  plans?: DayPlan[];
  strategy?: string;
  params?: Record<string, string>;
  symbols?: string[];
  start: string;
  end: string;
  mode?: Mode;
  capital: Decimal;
  exposure_cap: Decimal;
  timeframe: string;
}

export interface WalkForwardStarted {
  run_id: string;
  job_id: string;
  progress: { done: number; total: number };
}

export interface EvidencePoint {
  time: string;
  equity: Decimal;
  peak: Decimal;
  drawdown: Decimal;
}

export interface EvidenceTrade {
  symbol: string;
  side: string;
  entry_time: string | null;
  exit_time: string | null;
  entry_price: Decimal | null;
  exit_price: Decimal | null;
  quantity: Decimal;
  pnl: Decimal | null;
  outcome: string;
}

export interface Evidence {
  title: string;
  summary: Record<string, string | number | null>;
  equity: EvidencePoint[];
  monthly_returns: { month: string; return: Decimal | null; pnl: Decimal }[];
  outcomes: Record<string, number>;
}

export interface WalkForwardRun {
  run_id: string;
  state: "queued" | "running" | "succeeded" | "failed" | "stopped";
  progress: { done: number; total: number };
  error: { code: string; message: string } | null;
  evidence: Evidence | null;
  trades: { total: number; offset: number; limit: number; items: EvidenceTrade[] } | null;
}

export function filterPlan(api: ApiClient, choice: PlanChoice, capital: Decimal): Promise<PlanFiltered> {
  return api.post<PlanFiltered>("/plans/filter", { ...choice, capital });
}

export function executePlan(
  api: ApiClient,
  portfolioId: number,
  choice: PlanChoice,
  idempotencyKey: string,
): Promise<PlanExecution> {
  return api.post<PlanExecution>(`/portfolios/${portfolioId}/plans`, choice, {
    "Idempotency-Key": idempotencyKey,
  });
}

export function startSimulation(
  api: ApiClient,
  plan: Omit<PlanChoice, "exposure_cap">,
  timeframe: string,
  resolveWith: string | null,
): Promise<Job<Simulation>> {
  return api.request<Job<Simulation>>(
    "POST",
    "/simulations",
    { background: true },
    { ...plan, timeframe, resolve_with: resolveWith },
  );
}

export function readJob<T>(api: ApiClient, jobId: string): Promise<Job<T>> {
  return api.get<Job<T>>(`/jobs/${jobId}`);
}

export function startWalkForward(api: ApiClient, body: WalkForwardStart): Promise<WalkForwardStarted> {
  return api.post<WalkForwardStarted>("/walkforwards", body);
}

export function readWalkForward(api: ApiClient, runId: string, tradesLimit = 500): Promise<WalkForwardRun> {
  return api.get<WalkForwardRun>(`/walkforwards/${runId}`, { trades_limit: tradesLimit });
}
