import { randomUUID } from "node:crypto";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { setImmediate as nextLoopTurn } from "node:timers/promises";
import { HeaderMap } from "@apollo/server";
import { type DocumentNode, GraphQLError, type GraphQLSchema, parse, validate } from "graphql";
// Aliased: the name `useServer` reads like a React hook to the linter.
import { useServer as serveGraphQLOverWebSocket } from "graphql-ws/use/ws";
import { type WebSocket, WebSocketServer } from "ws";
import type { Config } from "./config.js";
import { AppError, ErrorCode } from "./errors.js";
import { createApollo } from "./graphql/apollo.js";
import { subscriptionAccess } from "./graphql/authorized-subscriptions.js";
import { type Context, createContext, type Services } from "./graphql/context.js";
import { OperationLimiter } from "./graphql/limits.js";
import { createSharedSubscribe, type Delivery } from "./graphql/shared-subscriptions.js";
import { createPlayground, playgroundAssetsDir } from "./http/playground.js";
import {
  type CachedResponse,
  compress,
  type FreshResponse,
  pickEncoding,
  ResponseCache,
  requestKey,
} from "./http/response-cache.js";
import { httpSession, isHttps, sessionTokenFrom, socketSession } from "./http/session-cookie.js";
import { BodyTooLargeError, incomingRequestId, readBody, sendGraphQLError, sendJson } from "./http/util.js";
import { createLogger, type Logger } from "./infra/logger.js";
import { createMetrics } from "./infra/metrics.js";
import { createPrisma, type Db } from "./infra/prisma.js";
import { createPubSub } from "./infra/pubsub.js";
import { RateLimits, rateLimitRules } from "./infra/rate-limits.js";
import { createRedis, pingRedis, type RedisClient } from "./infra/redis.js";
import { SeatLocks } from "./infra/seat-locks.js";
import { createSqlPool } from "./infra/sql.js";
import { LruMap } from "./lib/lru-map.js";
import { AccountBlockingService } from "./modules/admin/account-blocking.service.js";
import { AdmissionSpeedWatch } from "./modules/admin/admission-speed.js";
import { type ApiKeyPrincipal, ApiKeysService } from "./modules/admin/api-keys.service.js";
import { BotSignalsService } from "./modules/admin/bot-signals.service.js";
import { QueueEviction } from "./modules/admin/queue-eviction.js";
import { AuthService } from "./modules/auth/auth.service.js";
import { SessionStore, type Viewer } from "./modules/auth/session-store.js";
import { CatalogService } from "./modules/catalog/catalog.service.js";
import { HoldSweeper } from "./modules/holds/hold-sweeper.js";
import { HoldsService } from "./modules/holds/holds.service.js";
import { FakeGateway } from "./modules/orders/fake-gateway.js";
import { type CheckoutFaults, OrdersService } from "./modules/orders/orders.service.js";
import { OutboxRelay, RedisOutboxSink } from "./modules/orders/outbox.js";
import { PaymentRecovery } from "./modules/orders/payment-recovery.js";
import type { PaymentProvider } from "./modules/orders/payments.js";
import { signingKeyFromSeed, TicketCodes } from "./modules/orders/ticket-codes.js";
import { AdmissionTokens } from "./modules/queue/admission-token.js";
import { ProofOfWorkService } from "./modules/queue/proof-of-work.js";
import { QUEUE_TICK, QueueService } from "./modules/queue/queue.service.js";
import { QueueLeader } from "./modules/queue/queue-leader.js";
import { QueueRecords } from "./modules/queue/queue-records-store.js";
import { QueueStore } from "./modules/queue/queue-store.js";
import type { SeatChangeNotifier } from "./modules/seating/seat-changes.js";
import { SeatMapLive } from "./modules/seating/seat-map-live.js";
import { SeatingService } from "./modules/seating/seating.service.js";
import { buildFrontrowSchema } from "./schema/build-schema.js";

const MAX_BODY_BYTES = 256 * 1024;
// A subscriber whose socket has this much unsent data is too slow to keep: it is disconnected (1013)
// and, like any client after a reconnect, refetches the seat map.
const MAX_SOCKET_BACKLOG_BYTES = 4 * 1024 * 1024;

function socketDelivery(socket: WebSocket, id: string): Delivery {
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
const COMPRESS_ABOVE_BYTES = 1024;

export interface FrontrowServer {
  config: Config;
  log: Logger;
  db: Db;
  redis: RedisClient;
  schema: GraphQLSchema;
  /** Where committed seat changes are reported: they become live seat map deltas. */
  seatChanges: SeatChangeNotifier;
  /** Ends expired holds every HOLD_SWEEP_INTERVAL_MS; `sweep()` runs it now. */
  holdSweeper: HoldSweeper;
  /** Moves the waiting rooms while this instance holds the lease (started when QUEUE_LEADER). */
  queueLeader: QueueLeader;
  /** Settles payments that checkouts or cancellations left half-done; `runNow()` runs it now. */
  paymentRecovery: PaymentRecovery;
  /** Delivers outbox events (order.confirmed, order.cancelled); `runNow()` runs it now. */
  outboxRelay: OutboxRelay;
  payments: PaymentProvider;
  listen(): Promise<{ port: number }>;
  close(): Promise<void>;
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Apollo Server's CSRF rule: only these requests can run GraphQL, so only these may use the cache. */
function isPreflighted(req: IncomingMessage): boolean {
  const contentType = req.headers["content-type"] ?? "";
  if (/^application\/json/i.test(contentType)) return true;
  return Boolean(req.headers["apollo-require-preflight"] || req.headers["x-apollo-operation-name"]);
}

export interface ServerOverrides {
  log?: Logger;
  /** A Prisma client to use instead of one built from the config (tests count its queries). */
  db?: Db;
  /** Test hook: lets a test "crash" a checkout at each step, to prove that recovery settles it. */
  checkoutFaults?: CheckoutFaults;
}

export async function createServer(config: Config, overrides: ServerOverrides = {}): Promise<FrontrowServer> {
  const production = config.NODE_ENV === "production";
  const log = overrides.log ?? createLogger(config.LOG_LEVEL);
  const idleInTransactionTimeoutMs = config.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS;
  const db =
    overrides.db ??
    createPrisma(config.DATABASE_URL, { poolSize: config.DATABASE_POOL_SIZE, idleInTransactionTimeoutMs });
  const sql = createSqlPool(config.DATABASE_URL, {
    max: config.DATABASE_POOL_SIZE,
    idleInTransactionTimeoutMs,
    onIdleError: (error) => log.warn({ err: error.message }, "idle Postgres connection failed"),
  });
  const redisSettings = {
    url: config.REDIS_URL,
    keyPrefix: config.REDIS_KEY_PREFIX,
    commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
  };
  const redis = createRedis(redisSettings, "main");
  redis.on("error", (error: Error) => log.warn({ err: error.message }, "redis connection error"));
  // Start with Redis when it is there (rate limits and locks count in it from the first request);
  // without it the API still serves, and ioredis keeps reconnecting in the background.
  await withTimeout(redis.connect(), 2_000).catch((error: Error) =>
    log.warn({ err: error.message }, "starting without Redis"),
  );

  const metrics = createMetrics();
  const sessions = new SessionStore(
    db,
    redis,
    log,
    config.SESSION_TTL_SECONDS,
    config.REDIS_RETRY_AFTER_MS,
    config.SESSION_LOCAL_CACHE_MS,
  );
  const pubSub = createPubSub(redisSettings, log);
  const seating = new SeatingService(db);
  const seatMapLive = new SeatMapLive(db, pubSub, seating, log, metrics, {
    coalesceMs: config.SEAT_MAP_COALESCE_MS,
    auditIntervalMs: config.SEAT_MAP_AUDIT_INTERVAL_MS,
  });
  seatMapLive.start();
  const holdEffects = {
    notifier: seatMapLive,
    seatLocks: new SeatLocks(redis, metrics.seatLocks, log, {
      retryAfterMs: config.REDIS_RETRY_AFTER_MS,
    }),
  };
  const holdSweeper = new HoldSweeper(db, holdEffects, log, {
    intervalMs: config.HOLD_SWEEP_INTERVAL_MS,
    batchSize: config.HOLD_SWEEP_BATCH,
  });
  holdSweeper.start();
  const queueStore = new QueueStore(redis);
  const queueRecords = new QueueRecords(sql);
  const admissionTokens = new AdmissionTokens(config.ADMISSION_TOKEN_SECRET);
  const queue = new QueueService(db, queueStore, queueRecords, admissionTokens, log, {
    heartbeatIntervalSeconds: config.QUEUE_HEARTBEAT_INTERVAL_SECONDS,
    settingsCacheMs: 1_000,
    redisRetryAfterMs: config.REDIS_RETRY_AFTER_MS,
  });
  const queueLeader = new QueueLeader(
    {
      redis,
      store: queueStore,
      rooms: queue.rooms,
      records: queueRecords,
      queueEvent: (eventId) => queue.queueEvent(eventId),
      broadcast: (tick) => pubSub.publish(QUEUE_TICK, tick.eventId, tick),
      log,
      metrics,
    },
    {
      tickMs: config.QUEUE_TICK_MS,
      leaseMs: config.QUEUE_LEASE_MS,
      heartbeatGraceMs: config.QUEUE_HEARTBEAT_GRACE_SECONDS * 1000,
    },
  );
  if (config.QUEUE_LEADER) queueLeader.start();
  const holds = new HoldsService(
    db,
    sql,
    seating,
    holdEffects,
    {
      maxSeatsPerHold: config.HOLD_MAX_SEATS,
      batchConcurrency: config.HOLD_BATCH_CONCURRENCY,
      onBatch: (holds) => metrics.holdBatchHolds.observe(holds),
    },
    queue,
  );
  const botSignals = new BotSignalsService(db, redis, log, metrics.botSignals, {
    signUpsPerIpBeforeSignal: config.SIGNUPS_PER_IP_BEFORE_SIGNAL,
  });
  // The only provider so far is the built-in fake gateway (docs/orders.md says how to add a real one).
  const payments = new FakeGateway(sql);
  const ticketCodes = new TicketCodes(
    signingKeyFromSeed(config.TICKET_SIGNING_KEY),
    config.TICKET_CODE_WINDOW_SECONDS,
  );
  const paymentRecovery = new PaymentRecovery(db, sql, payments, log, {
    intervalMs: config.PAYMENT_RECOVERY_INTERVAL_MS,
    staleAfterMs: config.PAYMENT_RECOVERY_STALE_MS,
  });
  paymentRecovery.start();
  const outboxRelay = new OutboxRelay(db, new RedisOutboxSink(redis, config.REDIS_KEY_PREFIX), log, {
    intervalMs: config.OUTBOX_RELAY_INTERVAL_MS,
  });
  outboxRelay.start();
  const services: Services = {
    auth: new AuthService(db, redis, sessions, {
      attemptsPerIpPerMinute: config.LOGIN_ATTEMPTS_PER_IP_PER_MINUTE,
      failuresPerAccount: config.LOGIN_FAILURES_PER_ACCOUNT,
      accountWindowSeconds: config.LOGIN_FAILURE_WINDOW_SECONDS,
    }),
    catalog: new CatalogService(db),
    seating,
    holds,
    rateLimits: new RateLimits(
      redis,
      rateLimitRules(config.RATE_LIMITS),
      metrics.rateLimitDecisions,
      log,
      config.REDIS_RETRY_AFTER_MS,
    ),
    botSignals,
    apiKeys: new ApiKeysService(db, redis, log, config.REDIS_RETRY_AFTER_MS),
    accounts: new AccountBlockingService(
      db,
      sessions,
      holds,
      botSignals,
      log,
      new QueueEviction({
        rooms: () => queue.rooms.open(),
        leave: (eventId, userId) => queue.leaveRoom(eventId, userId),
      }),
    ),
    proofOfWork: new ProofOfWorkService(db, redis, botSignals, log, {
      secret: config.POW_SECRET,
      ttlSeconds: config.POW_CHALLENGE_TTL_SECONDS,
      redisRetryAfterMs: config.REDIS_RETRY_AFTER_MS,
    }),
    queue,
    admissionSpeed: new AdmissionSpeedWatch(
      admissionTokens,
      queue,
      botSignals,
      config.FAST_HOLD_AFTER_ADMISSION_MS,
    ),
    orders: new OrdersService(
      db,
      sql,
      payments,
      ticketCodes,
      holdEffects,
      log,
      { duplicateWaitMs: 10_000 },
      overrides.checkoutFaults,
    ),
  };
  const schema = await buildFrontrowSchema(pubSub);
  const limiter = new OperationLimiter(schema, {
    maxDepth: config.MAX_QUERY_DEPTH,
    maxCost: config.MAX_QUERY_COST,
  });
  const apollo = createApollo({ schema, limiter, metrics, production });
  await apollo.start();
  const responseCache = new ResponseCache(64 * 1024 * 1024);
  const playground = createPlayground({ assetsDir: playgroundAssetsDir, webAppUrl: config.WEB_APP_URL });

  function clientOf(req: IncomingMessage) {
    const forwarded = config.TRUST_PROXY ? req.headers["x-forwarded-for"] : undefined;
    const ip =
      (typeof forwarded === "string" ? forwarded.split(",")[0]?.trim() : undefined) ??
      req.socket.remoteAddress;
    const userAgent = req.headers["user-agent"];
    return { ip, userAgent };
  }

  async function executeGraphQL(
    req: IncomingMessage,
    method: string,
    search: string,
    body: unknown,
    requestId: string,
    apiKey: { key: ApiKeyPrincipal; viewer: Viewer } | null,
  ): Promise<FreshResponse> {
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    }
    const setCookies: string[] = [];
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method, headers, search, body },
      context: async () => {
        // A request with an API key acts as the key's owner, whatever cookie it carries.
        const token = apiKey ? undefined : sessionTokenFrom(req);
        return createContext({
          db,
          services,
          log,
          requestId,
          viewer: apiKey ? apiKey.viewer : await services.auth.viewerFor(token),
          session: httpSession(token, isHttps(req, config.TRUST_PROXY), setCookies),
          client: clientOf(req),
          apiKey: apiKey?.key,
        });
      },
    });
    if (response.body.kind !== "complete") {
      // Incremental delivery needs graphql 17; the schema offers no @defer/@stream.
      throw new Error("Unexpected chunked GraphQL response");
    }
    return {
      status: response.status ?? 200,
      headers: response.headers,
      setCookies,
      body: response.body.string,
    };
  }

  async function sendGraphQLResponse(
    req: IncomingMessage,
    res: ServerResponse,
    response: CachedResponse | FreshResponse,
  ): Promise<void> {
    const encoding = pickEncoding(req.headers["accept-encoding"]);
    const headOnly = req.method === "HEAD";
    res.setHeader("vary", "Accept-Encoding, Origin");
    if ("etag" in response) {
      res.setHeader("content-type", response.contentType);
      res.setHeader("cache-control", response.cacheControl);
      res.setHeader("etag", response.etag);
      if (req.headers["if-none-match"] === response.etag) {
        res.writeHead(304).end();
        return;
      }
      const payload =
        encoding === "identity" ? response.body : await responseCache.encoded(response, encoding);
      if (encoding !== "identity") res.setHeader("content-encoding", encoding);
      res.writeHead(response.status, { "content-length": payload.length });
      res.end(headOnly ? undefined : payload);
      return;
    }
    for (const [name, value] of response.headers) res.setHeader(name, value);
    if (response.setCookies.length) res.setHeader("set-cookie", response.setCookies);
    let payload: Buffer = Buffer.from(response.body);
    if (encoding !== "identity" && payload.length > COMPRESS_ABOVE_BYTES) {
      payload = await compress(payload, encoding);
      res.setHeader("content-encoding", encoding);
    }
    res.writeHead(response.status, { "content-length": payload.length });
    res.end(headOnly ? undefined : payload);
  }

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string) {
    const method = req.method === "HEAD" ? "GET" : (req.method ?? "GET");
    if (method !== "GET" && method !== "POST") {
      res.setHeader("allow", "GET, POST, OPTIONS");
      sendGraphQLError(res, 405, "BAD_REQUEST", "GraphQL accepts GET and POST only");
      return;
    }
    let rawBody = "";
    let body: unknown;
    if (method === "POST") {
      try {
        rawBody = await readBody(req, MAX_BODY_BYTES);
      } catch (error) {
        if (error instanceof BodyTooLargeError) {
          res.setHeader("connection", "close");
          sendGraphQLError(res, 413, "BAD_REQUEST", error.message);
          return;
        }
        throw error;
      }
      if (/^application\/json/i.test(req.headers["content-type"] ?? "")) {
        try {
          body = JSON.parse(rawBody);
        } catch {
          sendGraphQLError(res, 400, "BAD_REQUEST", "The request body is not valid JSON");
          return;
        }
      } else {
        body = rawBody;
      }
    }
    let apiKey: Awaited<ReturnType<typeof services.apiKeys.authenticate>>;
    try {
      apiKey = await services.apiKeys.authenticate(req.headers.authorization);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const code = String(error.extensions.code);
      sendGraphQLError(res, code === ErrorCode.FORBIDDEN ? 403 : 401, code, error.message);
      return;
    }
    // Run the operation in the event loop's check phase, after the poll phase has read every socket that
    // was ready: under load the requests of one loop turn then go through Apollo one after another and
    // their responses are written together. Measured: ~25% less CPU per `{ __typename }` at saturation
    // (docs/benchmarks.md, "The request pipeline"); an idle server only adds one loop turn.
    await nextLoopTurn();
    const execute = () => executeGraphQL(req, method, url.search, body, requestId, apiKey);
    // API-key requests are charged per operation and report their cost: never answered from the cache.
    if (!isPreflighted(req) || apiKey) {
      await sendGraphQLResponse(req, res, await execute());
      return;
    }
    const key = requestKey(`${method} ${req.headers.accept ?? ""}`, url.search, rawBody);
    const { response, hit } = await responseCache.get(key, execute);
    metrics.responseCache.inc({ result: hit });
    await sendGraphQLResponse(req, res, response);
  }

  async function readiness() {
    const [postgres, redisUp] = await Promise.all([
      withTimeout(db.$queryRaw`SELECT 1`, 2_000).then(
        () => true,
        () => false,
      ),
      pingRedis(redis),
    ]);
    return { postgres, redis: redisUp };
  }

  function corsOrigin(req: IncomingMessage): string | undefined {
    const origin = req.headers.origin;
    return origin && config.CORS_ORIGINS.includes(origin) ? origin : undefined;
  }

  /** Browsers may open WebSockets from the web app's origins or the API's own (the playground). */
  function websocketOriginAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (!origin) return true;
    if (config.CORS_ORIGINS.includes(origin)) return true;
    try {
      return new URL(origin).host === req.headers.host;
    } catch {
      return false;
    }
  }

  let inFlight = 0;
  // One line per request only at LOG_LEVEL=debug or below; the hot path does not even build it otherwise.
  const logEachRequest = log.isLevelEnabled("debug");
  const httpServer = createHttpServer(async (req, res) => {
    const started = process.hrtime.bigint();
    const requestId = incomingRequestId(req) ?? randomUUID();
    const url = new URL(req.url ?? "/", "http://localhost");
    const route = ["/graphql", "/healthz", "/readyz", "/metrics"].includes(url.pathname)
      ? url.pathname
      : "other";
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
      const origin = corsOrigin(req);
      if (origin) {
        res.setHeader("access-control-allow-origin", origin);
        res.setHeader("access-control-allow-credentials", "true");
        res.setHeader("access-control-expose-headers", "x-request-id");
      }
      if (req.method === "OPTIONS") {
        res.writeHead(204, {
          "access-control-allow-methods": "GET, POST, OPTIONS",
          "access-control-allow-headers":
            "content-type, apollo-require-preflight, x-apollo-operation-name, x-request-id, authorization",
          "access-control-max-age": "600",
          vary: "Origin",
        });
        res.end();
        return;
      }
      if (playground(req, res)) return;
      switch (url.pathname) {
        case "/healthz":
          sendJson(res, 200, { status: "ok" });
          return;
        case "/readyz": {
          const checks = await readiness();
          const status = !checks.postgres ? "unavailable" : checks.redis ? "ready" : "degraded";
          // Without Redis the API still serves (slower): only a Postgres outage takes it out of rotation.
          sendJson(res, checks.postgres ? 200 : 503, {
            status,
            postgres: checks.postgres ? "up" : "down",
            redis: checks.redis ? "up" : "down",
          });
          return;
        }
        case "/metrics":
          res.writeHead(200, { "content-type": metrics.registry.contentType });
          res.end(await metrics.registry.metrics());
          return;
        case "/graphql":
          await handleGraphQL(req, res, url, requestId);
          return;
        default:
          sendJson(res, 404, { error: "Not found", path: url.pathname });
      }
    } catch (error) {
      log.error({ err: error, requestId }, "request failed");
      if (!res.headersSent)
        sendGraphQLError(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, "Internal server error");
      else res.destroy();
    }
  });

  // graphql-ws does not cache parsing and validation: do it here, once per distinct query text.
  const parsedDocuments = new LruMap<string, DocumentNode | readonly GraphQLError[]>(1_000);
  function parseAndValidate(query: string): DocumentNode | readonly GraphQLError[] {
    const known = parsedDocuments.get(query);
    if (known) return known;
    let result: DocumentNode | readonly GraphQLError[];
    try {
      const document = parse(query);
      const errors = validate(schema, document);
      result = errors.length ? errors : document;
    } catch (error) {
      result = [error instanceof GraphQLError ? error : new GraphQLError("Could not parse the query")];
    }
    parsedDocuments.set(query, result);
    return result;
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY_BYTES });
  // Who is on each socket: settled once when the connection opens (session cookie on the upgrade
  // request, or connectionParams.token for clients that cannot send cookies).
  interface SocketState {
    requestId: string;
    token: string | undefined;
    viewer: Viewer | null;
  }
  const sockets = new WeakMap<IncomingMessage, SocketState>();
  // Shared subscriptions write their messages straight to the socket (graphql/shared-subscriptions.ts).
  const deliveries = new WeakMap<object, Delivery>();
  const socketContext = (req: IncomingMessage): Context => {
    const state = sockets.get(req) ?? { requestId: randomUUID(), token: undefined, viewer: null };
    return createContext({
      db,
      services,
      log,
      requestId: state.requestId,
      viewer: state.viewer,
      session: socketSession(state.token),
      client: clientOf(req),
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
      context: (ctx) => socketContext(ctx.extra.request),
      subscribe: createSharedSubscribe(
        {
          executed: () => metrics.subscriptionResults.inc({ source: "executed" }),
          reused: (count) => metrics.subscriptionResults.inc({ source: "reused" }, count),
          unshared: () => metrics.subscriptionResults.inc({ source: "unshared" }),
        },
        (contextValue) =>
          typeof contextValue === "object" && contextValue ? deliveries.get(contextValue) : undefined,
      ),
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
          return [new GraphQLError(reason)];
        }
        try {
          limiter.check(parsed, payload.operationName, payload.variables);
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const contextValue = socketContext(ctx.extra.request);
        deliveries.set(contextValue, socketDelivery(ctx.extra.socket, id));
        return {
          schema,
          document: parsed,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue,
        };
      },
    },
    wss,
  );
  httpServer.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname !== "/graphql" || !websocketOriginAllowed(req)) {
      socket.end(`HTTP/1.1 ${url.pathname === "/graphql" ? "403 Forbidden" : "404 Not Found"}\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  });

  return {
    config,
    log,
    db,
    redis,
    schema,
    seatChanges: seatMapLive,
    holdSweeper,
    queueLeader,
    paymentRecovery,
    outboxRelay,
    payments,
    listen: () =>
      new Promise((resolve, reject) => {
        httpServer.once("error", reject);
        httpServer.listen(config.PORT, config.HOST, () => {
          const address = httpServer.address();
          resolve({ port: typeof address === "object" && address ? address.port : config.PORT });
        });
      }),
    async close() {
      // Drain: refuse new connections, say goodbye to WebSocket clients, let running requests finish.
      httpServer.close();
      httpServer.closeIdleConnections();
      await wsServer.dispose();
      const deadline = Date.now() + config.SHUTDOWN_GRACE_MS;
      while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      httpServer.closeAllConnections();
      await Promise.all([holdSweeper.stop(), queueLeader.stop(), paymentRecovery.stop(), outboxRelay.stop()]);
      // Entries noted since the last batch still have to reach Postgres.
      await queue.settle().catch((error: unknown) => log.warn({ err: error }, "queue: entries not saved"));
      // Seat changes of the drained requests still have to reach the other instances' fans.
      await seatMapLive.close(Math.max(deadline - Date.now(), 1_000));
      await apollo.stop();
      await Promise.all([db.$disconnect(), sql.end()]);
      redis.disconnect();
      pubSub.close();
    },
  };
}
