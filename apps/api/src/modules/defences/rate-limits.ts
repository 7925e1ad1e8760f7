import type { Counter } from "prom-client";
import type { RateLimitOverrides } from "../../config.js";
import type { Logger } from "../../infra/logger.js";
import { LuaScript } from "../../infra/lua-script.js";
import type { RedisClient } from "../../infra/redis.js";
import { RedisBreaker } from "../../infra/redis-breaker.js";
import { type RateLimitBudget, tighterBudget } from "../../kernel/rate-limit-budget.js";

/** Who a request is counted against. */
export type RateLimitSubject = "account" | "ip" | "apiKey";

export interface LimitWindow {
  points: number;
  seconds: number;
}

export interface RateLimitRule {
  /** Rules with the same bucket share their counters (the three hold mutations are one budget). */
  bucket: string;
  limits: Partial<Record<RateLimitSubject, LimitWindow>>;
}

const perMinute = (points: number): LimitWindow => ({ points, seconds: 60 });

const HOLDS: RateLimitRule = {
  bucket: "holds",
  limits: { account: perMinute(20), ip: perMinute(600), apiKey: perMinute(600) },
};

/**
 * The one table of request rate limits, by root field. A fan clicks a few times a minute; a bot fires
 * as fast as the network lets it. Per-IP limits stay high because venues, campuses and mobile carriers
 * put many fans behind one address. logIn is absent on purpose: AuthService keeps its own limiter (per
 * IP, and failed attempts per account), which must not be counted twice. RATE_LIMITS overrides entries.
 */
export const RATE_LIMIT_RULES: Readonly<Record<string, RateLimitRule>> = {
  // Re-joining returns the same entry, so a fan only re-joins after reconnecting.
  "Mutation.joinQueue": { bucket: "join", limits: { account: perMinute(10), ip: perMinute(300) } },
  "Mutation.holdSeats": HOLDS,
  "Mutation.holdBestAvailable": HOLDS,
  "Mutation.holdGeneralAdmission": HOLDS,
  "Mutation.checkout": {
    bucket: "checkout",
    limits: { account: perMinute(10), ip: perMinute(300), apiKey: perMinute(300) },
  },
  // Each transfer emails an address the fan chose: a fan passes tickets on a few times, not a mailing list.
  "Mutation.transferTickets": { bucket: "transfer", limits: { account: { points: 20, seconds: 3_600 } } },
  // A household signs up a few accounts; a bot farm signs up hundreds from one address.
  "Mutation.signUp": { bucket: "signup", limits: { ip: { points: 20, seconds: 3_600 } } },
};

export function rateLimitRules(overrides: RateLimitOverrides): Record<string, RateLimitRule> {
  const rules: Record<string, RateLimitRule> = { ...RATE_LIMIT_RULES };
  for (const [field, limits] of Object.entries(overrides)) {
    const base = rules[field];
    // An overridden rule counts on its own, so tests can tighten one field without touching its bucket mates.
    rules[field] = { bucket: field, limits: { ...base?.limits, ...limits } };
  }
  return rules;
}

export type RateLimitIdentity = Partial<Record<RateLimitSubject, string>>;

export interface RateLimitHit {
  subject: RateLimitSubject;
  retryAfterSeconds: number;
}

export type RateLimitOutcome = "allowed" | "limited" | "failed_open";

/**
 * One fixed window of one counter: counts a call and answers the count and the window's milliseconds
 * left, starting the window (its expiry) at the first call. A refused call is counted too, as it was
 * with rate-limiter-flexible, whose fixed windows and key names these are.
 */
const COUNT_IN_WINDOW = new LuaScript(`
local count = redis.call('INCR', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
return {count, left}`);

/**
 * Counts requests in Redis (shared by every instance) in fixed windows. The counters of one call (its
 * account's, its address's) go to Redis in one pipeline: on the hold and checkout paths two separate
 * scripts (rate-limiter-flexible's) cost 16% of the API's CPU, mostly their two socket writes. When
 * Redis fails, requests are let through (logged and counted): holds must keep working without Redis,
 * and Postgres still enforces every per-account ticket limit.
 */
export class RateLimits {
  private readonly breaker: RedisBreaker;

  constructor(
    private readonly redis: RedisClient,
    private readonly rules: Record<string, RateLimitRule>,
    private readonly decisions: Counter<"field" | "outcome">,
    log: Logger,
    redisRetryAfterMs: number,
  ) {
    this.breaker = new RedisBreaker(
      log,
      {
        off: "rate limits off (failing open): Redis failed",
        on: "rate limits back on: Redis answers again",
      },
      redisRetryAfterMs,
      redis,
    );
  }

  ruleFor(field: string): RateLimitRule | undefined {
    return this.rules[field];
  }

  /**
   * Counts one call of `field` against each subject; the subject over its limit, if any. `onBudget`
   * hears the tightest budget counted (for the response's RateLimit-* headers).
   */
  async consume(
    field: string,
    identity: RateLimitIdentity,
    onBudget: (budget: RateLimitBudget) => void = () => undefined,
  ): Promise<RateLimitHit | null> {
    const rule = this.rules[field];
    if (!rule) return null;
    if (!this.breaker.available()) {
      this.decisions.inc({ field, outcome: "failed_open" });
      return null;
    }
    const counted = (Object.keys(rule.limits) as RateLimitSubject[]).flatMap((subject) => {
      const window = rule.limits[subject];
      const key = identity[subject];
      return window && key ? [{ subject, window, key }] : [];
    });
    if (counted.length === 0) return null;
    try {
      const replies = await COUNT_IN_WINDOW.runEach(
        this.redis,
        counted.map(({ subject, window, key }) => ({
          keys: [`rl:${rule.bucket}:${subject}:${window.points}/${window.seconds}:${key}`],
          args: [window.seconds * 1000],
        })),
      );
      let budget: RateLimitBudget | null = null;
      let hit: RateLimitHit | null = null;
      for (const [i, { subject, window }] of counted.entries()) {
        const [count, msLeft] = replies[i] as [number, number];
        const resetSeconds = Math.max(1, Math.ceil(msLeft / 1000));
        const remaining = Math.max(0, window.points - count);
        budget = tighterBudget(budget, { limit: window.points, remaining, resetSeconds });
        // The subject that keeps the caller waiting longest is the one named.
        if (count > window.points && (!hit || resetSeconds > hit.retryAfterSeconds)) {
          hit = { subject, retryAfterSeconds: resetSeconds };
        }
      }
      if (budget) onBudget(budget);
      this.breaker.succeeded();
      this.decisions.inc({ field, outcome: hit ? "limited" : "allowed" });
      return hit;
    } catch (error) {
      this.breaker.failed(error);
      this.decisions.inc({ field, outcome: "failed_open" });
      return null;
    }
  }
}
