import type { GraphQLSchema } from "graphql";
import type { Config } from "./config.js";
import { createApollo } from "./graphql/apollo.js";
import { OperationLimiter } from "./graphql/limits.js";
import { loadWebOperations, withRegisteredOperations } from "./graphql/persisted-operations.js";
import { createPlayground, playgroundAssetsDir } from "./http/playground.js";
import { playgroundExampleIds } from "./http/playground-example-ids.js";
import type { Jobs } from "./infra/jobs.js";
import { RedisKeyValueCache } from "./infra/kv-cache.js";
import type { Logger } from "./infra/logger.js";
import type { Db } from "./infra/prisma.js";
import type { RedisClient } from "./infra/redis.js";
import type { HoldSweeper } from "./modules/holds/hold-sweeper.js";
import type { MailSender } from "./modules/notifications/mail-sender.js";
import type { OutboxRelay } from "./modules/orders/outbox.js";
import type { PaymentRecovery } from "./modules/orders/payment-recovery.js";
import type { PaymentProvider } from "./modules/orders/payments.js";
import type { QueueLeader } from "./modules/queue/queue-leader.js";
import type { SeatChangeNotifier } from "./modules/seating/seat-changes.js";
import type { SeatMapLive } from "./modules/seating/seat-map-live.js";
import { buildFrontrowSchema } from "./schema/build-schema.js";
import { createGraphQLHttpHandler } from "./server/graphql-http.js";
import { createHttpServer } from "./server/http.js";
import {
  connectInfrastructure,
  disconnectInfrastructure,
  startJobs,
  stopJobs,
} from "./server/infrastructure.js";
import { drainTransports, listen } from "./server/lifecycle.js";
import { operationalRoutes } from "./server/routes.js";
import { type CompositionOverrides, composeServices } from "./server/services.js";
import { attachWebSocketTransport } from "./server/websocket.js";

// The API server: named stages (src/server/), wired here in the order a request meets them.

export interface FrontrowServer {
  config: Config;
  log: Logger;
  db: Db;
  redis: RedisClient;
  schema: GraphQLSchema;
  /** Where committed seat changes are reported: they become live seat map deltas. */
  seatChanges: SeatChangeNotifier;
  /** Publishes the deltas; looks for changes no delta carried every SEAT_MAP_AUDIT_INTERVAL_MS, `auditNow()` now. */
  seatMapLive: SeatMapLive;
  /** Ends expired holds every HOLD_SWEEP_INTERVAL_MS; `sweep()` runs it now. */
  holdSweeper: HoldSweeper;
  /** Moves the waiting rooms while this instance holds the lease (started when QUEUE_LEADER). */
  queueLeader: QueueLeader;
  /** Settles payments that checkouts or cancellations left half-done; `runNow()` runs it now. */
  paymentRecovery: PaymentRecovery;
  /** Turns outbox events (order.confirmed, order.cancelled) into jobs; `runNow()` runs it now. */
  outboxRelay: OutboxRelay;
  /** Sends planned mails; undefined while mail is off (no SMTP_URL). */
  mailSender: MailSender | undefined;
  /** Durable background jobs (graphile-worker), run on every instance. */
  jobs: Jobs;
  payments: PaymentProvider;
  listen(): Promise<{ port: number }>;
  close(): Promise<void>;
}

export interface ServerOverrides extends CompositionOverrides {
  log?: Logger;
  /** A Prisma client to use instead of one built from the config (tests count its queries). */
  db?: Db;
}

export async function createServer(config: Config, overrides: ServerOverrides = {}): Promise<FrontrowServer> {
  const infrastructure = await connectInfrastructure(config, overrides);
  const { log, db, redis, pubSub, metrics } = infrastructure;
  const composition = composeServices(config, infrastructure, overrides);
  const { services } = composition;
  // Every module has registered its tasks by now; starting also migrates graphile-worker's schema.
  await startJobs(infrastructure);

  const schema = await buildFrontrowSchema(pubSub);
  const limiter = new OperationLimiter(schema, {
    maxDepth: config.MAX_QUERY_DEPTH,
    maxCost: config.MAX_QUERY_COST,
  });
  const webOperations = loadWebOperations(playgroundAssetsDir);
  if (webOperations.size === 0)
    log.warn("no web app operations registered for persisted queries: run pnpm build");
  const apollo = createApollo({
    schema,
    persistedQueries: withRegisteredOperations(
      new RedisKeyValueCache(redis, "apq", log, config.REDIS_RETRY_AFTER_MS),
      webOperations,
    ),
    limiter,
    metrics,
    production: config.NODE_ENV === "production",
  });
  await apollo.start();

  const http = createHttpServer({
    config,
    log,
    metrics,
    playground: createPlayground({
      assetsDir: playgroundAssetsDir,
      webAppUrl: config.WEB_APP_URL,
      exampleIds: await playgroundExampleIds(db),
    }),
    routes: new Map([...operationalRoutes({ db, redis, metrics }), ...composition.routes]),
    graphql: createGraphQLHttpHandler({ config, apollo, services, log, metrics }),
  });
  const websocket = attachWebSocketTransport({
    config,
    httpServer: http.server,
    schema,
    limiter,
    services,
    log,
    metrics,
  });
  // Only now, with nothing left to hold the event loop for long (ModuleParts.start).
  composition.start();

  return {
    config,
    log,
    db,
    redis,
    schema,
    seatChanges: services.seatChanges,
    seatMapLive: composition.background.seatMapLive,
    holdSweeper: composition.background.holdSweeper,
    queueLeader: composition.background.queueLeader,
    paymentRecovery: composition.background.paymentRecovery,
    outboxRelay: composition.background.outboxRelay,
    mailSender: composition.background.mailSender,
    jobs: infrastructure.jobs,
    payments: services.payments,
    listen: () => listen(http, config),
    async close() {
      const deadline = await drainTransports(http, websocket, config);
      // Running jobs finish while the modules they use are still up (a mail mid-send, and those queued
      // behind it for the SMTP connection, go out instead of failing on a closed mailer).
      await stopJobs(infrastructure);
      await composition.stop(deadline);
      await apollo.stop();
      await disconnectInfrastructure(infrastructure);
    },
  };
}
