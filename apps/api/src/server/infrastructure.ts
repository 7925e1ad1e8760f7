import type { Config } from "../config.js";
import { Jobs } from "../infra/jobs.js";
import { createLogger, type Logger } from "../infra/logger.js";
import { createMetrics } from "../infra/metrics.js";
import { createPrisma, type Db } from "../infra/prisma.js";
import { createPubSub } from "../infra/pubsub.js";
import { createRedis } from "../infra/redis.js";
import { createSqlPool } from "../infra/sql.js";
import { withTimeout } from "../lib/with-timeout.js";
import type { Infrastructure } from "../modules/module.js";

export type { Infrastructure };

// Stage 1: the connections every module shares (Postgres through Prisma and the `pg` pool, Redis,
// pub/sub between instances) and the process's metrics.

export interface InfrastructureOverrides {
  log?: Logger;
  db?: Db;
}

export async function connectInfrastructure(
  config: Config,
  overrides: InfrastructureOverrides = {},
): Promise<Infrastructure> {
  const log = overrides.log ?? createLogger(config.LOG_LEVEL);
  const idleInTransactionTimeoutMs = config.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS;
  const db =
    overrides.db ??
    createPrisma(config.DATABASE_URL, { poolSize: config.DATABASE_POOL_SIZE, idleInTransactionTimeoutMs });
  const pool = createSqlPool(config.DATABASE_URL, {
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
  const pubSub = createPubSub(redisSettings, log);
  // Started by the server once every module has registered its tasks (startJobs).
  const jobs = new Jobs(db, log, {
    databaseUrl: config.DATABASE_URL,
    concurrency: config.JOBS_CONCURRENCY,
    pollIntervalMs: config.JOBS_POLL_INTERVAL_MS,
    staleWorkerMs: config.JOBS_STALE_WORKER_MS,
    role: config.API_ROLE,
  });
  return { log, db, pool, redis, pubSub, jobs, metrics };
}

/** Starts the job workers (migrating graphile-worker's schema first); never throws (infra/jobs.ts). */
export function startJobs({ jobs }: Infrastructure): Promise<void> {
  return jobs.start();
}

/**
 * Stops the job workers: running jobs finish (a webhook request in flight is answered or times out, a
 * mail mid-send goes out), queued ones wait for the next instance. Before the modules stop, so that the
 * jobs still running have the modules they use.
 */
export function stopJobs({ jobs }: Infrastructure): Promise<void> {
  return jobs.stop();
}

/** Closes the connections, once the jobs and the modules have stopped. */
export async function disconnectInfrastructure({ db, pool, redis, pubSub }: Infrastructure): Promise<void> {
  await Promise.all([db.$disconnect(), pool.end()]);
  redis.disconnect();
  pubSub.close();
}
