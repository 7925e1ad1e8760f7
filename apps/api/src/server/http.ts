import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { Config } from "../config.js";
import type { PlaygroundHandler } from "../http/playground.js";
import { incomingRequestId, sendGraphQLError, sendJson } from "../http/util.js";
import {
  DATABASE_OUTAGE_MESSAGE,
  DATABASE_RETRY_AFTER_SECONDS,
  isDatabaseOutage,
} from "../infra/database-outage.js";
import type { Logger } from "../infra/logger.js";
import type { Metrics } from "../infra/metrics.js";
import { ErrorCode } from "../kernel/errors.js";
import { applyCors } from "./cors.js";
import type { GraphQLHttpHandler } from "./graphql-http.js";
import type { Route } from "./routes.js";

// The HTTP pipeline, stage by stage: request id and accounting, CORS, the playground, the operational
// routes, GraphQL; a database outage becomes a 503 to retry, anything else unexpected a 500 that names
// no internals.

export interface HttpStages {
  config: Config;
  log: Logger;
  metrics: Metrics;
  playground: PlaygroundHandler;
  routes: Map<string, Route>;
  graphql: GraphQLHttpHandler;
}

export interface HttpServer {
  server: Server;
  /** Requests started and not yet closed (shutdown waits for them). */
  inFlight(): number;
}

export function createHttpServer({
  config,
  log,
  metrics,
  playground,
  routes,
  graphql,
}: HttpStages): HttpServer {
  let inFlight = 0;
  // One line per request only at LOG_LEVEL=debug or below; the hot path does not even build it otherwise.
  const logEachRequest = log.isLevelEnabled("debug");
  const server = createServer(async (req, res) => {
    const started = process.hrtime.bigint();
    const requestId = incomingRequestId(req) ?? randomUUID();
    const url = new URL(req.url ?? "/", "http://localhost");
    const route = url.pathname === "/graphql" || routes.has(url.pathname) ? url.pathname : "other";
    inFlight++;
    res.setHeader("x-request-id", requestId);
    res.on("close", () => {
      inFlight--;
      metrics.httpRequests.inc({ route, status: String(res.statusCode) });
      if (!logEachRequest) return;
      log.debug(
        {
          requestId,
          method: req.method,
          path: url.pathname,
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        },
        "request",
      );
    });
    try {
      if (applyCors(req, res, config.CORS_ORIGINS)) return;
      if (playground(req, res)) return;
      if (url.pathname === "/graphql") {
        await graphql(req, res, url, requestId);
        return;
      }
      const operational = routes.get(url.pathname);
      if (operational) await operational(req, res);
      else sendJson(res, 404, { error: "Not found", path: url.pathname });
    } catch (error) {
      const outage = isDatabaseOutage(error);
      if (outage) log.warn({ err: error, requestId }, "request failed: database unavailable");
      else log.error({ err: error, requestId }, "request failed");
      if (res.headersSent) res.destroy();
      else if (outage) {
        // A download or an export while Postgres restarts: "retry", as GraphQL says it (format-error.ts).
        res.setHeader("retry-after", String(DATABASE_RETRY_AFTER_SECONDS));
        sendGraphQLError(res, 503, ErrorCode.SERVICE_UNAVAILABLE, DATABASE_OUTAGE_MESSAGE, {
          retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
        });
      } else sendGraphQLError(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, "Internal server error");
    }
  });
  return { server, inFlight: () => inFlight };
}
