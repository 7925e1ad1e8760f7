import { createClient } from "graphql-ws";
import WebSocket from "ws";

export interface WsOutcome {
  results: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] }[];
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  closeCode?: number;
}

/** Runs one operation over graphql-ws on a fresh connection and reports what came back. */
export function overWebSocket(
  url: string,
  payload: { query: string; variables?: Record<string, unknown>; operationName?: string },
  options: { origin?: string; token?: string } = {},
): Promise<WsOutcome> {
  const { origin, token } = options;
  return new Promise((resolve) => {
    const outcome: WsOutcome = { results: [] };
    const client = createClient({
      url: url.replace(/^http/, "ws"),
      webSocketImpl: class extends WebSocket {
        constructor(address: string, protocols?: string | string[]) {
          super(address, protocols, origin ? { headers: { origin } } : {});
        }
      },
      connectionParams: token ? { token } : undefined,
      retryAttempts: 0,
      lazyCloseTimeout: 0,
      on: {
        closed: (event) => {
          outcome.closeCode = (event as { code?: number }).code;
        },
      },
    });
    const finish = () => {
      void client.dispose();
      resolve(outcome);
    };
    client.subscribe(payload, {
      next: (value) => {
        outcome.results.push(value as WsOutcome["results"][number]);
        // A subscription would go on: its first event is enough.
        if (payload.query.trimStart().startsWith("subscription")) finish();
      },
      error: (error) => {
        if (Array.isArray(error)) outcome.errors = error;
        else outcome.closeCode ??= (error as { code?: number }).code;
        finish();
      },
      complete: finish,
    });
  });
}
