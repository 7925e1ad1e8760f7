import type { Logger } from "../../infra/logger.js";
import { LuaScript } from "../../infra/lua-script.js";
import type { Metrics } from "../../infra/metrics.js";
import type { RedisClient } from "../../infra/redis.js";
import { RedisBreaker } from "../../infra/redis-breaker.js";
import { seatLockKey } from "./lock-keys.js";

// The Redis fast path in front of the Postgres guard (docs/holds.md). A seat lock is a key per event
// seat whose value is the hold id (its key: seatLockKey in lock-keys.ts); it only keeps the crowd off
// Postgres, it never decides.

// All or nothing: names (1-based positions in KEYS) the seats already locked, or locks every seat.
const ACQUIRE_SCRIPT = `
local taken = {}
for i, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then taken[#taken + 1] = i end
end
if #taken == 0 then
  for _, key in ipairs(KEYS) do redis.call('SET', key, ARGV[1], 'NX', 'PX', ARGV[2]) end
end
return taken`;

// Compare and delete: only keys that still hold this hold id (a lock may have expired and been
// taken by another hold since).
const RELEASE_SCRIPT = `
local released = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then released = released + redis.call('DEL', key) end
end
return released`;

const acquireScript = new LuaScript(ACQUIRE_SCRIPT);
const releaseScript = new LuaScript(RELEASE_SCRIPT);

export type AcquireResult =
  | { outcome: "acquired" }
  | { outcome: "conflict"; takenSeatIds: number[] }
  /** Redis was not asked (it failed moments ago): the caller goes on with Postgres alone. */
  | { outcome: "bypassed" }
  /** Redis failed or timed out: the locks may or may not exist; the caller goes on with Postgres alone. */
  | { outcome: "failed" };

interface PendingRelease {
  eventId: number;
  seatIds: readonly number[];
}

export interface SeatLocksOptions {
  /** How long to leave Redis alone after a failure before trying it again. */
  retryAfterMs: number;
  /** Releases that failed are retried later; beyond this many the oldest are dropped (their TTL ends them). */
  maxPendingReleases?: number;
}

export class SeatLocks {
  private readonly breaker: RedisBreaker;
  // Locks whose release failed while Redis was unreachable: a stalled Redis keeps its keys, and a
  // stale lock would turn fans away from free seats until its TTL ends.
  private readonly pendingReleases = new Map<string, PendingRelease>();
  private readonly maxPendingReleases: number;

  constructor(
    private readonly redis: RedisClient,
    private readonly counter: Metrics["seatLocks"],
    log: Logger,
    options: SeatLocksOptions,
  ) {
    this.maxPendingReleases = options.maxPendingReleases ?? 10_000;
    this.breaker = new RedisBreaker(
      log,
      {
        off: "seat-lock fast path off: Redis failed, holds go to Postgres alone",
        on: "seat-lock fast path back on: Redis answers again",
      },
      options.retryAfterMs,
      redis,
    );
  }

  /** Locks every seat for `holdId` for `ttlMs`, or none. Never throws: Redis trouble is an outcome. */
  async acquire(
    eventId: number,
    holdId: string,
    seatIds: readonly number[],
    ttlMs: number,
  ): Promise<AcquireResult> {
    if (!this.breaker.available()) {
      this.counter.inc({ operation: "acquire", outcome: "bypassed" });
      return { outcome: "bypassed" };
    }
    const keys = seatIds.map((seatId) => seatLockKey(eventId, seatId));
    let taken: number[];
    try {
      taken = (await acquireScript.run(this.redis, keys, [holdId, Math.max(1, ttlMs)])) as number[];
    } catch (error) {
      this.breaker.failed(error);
      this.counter.inc({ operation: "acquire", outcome: "failed" });
      return { outcome: "failed" };
    }
    this.breaker.succeeded();
    if (taken.length === 0) {
      this.counter.inc({ operation: "acquire", outcome: "acquired" });
      return { outcome: "acquired" };
    }
    this.counter.inc({ operation: "acquire", outcome: "conflict" });
    return { outcome: "conflict", takenSeatIds: taken.map((position) => seatIds[position - 1] as number) };
  }

  /**
   * Deletes the seats' locks that still belong to `holdId`. Never throws: while Redis is unreachable
   * the release is remembered and retried by `retryPendingReleases`.
   */
  async release(eventId: number, holdId: string, seatIds: readonly number[]): Promise<void> {
    if (seatIds.length === 0) return;
    if (!this.breaker.available()) {
      this.counter.inc({ operation: "release", outcome: "bypassed" });
      this.remember(holdId, { eventId, seatIds });
      return;
    }
    try {
      await releaseScript.run(
        this.redis,
        seatIds.map((seatId) => seatLockKey(eventId, seatId)),
        [holdId],
      );
    } catch (error) {
      this.breaker.failed(error);
      this.counter.inc({ operation: "release", outcome: "failed" });
      this.remember(holdId, { eventId, seatIds });
      return;
    }
    this.breaker.succeeded();
    this.counter.inc({ operation: "release", outcome: "released" });
  }

  /** Retries releases that failed during a Redis outage (called by the hold sweeper). */
  async retryPendingReleases(): Promise<void> {
    if (this.pendingReleases.size === 0 || !this.breaker.available()) return;
    const pending = [...this.pendingReleases];
    this.pendingReleases.clear();
    for (const [holdId, { eventId, seatIds }] of pending) {
      await this.release(eventId, holdId, seatIds);
    }
  }

  private remember(holdId: string, release: PendingRelease): void {
    if (this.pendingReleases.size >= this.maxPendingReleases) {
      const oldest = this.pendingReleases.keys().next().value;
      if (oldest !== undefined) this.pendingReleases.delete(oldest);
    }
    this.pendingReleases.set(holdId, release);
  }
}
