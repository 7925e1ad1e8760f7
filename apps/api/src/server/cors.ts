import type { IncomingMessage, ServerResponse } from "node:http";

// Which browser origins may call the API: the web app's (CORS_ORIGINS) over HTTP, and for WebSockets
// also the API's own (the playground).

/** Sets the CORS headers of an allowed origin; answers a preflight (OPTIONS) and returns true then. */
export function applyCors(req: IncomingMessage, res: ServerResponse, origins: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin && origins.includes(origin)) {
    res.setHeader("access-control-allow-origin", origin);
    res.setHeader("access-control-allow-credentials", "true");
    res.setHeader(
      "access-control-expose-headers",
      "x-request-id, ratelimit-limit, ratelimit-remaining, ratelimit-reset, retry-after",
    );
  }
  if (req.method !== "OPTIONS") return false;
  res.writeHead(204, {
    "access-control-allow-methods": "GET, POST, OPTIONS",
    "access-control-allow-headers":
      "content-type, apollo-require-preflight, x-apollo-operation-name, x-request-id, authorization",
    "access-control-max-age": "600",
    vary: "Origin",
  });
  res.end();
  return true;
}

/** Browsers may open WebSockets from the web app's origins or the API's own (the playground). */
export function websocketOriginAllowed(req: IncomingMessage, origins: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  if (origins.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
