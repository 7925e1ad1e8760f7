import type { Counter } from "prom-client";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { RateLimitOverrides } from "../../config.js";
import type { Logger } from "../../infra/logger.js";
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
  /** Rules with the same bucket share their counters (holdSeats and holdBestAvailable are one budget). */
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
 * Counts requests in Redis (shared by every instance) with rate-limiter-flexible's fixed windows. When
 * Redis fails, requests are let through (logged and counted): holds must keep working without Redis,
 * and Postgres still enforces every per-account ticket limit.
 */
export class RateLimits {
  private readonly limiters = new Map<string, RateLimiterRedis>();
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
    const checks = (Object.keys(rule.limits) as RateLimitSubject[]).flatMap((subject) => {
      const window = rule.limits[subject];
      const key = identity[subject];
      return window && key ? [this.consumeOne(rule.bucket, subject, window, key)] : [];
    });
    try {
      const outcomes = await Promise.all(checks);
      const budget = outcomes.reduce<RateLimitBudget | null>(
        (tight, o) => tighterBudget(tight, o.budget),
        null,
      );
      if (budget) onBudget(budget);
      const hits = outcomes.flatMap((outcome) => (outcome.hit ? [outcome.hit] : []));
      this.breaker.succeeded();
      const hit = hits.sort((a, b) => b.retryAfterSeconds - a.retryAfterSeconds)[0] ?? null;
      this.decisions.inc({ field, outcome: hit ? "limited" : "allowed" });
      return hit;
    } catch (error) {
      this.breaker.failed(error);
      this.decisions.inc({ field, outcome: "failed_open" });
      return null;
    }
  }

  private async consumeOne(
    bucket: string,
    subject: RateLimitSubject,
    window: LimitWindow,
    key: string,
  ): Promise<{ hit: RateLimitHit | null; budget: RateLimitBudget }> {
    const resetSeconds = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));
    try {
      const res = await this.limiter(bucket, subject, window).consume(key);
      return {
        hit: null,
        budget: { limit: window.points, remaining: res.remainingPoints, resetSeconds: resetSeconds(res) },
      };
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const retryAfterSeconds = resetSeconds(rejection);
      return {
        hit: { subject, retryAfterSeconds },
        budget: { limit: window.points, remaining: 0, resetSeconds: retryAfterSeconds },
      };
    }
  }

  private limiter(bucket: string, subject: RateLimitSubject, window: LimitWindow): RateLimiterRedis {
    const keyPrefix = `rl:${bucket}:${subject}:${window.points}/${window.seconds}`;
    let limiter = this.limiters.get(keyPrefix);
    if (!limiter) {
      limiter = new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix,
        points: window.points,
        duration: window.seconds,
      });
      this.limiters.set(keyPrefix, limiter);
    }
    return limiter;
  }
}
