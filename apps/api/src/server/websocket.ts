import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { type DocumentNode, GraphQLError, type GraphQLSchema } from "graphql";
// Aliased: the name `useServer` reads like a React hook to the linter.
import { useServer as serveGraphQLOverWebSocket } from "graphql-ws/use/ws";
import { type WebSocket, WebSocketServer } from "ws";
import type { Config } from "../config.js";
import { subscriptionAccess } from "../graphql/authorized-subscriptions.js";
import { type Context, createContext, type Services } from "../graphql/context.js";
import { type OperationLimiter, withoutHttp } from "../graphql/limits.js";
import { createSharedSubscribe, type Delivery } from "../graphql/shared-subscriptions.js";
import { createWebSocketFormatter, operationRequestErrors } from "../graphql/websocket-errors.js";
import { clientOf } from "../http/client.js";
import { sessionTokenFrom, socketSession } from "../http/session-cookie.js";
import { incomingRequestId } from "../http/util.js";
import type { Logger } from "../infra/logger.js";
import type { Metrics } from "../infra/metrics.js";
import { AppError, ErrorCode } from "../kernel/errors.js";
import type { Viewer } from "../kernel/viewer.js";
import { LruMap } from "../lib/lru-map.js";
import { websocketOriginAllowed } from "./cors.js";
import { MAX_BODY_BYTES } from "./graphql-http.js";

// The WebSocket transport (graphql-ws on /graphql): who is on each socket, per-socket limits and
// access, and the last hop of shared subscriptions (a seat map delta goes from its broadcast group
// straight to each subscriber's socket through the Delivery on the operation's context).

// A subscriber whose socket has this much unsent data is too slow to keep: it is disconnected (1013)
// and, like any client after a reconnect, refetches the seat map.
const MAX_SOCKET_BACKLOG_BYTES = 4 * 1024 * 1024;

export function socketDelivery(socket: WebSocket, id: string): Delivery {
  return {
    id,
    send(message) {
      if (socket.readyState !== socket.OPEN) return false;
      if (socket.bufferedAmount > MAX_SOCKET_BACKLOG_BYTES) {
        socket.close(1013, "Too far behind; reconnect and refetch");
        return false;
      }
      socket.send(message);
      return true;
    },
  };
}

/**
 * graphql-ws does not cache parsing and validation: this does, once per distinct query text, through the
 * limiter (token limit, document bounds, the HTTP path's error codes).
 */
function documentCache(limiter: OperationLimiter) {
  const parsedDocuments = new LruMap<string, DocumentNode | readonly GraphQLError[]>(1_000);
  return function parseAndValidate(query: string): DocumentNode | readonly GraphQLError[] {
    const known = parsedDocuments.get(query);
    if (known) return known;
    const result = limiter.parseAndValidate(query);
    parsedDocuments.set(query, result);
    return result;
  };
}

export interface WebSocketDependencies {
  config: Config;
  httpServer: Server;
  schema: GraphQLSchema;
  limiter: OperationLimiter;
  services: Services;
  log: Logger;
  metrics: Metrics;
}

export interface WebSocketTransport {
  /** Says goodbye to every client (graphql-ws closes each socket with 1001). */
  dispose(): Promise<void>;
}

/** Who is on a socket: settled once when it opens (session cookie, or connectionParams.token). */
interface SocketState {
  requestId: string;
  token: string | undefined;
  viewer: Viewer | null;
}

export function attachWebSocketTransport(deps: WebSocketDependencies): WebSocketTransport {
  const { config, httpServer, schema, limiter, services, log, metrics } = deps;
  const parseAndValidate = documentCache(limiter);
  const wsFormat = createWebSocketFormatter(config.NODE_ENV !== "production");
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY_BYTES });
  const sockets = new WeakMap<IncomingMessage, SocketState>();
  const socketContext = (req: IncomingMessage, delivery: Delivery | null): Context => {
    const state = sockets.get(req) ?? { requestId: randomUUID(), token: undefined, viewer: null };
    return createContext({
      services,
      log,
      requestId: state.requestId,
      viewer: state.viewer,
      session: socketSession(state.token),
      client: clientOf(req, config.TRUST_PROXY),
      delivery,
    });
  };
  const wsServer = serveGraphQLOverWebSocket(
    {
      schema,
      onConnect: async (ctx) => {
        const param = ctx.connectionParams?.token;
        const token = typeof param === "string" ? param : sessionTokenFrom(ctx.extra.request);
        const viewer = await services.auth.viewerFor(token);
        sockets.set(ctx.extra.request, {
          requestId: incomingRequestId(ctx.extra.request) ?? randomUUID(),
          token,
          viewer,
        });
        return true;
      },
      context: (ctx) => socketContext(ctx.extra.request, null),
      subscribe: createSharedSubscribe(
        {
          executed: () => metrics.subscriptionResults.inc({ source: "executed" }),
          reused: (count) => metrics.subscriptionResults.inc({ source: "reused" }, count),
          unshared: () => metrics.subscriptionResults.inc({ source: "unshared" }),
        },
        wsFormat.result,
      ),
      // The HTTP path's codes and masking (graphql/websocket-errors.ts).
      onNext: (_ctx, _id, _payload, _args, result) => wsFormat.result(result),
      onError: (_ctx, _id, _payload, errors) => wsFormat.errors(errors),
      onSubscribe: (ctx, id, payload) => {
        // graphql-ws has registered this subscription already: it counts itself.
        const limit = config.MAX_SUBSCRIPTIONS_PER_SOCKET;
        if (Object.keys(ctx.subscriptions).length > limit) {
          return [
            new AppError(
              ErrorCode.RATE_LIMITED,
              `At most ${limit} subscriptions at once on one connection: complete one first`,
              { limit },
            ),
          ];
        }
        const parsed = parseAndValidate(payload.query);
        if (!("kind" in parsed)) return parsed;
        // Private subscriptions (a fan's own queue status) need a signed-in socket: refuse it whole.
        const viewer = sockets.get(ctx.extra.request)?.viewer ?? null;
        const access = subscriptionAccess(schema, parsed, payload.operationName, viewer);
        if (access !== "allowed") {
          const [code, reason] = access === "unauthenticated" ? [4401, "Unauthorized"] : [4403, "Forbidden"];
          ctx.extra.socket.close(code, reason);
          return [new AppError(code === 4401 ? ErrorCode.UNAUTHENTICATED : ErrorCode.FORBIDDEN, reason)];
        }
        const requestErrors = operationRequestErrors(
          schema,
          parsed,
          payload.operationName,
          payload.variables,
        );
        if (requestErrors) return requestErrors;
        try {
          limiter.check(parsed, payload.operationName, payload.variables);
        } catch (error) {
          if (error instanceof GraphQLError) return [withoutHttp(error)];
          throw error;
        }
        return {
          schema,
          document: parsed,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: socketContext(ctx.extra.request, socketDelivery(ctx.extra.socket, id)),
        };
      },
    },
    wss,
  );
  httpServer.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname !== "/graphql" || !websocketOriginAllowed(req, config.CORS_ORIGINS)) {
      socket.end(`HTTP/1.1 ${url.pathname === "/graphql" ? "403 Forbidden" : "404 Not Found"}\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  });
  return {
    async dispose() {
      await wsServer.dispose();
    },
  };
}
