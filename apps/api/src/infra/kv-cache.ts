import type { Logger } from "./logger.js";
import type { RedisClient } from "./redis.js";
import { RedisBreaker } from "./redis-breaker.js";

// Apollo Server's KeyValueCache (the shape @apollo/utils.keyvaluecache defines) on the shared Redis:
// automatic persisted queries registered through one instance are known to every instance. A Redis
// failure is a miss (the client then sends the whole query), never an error.

export interface KeyValueCacheSetOptions {
  /** Seconds; null or absent for Apollo's default of no expiry (we still cap it). */
  ttl?: number | null;
}

export class RedisKeyValueCache {
  private readonly breaker: RedisBreaker;

  constructor(
    private readonly redis: RedisClient,
    private readonly namespace: string,
    log: Logger,
    retryAfterMs: number,
    private readonly maxTtlSeconds = 7 * 24 * 3600,
  ) {
    this.breaker = new RedisBreaker(
      log,
      { off: `${namespace} cache off: Redis failed`, on: `${namespace} cache back on` },
      retryAfterMs,
    );
  }

  async get(key: string): Promise<string | undefined> {
    if (!this.breaker.available()) return undefined;
    try {
      const value = await this.redis.get(`${this.namespace}:${key}`);
      this.breaker.succeeded();
      return value ?? undefined;
    } catch (error) {
      this.breaker.failed(error);
      return undefined;
    }
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    if (!this.breaker.available()) return;
    const ttl = Math.min(options?.ttl ?? this.maxTtlSeconds, this.maxTtlSeconds);
    try {
      await this.redis.set(`${this.namespace}:${key}`, value, "EX", Math.max(1, Math.round(ttl)));
      this.breaker.succeeded();
    } catch (error) {
      this.breaker.failed(error);
    }
  }

  async delete(key: string): Promise<boolean> {
    try {
      return (await this.redis.del(`${this.namespace}:${key}`)) > 0;
    } catch {
      return false;
    }
  }
}
