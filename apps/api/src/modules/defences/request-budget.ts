import { createHash } from "node:crypto";
import type { Logger } from "../../infra/logger.js";
import type { RedisClient } from "../../infra/redis.js";
import type { RateLimitBudget } from "../../kernel/rate-limit-budget.js";

// Every caller's request budget (docs/api.md, "Rate-limit headers"): GraphQL requests per minute per
// session, or per IP without one, counted across instances. It is what every HTTP response's RateLimit-*
// headers report when no tighter budget (a field's limit, an API key's cost) applies, and a caller over
// it is refused with RATE_LIMITED. Counting must not cost a Redis round trip per request (seat maps and
// the catalog are the hottest paths): each instance counts in memory and adds its counts to Redis every
// FLUSH_MS in one pipeline, which answers the totals of every instance. So a caller's count is known
// across instances within FLUSH_MS; a burst spread over several instances may pass the limit by what
// they admitted in that time.

const WINDOW_MS = 60_000;
const FLUSH_MS = 200;
/** Callers tracked at once by an instance; past it, flushed callers are forgotten (re-read at their next flush). */
const MAX_TRACKED = 100_000;

export interface RequestBudgetLimits {
  /** Requests per minute of one signed-in session. */
  perSession: number;
  /** Requests per minute from one IP address without a session (venues and carriers share addresses). */
  perIp: number;
}

export interface RequestBudgetCaller {
  sessionToken?: string;
  ip?: string;
}

export interface RequestBudgetDecision {
  /** Whose budget: the session's, or the IP address's. */
  subject: "session" | "ip";
  budget: RateLimitBudget;
  /** Set when the request is refused: seconds until the window starts again. */
  retryAfterSeconds: number | null;
}

interface Count {
  /** The caller's total across instances as Redis last answered (this instance's flushed counts in it). */
  known: number;
  /** Counted here since the last flush. */
  unflushed: number;
  /** Its counter's Redis key, made at its first flush (a session's names the token's hash, not the token). */
  redisKey?: string;
}

export class RequestBudget {
  private window = Math.floor(Date.now() / WINDOW_MS);
  /** This window's counts, by session token and by IP address. */
  private counts = { session: new Map<string, Count>(), ip: new Map<string, Count>() };
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> | undefined;
  private failing = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly limits: RequestBudgetLimits,
    private readonly log: Logger,
  ) {
    this.timer = setInterval(() => {
      this.flushing ??= this.flush().finally(() => {
        this.flushing = undefined;
      });
    }, FLUSH_MS);
    this.timer.unref();
  }

  /** Counts one request of the caller; refused (not counted) when its budget for this minute is spent. */
  take(caller: RequestBudgetCaller): RequestBudgetDecision {
    const now = Date.now();
    const window = Math.floor(now / WINDOW_MS);
    if (window !== this.window) {
      this.window = window;
      this.counts = { session: new Map(), ip: new Map() };
    }
    const resetSeconds = Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - now) / 1000));
    const subject = caller.sessionToken ? "session" : "ip";
    const key = caller.sessionToken ?? caller.ip ?? "unknown";
    const limit = subject === "session" ? this.limits.perSession : this.limits.perIp;
    const counts = this.counts[subject];
    let count = counts.get(key);
    if (!count) {
      count = { known: 0, unflushed: 0 };
      counts.set(key, count);
    }
    const used = count.known + count.unflushed;
    if (used >= limit) {
      return { subject, budget: { limit, remaining: 0, resetSeconds }, retryAfterSeconds: resetSeconds };
    }
    count.unflushed++;
    return {
      subject,
      budget: { limit, remaining: limit - used - 1, resetSeconds },
      retryAfterSeconds: null,
    };
  }

  stop(): Promise<void> {
    clearInterval(this.timer);
    return this.flushing ?? Promise.resolve();
  }

  /** Adds this instance's new counts to Redis and learns every caller's total, in one pipeline. */
  private async flush(): Promise<void> {
    const window = this.window;
    const { session, ip } = this.counts;
    const pending = [
      ...[...session].map(([key, count]) => ({ name: `s:${key}`, count })),
      ...[...ip].map(([key, count]) => ({ name: `ip:${key}`, count })),
    ].filter(({ count }) => count.unflushed > 0);
    if (pending.length === 0) return;
    const sent = pending.map(({ count }) => count.unflushed);
    const pipeline = this.redis.pipeline();
    for (const { name, count } of pending) {
      count.redisKey ??= redisKeyOf(window, name);
      pipeline.incrby(count.redisKey, count.unflushed);
      pipeline.pexpire(count.redisKey, WINDOW_MS * 2);
    }
    try {
      const results = (await pipeline.exec()) ?? [];
      pending.forEach(({ count }, index) => {
        const [error, total] = results[index * 2] ?? [];
        if (error || typeof total !== "number") return;
        count.unflushed -= sent[index] ?? 0;
        count.known = total;
      });
      if (this.failing) this.log.info("request budget: Redis answers again; counting across instances");
      this.failing = false;
    } catch (error) {
      // Redis is away: each instance goes on counting its own requests, and adds them when it is back.
      if (!this.failing) this.log.warn({ err: error }, "request budget: Redis failed; counting per instance");
      this.failing = true;
    }
    for (const counts of [session, ip]) {
      if (counts.size <= MAX_TRACKED) continue;
      for (const [key, count] of counts) if (count.unflushed === 0) counts.delete(key);
    }
  }
}

/** A session's token is a secret: its hash names the counter in Redis (hashed once a window, at a flush). */
function redisKeyOf(window: number, key: string): string {
  const name = key.startsWith("s:")
    ? `s:${createHash("sha256").update(key.slice(2)).digest("base64url").slice(0, 22)}`
    : key;
  return `rb:${window}:${name}`;
}
