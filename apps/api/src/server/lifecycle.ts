import type { Config } from "../config.js";
import type { HttpServer } from "./http.js";
import type { WebSocketTransport } from "./websocket.js";

// Listening and the orderly stop: drain the transports first, then stop what runs beside them.

export function listen({ server }: HttpServer, config: Config): Promise<{ port: number }> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.PORT, config.HOST, () => {
      const address = server.address();
      resolve({ port: typeof address === "object" && address ? address.port : config.PORT });
    });
  });
}

/**
 * Refuses new connections, says goodbye to WebSocket clients and lets running requests finish for up
 * to SHUTDOWN_GRACE_MS; then cuts what is left. Returns the deadline later stages may still use.
 */
export async function drainTransports(
  http: HttpServer,
  websocket: WebSocketTransport,
  config: Config,
): Promise<number> {
  http.server.close();
  http.server.closeIdleConnections();
  await websocket.dispose();
  const deadline = Date.now() + config.SHUTDOWN_GRACE_MS;
  while (http.inFlight() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  http.server.closeAllConnections();
  return deadline;
}
