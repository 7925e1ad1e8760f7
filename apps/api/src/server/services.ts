import type { Config } from "../config.js";
import type { Services } from "../graphql/context.js";
import { ApiKeysService } from "../modules/admin/api-keys.service.js";
import { AuthService } from "../modules/auth/auth.service.js";
import { SessionStore } from "../modules/auth/session-store.js";
import { CatalogService } from "../modules/catalog/catalog.service.js";
import { AccountBlockingService } from "../modules/defences/account-blocking.service.js";
import { AdmissionSpeedWatch } from "../modules/defences/admission-speed.js";
import { BotSignalsService } from "../modules/defences/bot-signals.service.js";
import { ProofOfWorkService } from "../modules/defences/proof-of-work.js";
import { QueueEviction } from "../modules/defences/queue-eviction.js";
import { RateLimits, rateLimitRules } from "../modules/defences/rate-limits.js";
import { HoldSweeper } from "../modules/holds/hold-sweeper.js";
import { HoldsService } from "../modules/holds/holds.service.js";
import { SeatLocks } from "../modules/holds/seat-locks.js";
import { type CheckoutFaults, CheckoutService } from "../modules/orders/checkout.service.js";
import { FakeGateway } from "../modules/orders/fake-gateway.js";
import { OrdersService } from "../modules/orders/orders.service.js";
import { OutboxRelay, RedisOutboxSink } from "../modules/orders/outbox.js";
import { PaymentRecovery } from "../modules/orders/payment-recovery.js";
import { signingKeyFromSeed, TicketCodes } from "../modules/orders/ticket-codes.js";
import { TicketsService } from "../modules/orders/tickets.service.js";
import { AdmissionTokens } from "../modules/queue/admission-token.js";
import { QUEUE_TICK, QueueService } from "../modules/queue/queue.service.js";
import { QueueLeader } from "../modules/queue/queue-leader.js";
import { QueueRecords } from "../modules/queue/queue-records-store.js";
import { QueueStore } from "../modules/queue/queue-store.js";
import { SeatMapLive } from "../modules/seating/seat-map-live.js";
import { SeatingService } from "../modules/seating/seating.service.js";
import type { Infrastructure } from "./infrastructure.js";

// Stage 2: the long-lived services every request shares, and the background work that runs beside them.

export interface Composition {
  services: Services;
  seatMapLive: SeatMapLive;
  holdSweeper: HoldSweeper;
  queueLeader: QueueLeader;
  paymentRecovery: PaymentRecovery;
  outboxRelay: OutboxRelay;
  payments: FakeGateway;
  /** Stops the background work, then hands on what it still holds (the seat map until `deadline`). */
  stop(deadline: number): Promise<void>;
}

export interface CompositionOverrides {
  /** Test hook: lets a test "crash" a checkout at each step, to prove that recovery settles it. */
  checkoutFaults?: CheckoutFaults;
}

export function composeServices(
  config: Config,
  { log, db, pool, redis, pubSub, metrics }: Infrastructure,
  overrides: CompositionOverrides = {},
): Composition {
  const sessions = new SessionStore(
    db,
    redis,
    log,
    config.SESSION_TTL_SECONDS,
    config.REDIS_RETRY_AFTER_MS,
    config.SESSION_LOCAL_CACHE_MS,
  );
  const seating = new SeatingService(db);
  const seatMapLive = new SeatMapLive(db, pubSub, seating, log, metrics, {
    coalesceMs: config.SEAT_MAP_COALESCE_MS,
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
  const queueRecords = new QueueRecords(pool);
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
    pool,
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
  const payments = new FakeGateway(pool);
  const ticketCodes = new TicketCodes(
    signingKeyFromSeed(config.TICKET_SIGNING_KEY),
    config.TICKET_CODE_WINDOW_SECONDS,
  );
  const paymentRecovery = new PaymentRecovery(db, pool, payments, log, {
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
    checkout: new CheckoutService(
      db,
      pool,
      payments,
      holdEffects,
      log,
      { duplicateWaitMs: 10_000 },
      overrides.checkoutFaults,
    ),
    orders: new OrdersService(db, pool, payments, holdEffects, log),
    tickets: new TicketsService(db, ticketCodes),
  };
  return {
    services,
    seatMapLive,
    holdSweeper,
    queueLeader,
    paymentRecovery,
    outboxRelay,
    payments,
    async stop(deadline) {
      await Promise.all([holdSweeper.stop(), queueLeader.stop(), paymentRecovery.stop(), outboxRelay.stop()]);
      // Entries noted since the last batch still have to reach Postgres.
      await queue.settle().catch((error: unknown) => log.warn({ err: error }, "queue: entries not saved"));
      // Seat changes of the drained requests still have to reach the other instances' fans.
      await seatMapLive.close(Math.max(deadline - Date.now(), 1_000));
    },
  };
}
