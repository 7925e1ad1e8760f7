import { Redis, type RedisOptions } from "ioredis";

export type RedisClient = Redis;

export interface RedisSettings {
  url: string;
  keyPrefix: string;
  commandTimeoutMs: number;
}

/**
 * Redis clients that fail fast: with ioredis' defaults a command waits ~70 s while Redis is down.
 * No offline queue, one retry and a short command timeout make every caller see the outage at once
 * and take its fallback (Postgres is the source of truth; Redis only makes things fast).
 */
export function createRedis(
  settings: RedisSettings,
  role: string,
  overrides: RedisOptions = {},
): RedisClient {
  return new Redis(settings.url, {
    connectionName: `frontrow:${role}`,
    keyPrefix: settings.keyPrefix,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: settings.commandTimeoutMs,
    connectTimeout: 2_000,
    // Keep reconnecting in the background, backing off to at most one attempt per second.
    retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
    lazyConnect: true,
    ...overrides,
  });
}

export async function pingRedis(redis: RedisClient): Promise<boolean> {
  try {
    return (await redis.ping()) === "PONG";
  } catch {
    return false;
  }
}
