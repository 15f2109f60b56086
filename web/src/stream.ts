// One WebSocket client for both streams (/ws/trading and /ws/prices): it signs in with the key
// in its first message (so the key stays out of URLs and access logs), reconnects with a
// growing delay after a drop, resumes with `after` = the last sequence it delivered, and drops
// anything at or below that sequence, so listeners see every event once, in order.

export type StreamChannel = "trading" | "prices";

/** connecting: first attempt; open: signed in and streaming; reconnecting: waiting to retry
 * after a drop; refused: the server refused the key or a parameter (no retry); closed: stopped. */
export type ConnectionState = "connecting" | "open" | "reconnecting" | "refused" | "closed";

export interface StreamMessage {
  type: string;
  sequence: number | null;
  timestamp: string | null;
  portfolio_id: number | null;
  event: string | null;
  data: Record<string, unknown>;
}

export interface StreamOptions {
  channel: StreamChannel;
  key: string;
  /** /ws/prices: the symbols to stream. */
  symbols?: string[];
  /** Resume after this sequence on the first connection (default: live only). */
  after?: number;
  /** First retry delay in ms (doubles on each failure up to maxDelayMs). */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

type Listener = (message: StreamMessage) => void;
type StateListener = (state: ConnectionState, detail: string) => void;

// Close codes after which retrying cannot help (docs/api-streams.md).
const REFUSED_CODES = new Set([1008, 4400]);
const CONTROL_TYPES = new Set(["subscribed", "symbols", "error"]);

export class StreamClient {
  private socket: WebSocket | null = null;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly stateListeners = new Set<StateListener>();
  private retryTimer: number | null = null;
  private failures = 0;
  private stopped = true;
  private holdUntil = 0;
  private currentState: ConnectionState = "closed";
  private currentDetail = "";
  private last: number | null;
  private symbols: string[];

  constructor(private readonly options: StreamOptions) {
    this.last = options.after ?? null;
    this.symbols = [...(options.symbols ?? [])];
  }

  get channel(): StreamChannel {
    return this.options.channel;
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  get detail(): string {
    return this.currentDetail;
  }

  /** The last sequence delivered to the listeners (null before any). */
  get lastSequence(): number | null {
    return this.last;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect("connecting");
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer !== null) window.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, "client stopped");
    this.setState("closed", "");
  }

  /** Closes the socket as a network drop would: the client reconnects, no sooner than
   * `holdMs` from now, and resumes after the last sequence it delivered. */
  drop(holdMs = 0): void {
    this.holdUntil = Date.now() + holdMs;
    this.socket?.close(4000, "dropped by the client");
  }

  /** Listens to one message type (`"*"`: every message); returns the unsubscribe function. */
  on(type: string, listener: Listener): () => void {
    let set = this.listeners.get(type);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(type, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  onState(listener: StateListener): () => void {
    this.stateListeners.add(listener);
    listener(this.currentState, this.currentDetail);
    return () => this.stateListeners.delete(listener);
  }

  /** /ws/prices: adds symbols to the stream (kept across reconnects). */
  subscribe(symbols: string[]): void {
    const added = symbols.filter((symbol) => !this.symbols.includes(symbol));
    if (added.length === 0) return;
    this.symbols.push(...added);
    this.send({ action: "subscribe", symbols: added });
  }

  unsubscribe(symbols: string[]): void {
    this.symbols = this.symbols.filter((symbol) => !symbols.includes(symbol));
    this.send({ action: "unsubscribe", symbols });
  }

  private send(message: unknown): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private url(): string {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    const url = new URL(`${scheme}//${window.location.host}/ws/${this.options.channel}`);
    if (this.options.channel === "prices" && this.symbols.length > 0) {
      url.searchParams.set("symbols", this.symbols.join(","));
    }
    return url.toString();
  }

  private connect(state: ConnectionState): void {
    this.setState(state, this.currentDetail);
    const socket = new WebSocket(this.url());
    this.socket = socket;
    socket.addEventListener("open", () => {
      const auth: Record<string, unknown> = { action: "auth", key: this.options.key };
      if (this.last !== null) auth["after"] = this.last;
      socket.send(JSON.stringify(auth));
    });
    socket.addEventListener("message", (event: MessageEvent<unknown>) => {
      if (socket !== this.socket || typeof event.data !== "string") return;
      this.receive(JSON.parse(event.data) as StreamMessage);
    });
    socket.addEventListener("close", (event: CloseEvent) => {
      if (socket !== this.socket) return;
      this.socket = null;
      this.closed(event.code, event.reason);
    });
  }

  private receive(message: StreamMessage): void {
    if (message.type === "subscribed") {
      this.failures = 0;
      // Without `after` the stream is live from the tailer's position: nothing at or below it
      // will come, so resuming from there later misses nothing.
      if (this.last === null && message.sequence !== null) this.last = message.sequence;
      this.setState("open", "");
    }
    if (!CONTROL_TYPES.has(message.type) && message.sequence !== null) {
      if (this.last !== null && message.sequence <= this.last) return; // already delivered
      this.last = message.sequence;
    }
    this.emit(message.type, message);
    this.emit("*", message);
  }

  private emit(type: string, message: StreamMessage): void {
    for (const listener of this.listeners.get(type) ?? []) listener(message);
  }

  private closed(code: number, reason: string): void {
    if (this.stopped) return;
    if (REFUSED_CODES.has(code)) {
      this.stopped = true;
      this.setState("refused", reason || `closed with ${code}`);
      return;
    }
    this.failures += 1;
    const initial = this.options.initialDelayMs ?? 500;
    const maximum = this.options.maxDelayMs ?? 15_000;
    const delay = Math.min(maximum, initial * 2 ** (this.failures - 1));
    const jittered = Math.max(delay / 2 + Math.random() * (delay / 2), this.holdUntil - Date.now());
    this.setState("reconnecting", reason || `connection lost (${code})`);
    this.retryTimer = window.setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) this.connect("reconnecting");
    }, jittered);
  }

  private setState(state: ConnectionState, detail: string): void {
    if (state === this.currentState && detail === this.currentDetail) return;
    this.currentState = state;
    this.currentDetail = detail;
    for (const listener of this.stateListeners) listener(state, detail);
  }
}
