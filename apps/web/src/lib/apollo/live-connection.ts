import { type Client, createClient } from "graphql-ws";

export type LiveConnectionStatus = "idle" | "connecting" | "connected" | "reconnecting";

export interface LiveConnectionState {
  status: LiveConnectionStatus;
  /** Counts successful connections: a subscriber that sees it grow may have missed messages meanwhile. */
  generation: number;
}

/** The browser's one WebSocket to the API (graphql-ws), with its state observable from React. */
export interface LiveConnection {
  client: Client;
  getState: () => LiveConnectionState;
  subscribe: (listener: () => void) => () => void;
}

// Backoff between reconnection attempts: quick at first, then at most every 10 s, with jitter so that
// thousands of fans dropped by one API restart do not all come back in the same instant.
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 10_000;
// A ping every 12 s notices a dead connection (sleep, a dropped proxy) that TCP alone would not.
const KEEP_ALIVE_MS = 12_000;

function retryDelay(retries: number): number {
  const ceiling = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** retries);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

function closeCode(event: unknown): number | undefined {
  return typeof event === "object" && event !== null && "code" in event && typeof event.code === "number"
    ? event.code
    : undefined;
}

/** `http(s)://host/graphql` becomes `ws(s)://host/graphql`: subscriptions share the API's URL. */
export function webSocketUrl(httpUrl: string): string {
  const url = new URL(httpUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

export function createLiveConnection(httpUrl: string): LiveConnection {
  let state: LiveConnectionState = { status: "idle", generation: 0 };
  const listeners = new Set<() => void>();
  const update = (next: Partial<LiveConnectionState>) => {
    state = { ...state, ...next };
    for (const listener of listeners) listener();
  };

  const client = createClient({
    url: webSocketUrl(httpUrl),
    // Connect only while something is subscribed; the browser sends the session cookie on the upgrade.
    lazy: true,
    keepAlive: KEEP_ALIVE_MS,
    // A live page should come back however long the API was away, not give up after five tries.
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, retryDelay(retries))),
    on: {
      connecting: () => update({ status: state.status === "reconnecting" ? "reconnecting" : "connecting" }),
      connected: () => update({ status: "connected", generation: state.generation + 1 }),
      // 1000 is the client closing an unused lazy connection; anything else is a drop it will retry.
      closed: (event) => update({ status: closeCode(event) === 1000 ? "idle" : "reconnecting" }),
    },
  });

  return {
    client,
    getState: () => state,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
