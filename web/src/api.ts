// The typed REST client: every call sends the key, reads JSON, and turns any refusal into an
// ApiError {status, code, message} that the caller shows (never swallowed). Money stays a
// decimal string as the API sends it; a view converts to a number only to draw it.

export type Decimal = string;
export type Scope = "read" | "trade" | "admin";

export interface Me {
  id: number;
  name: string;
  scope: Scope;
  portfolio_ids: number[] | null;
  prefix: string;
  created_at: string;
  revoked_at: string | null;
  can_trade: boolean;
  can_admin: boolean;
}

export interface PortfolioSummary {
  id: number;
  name: string;
  status: string;
  base_currency: string;
  starting_cash: Decimal;
  cash: Decimal;
  positions_value: Decimal;
  equity: Decimal;
  realized_pnl: Decimal; // gross, before fees
  unrealized_pnl: Decimal;
  fees_paid: Decimal;
  realized_pnl_net: Decimal; // realized_pnl - fees_paid
  ts_created: string;
}

export interface Position {
  symbol: string;
  quantity: Decimal;
  average_price: Decimal;
  cost: Decimal;
  last_price: Decimal;
  market_value: Decimal;
  unrealized_pnl: Decimal;
  ts_opened: string | null;
}

export interface Order {
  order_id: string;
  client_order_id: string;
  symbol: string;
  side: "buy" | "sell";
  type: "market" | "limit" | "stop" | "stop_limit";
  quantity: Decimal;
  limit_price: Decimal | null;
  stop_price: Decimal | null;
  time_in_force: string;
  role: string;
  parent_id: string | null;
  children: string[];
  status: string;
  filled_quantity: Decimal;
  average_price: Decimal | null;
  ts_submitted: string;
  ts_updated: string | null;
  ts_expire: string | null;
  strategy: string;
  reason: string;
}

/** A `source=live` portfolio's feed of one symbol (docs/live-data.md): its state as its last
 * `feed.*` event left it, and its newest stored bar with that bar's age when read. */
export interface Feed {
  symbol: string;
  state: "ok" | "stale" | "failing";
  since: string | null;
  last_bar_close: string | null;
  age_seconds: Decimal | null;
  reason: string;
}

export interface PortfolioDetail {
  summary: PortfolioSummary;
  positions: Position[];
  open_orders: Order[];
  settings: Record<string, unknown>;
  /** One per watched symbol for a `source=live` portfolio; empty for replay and file ones. */
  feeds: Feed[];
}

export interface Candle {
  ts_open: string;
  ts_close: string;
  open: Decimal;
  high: Decimal;
  low: Decimal;
  close: Decimal;
  volume: Decimal;
  source: string | null;
  closed: boolean;
}

export interface CandlePage {
  symbol: string;
  timeframe: string;
  items: Candle[];
  next_cursor: string | null;
  provenance: { origin: string | null; loaded_from: string | null; as_of: string };
}

export interface Signal {
  id: number;
  strategy: string;
  symbol: string;
  direction: number;
  confidence: number | null;
  entry: Decimal | null;
  stop: Decimal | null;
  target: Decimal | null;
  reward_to_risk: number | null;
  decision: string;
  decision_reason: string | null;
  reason: string;
  ts: string;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** A refusal from the API (or the network), with the API's stable code and its message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

type Query = Record<string, string | number | boolean | null | undefined>;

export const API_PREFIX = "/api/v1";

export class ApiClient {
  constructor(
    private readonly key: string,
    private readonly base: string = API_PREFIX,
  ) {}

  get<T>(path: string, query: Query = {}): Promise<T> {
    return this.request<T>("GET", path, query);
  }

  post<T>(path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    return this.request<T>("POST", path, {}, body, headers);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>("PATCH", path, {}, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>("DELETE", path);
  }

  me(): Promise<Me> {
    return this.get<Me>("/me");
  }

  portfolios(): Promise<PortfolioSummary[]> {
    return this.get<PortfolioSummary[]>("/portfolios");
  }

  portfolio(id: number): Promise<PortfolioDetail> {
    return this.get<PortfolioDetail>(`/portfolios/${id}`);
  }

  async request<T>(
    method: string,
    path: string,
    query: Query = {},
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const url = new URL(this.base + path, window.location.origin);
    for (const [name, value] of Object.entries(query)) {
      if (value !== null && value !== undefined && value !== "") {
        url.searchParams.set(name, String(value));
      }
    }
    const init: RequestInit = {
      method,
      headers: {
        Authorization: `Bearer ${this.key}`,
        Accept: "application/json",
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        ...headers,
      },
    };
    if (body !== undefined) init.body = JSON.stringify(body);
    let response: Response;
    try {
      response = await fetch(url, init);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ApiError(0, "network_error", `cannot reach the server: ${reason}`);
    }
    const text = await response.text();
    const parsed: unknown = text === "" ? null : parseJson(text);
    if (!response.ok) throw errorOf(response.status, parsed, text);
    return parsed as T;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** The API's `{code, message}` (a 422 from validation carries `detail` too: its message names
 * the field); anything else becomes an error naming the status. */
function errorOf(status: number, body: unknown, text: string): ApiError {
  if (typeof body === "object" && body !== null) {
    const record = body as Record<string, unknown>;
    const code = typeof record["code"] === "string" ? record["code"] : `http_${status}`;
    const message = typeof record["message"] === "string" ? record["message"] : text;
    return new ApiError(status, code, message);
  }
  return new ApiError(status, `http_${status}`, text.slice(0, 200) || `HTTP ${status}`);
}

/** A message to show for any error a call raised. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (${error.code})`;
  if (error instanceof Error) return error.message;
  return String(error);
}

// ---- Trading, history and execution (the signal panel and the order manager) ----

export type Side = "buy" | "sell";
export type OrderType = Order["type"];
export type TimeInForce = "day" | "gtc" | "ioc" | "fok";

export interface Fill {
  order_id: string;
  symbol: string;
  side: Side;
  quantity: Decimal;
  price: Decimal;
  fee: Decimal;
  slippage: Decimal;
  ts: string;
}

export interface Trade {
  symbol: string;
  /** A round trip's direction (its orders and fills are buys and sells). */
  side: "long" | "short";
  quantity: Decimal;
  entry_price: Decimal;
  exit_price: Decimal;
  ts_entry: string;
  ts_exit: string;
  fees: Decimal;
  pnl: Decimal;
  gross_pnl: Decimal;
  return_pct: number;
  strategy: string;
  exit_reason: string;
}

export interface AuditEntry {
  id: number;
  ts_recorded: string;
  ts_event: string;
  kind: string;
  message: string;
  details: Record<string, unknown>;
  tick_id: number | null;
}

export interface PlannedOrder {
  symbol: string;
  side: Side;
  type: OrderType;
  quantity: Decimal;
  limit_price: Decimal | null;
  role: string;
  stop_loss: Decimal | null;
  take_profit: Decimal | null;
}

/** What a one-click execution sends (the preview), sized at `price`, the last close. */
export interface ExecutionPlan {
  symbol: string;
  asset_class: string;
  direction: "long" | "short" | "flat";
  price: Decimal;
  quantity: Decimal;
  sized_by: string;
  lots: Decimal | null;
  pip_size: Decimal | null;
  stop_pips: Decimal | null;
  target_pips: Decimal | null;
  notes: string[];
  planned: PlannedOrder[];
}

export interface Executed extends ExecutionPlan {
  orders: Order[];
}

/** The body of POST /portfolios/{id}/orders: decimals as strings, absent fields left out. */
export interface OrderTicket {
  symbol: string;
  side: Side;
  quantity: Decimal;
  type: OrderType;
  time_in_force: TimeInForce;
  limit_price?: Decimal;
  stop_price?: Decimal;
  stop_loss?: Decimal;
  take_profit?: Decimal;
}

export interface OrderChange {
  quantity?: Decimal;
  limit_price?: Decimal;
  stop_price?: Decimal;
}

function idempotent(key: string): Record<string, string> {
  return { "Idempotency-Key": key };
}

const portfolioPath = (portfolioId: number): string => `/portfolios/${portfolioId}`;

export function placeOrder(
  api: ApiClient,
  portfolioId: number,
  ticket: OrderTicket,
  idempotencyKey: string,
): Promise<{ orders: Order[] }> {
  return api.post(`${portfolioPath(portfolioId)}/orders`, ticket, idempotent(idempotencyKey));
}

export function cancelOrder(
  api: ApiClient,
  portfolioId: number,
  orderId: string,
  idempotencyKey: string,
): Promise<Order> {
  const path = `${portfolioPath(portfolioId)}/orders/${encodeURIComponent(orderId)}`;
  return api.request("DELETE", path, {}, undefined, idempotent(idempotencyKey));
}

export function modifyOrder(
  api: ApiClient,
  portfolioId: number,
  orderId: string,
  change: OrderChange,
  idempotencyKey: string,
): Promise<Order> {
  const path = `${portfolioPath(portfolioId)}/orders/${encodeURIComponent(orderId)}`;
  return api.request("PATCH", path, {}, change, idempotent(idempotencyKey));
}

export function closePosition(
  api: ApiClient,
  portfolioId: number,
  symbol: string,
  quantity: Decimal | null,
  idempotencyKey: string,
): Promise<{ orders: Order[] }> {
  const path = `${portfolioPath(portfolioId)}/positions/${encodeURIComponent(symbol)}/close`;
  const body = quantity === null ? undefined : { quantity };
  return api.post(path, body, idempotent(idempotencyKey));
}

export function previewSignal(
  api: ApiClient,
  portfolioId: number,
  signalId: number,
  quantity: Decimal | null,
): Promise<ExecutionPlan> {
  const path = `${portfolioPath(portfolioId)}/signals/${signalId}/execute/preview`;
  return api.get(path, { quantity });
}

export function executeSignal(
  api: ApiClient,
  portfolioId: number,
  signalId: number,
  quantity: Decimal | null,
  idempotencyKey: string,
): Promise<Executed> {
  const path = `${portfolioPath(portfolioId)}/signals/${signalId}/execute`;
  return api.post(path, quantity === null ? {} : { quantity }, idempotent(idempotencyKey));
}

/** One page of a portfolio's list (`orders`, `fills`, `trades`, `signals`, `audit`). */
export function listPage<T>(
  api: ApiClient,
  portfolioId: number,
  resource: "orders" | "fills" | "trades" | "signals" | "audit",
  query: Record<string, string | number | null | undefined> = {},
): Promise<Page<T>> {
  return api.get(`${portfolioPath(portfolioId)}/${resource}`, query);
}
