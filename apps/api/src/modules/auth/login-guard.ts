import { setTimeout as sleep } from "node:timers/promises";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { RedisClient } from "../../infra/redis.js";
import { AppError, ErrorCode } from "../../kernel/errors.js";

// Who may try a password, how often (docs/defences.md, "Failed logins"). Three counters, in Redis so
// every instance shares them (in memory per instance while Redis is down):
// - per network: attempts per IP per minute, whatever the account;
// - per account AND network: after `failuresPerAccount` wrong passwords in the window that network is
//   locked out of that account, even with the right password. Someone who knows a fan's email locks out
//   only their own network, never the fan's;
// - per account, from everywhere: past `failuresPerAccount × SLOWDOWN_FACTOR` failures in the window every
//   attempt on the account waits SLOWDOWN_MS before its password is checked. That slows an attacker who
//   spreads guesses over many networks; the owner only waits a second, and is never refused by it.
// A password reset clears the account's counters, and resetPassword never asks them (the emailed link is
// the proof): the owner always gets back in.

export const SLOWDOWN_FACTOR = 4;
export const SLOWDOWN_MS = 1_000;

export interface LoginLimits {
  attemptsPerIpPerMinute: number;
  failuresPerAccount: number;
  accountWindowSeconds: number;
}

export function rateLimited(what: string, retryAfterMs: number): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new AppError(ErrorCode.RATE_LIMITED, `Too many ${what}; try again in ${retryAfterSeconds} s`, {
    retryAfterSeconds,
  });
}

/** A limiter counted in Redis (shared), in memory while Redis is down. */
export function sharedLimiter(
  redis: RedisClient,
  keyPrefix: string,
  points: number,
  duration: number,
): RateLimiterRedis {
  return new RateLimiterRedis({
    storeClient: redis,
    keyPrefix,
    points,
    duration,
    insuranceLimiter: new RateLimiterMemory({ points, duration }),
  });
}

/** Takes a point; a limiter out of points is RATE_LIMITED with its retry-after. */
export async function consumeOrRefuse(limiter: RateLimiterRedis, key: string, what: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) throw rateLimited(what, rejection.msBeforeNext);
    throw rejection;
  }
}

const pairKey = (email: string, ip: string | undefined) => `${email}|${ip ?? "unknown"}`;

export class LoginGuard {
  private readonly perIp: RateLimiterRedis;
  private readonly perAccountAndIp: RateLimiterRedis;
  private readonly perAccount: RateLimiterRedis;

  constructor(
    redis: RedisClient,
    limits: LoginLimits,
    private readonly slowdownMs = SLOWDOWN_MS,
  ) {
    this.perIp = sharedLimiter(redis, "rl:login:ip", limits.attemptsPerIpPerMinute, 60);
    this.perAccountAndIp = sharedLimiter(
      redis,
      "rl:login:account-ip",
      limits.failuresPerAccount,
      limits.accountWindowSeconds,
    );
    this.perAccount = sharedLimiter(
      redis,
      "rl:login:account",
      limits.failuresPerAccount * SLOWDOWN_FACTOR,
      limits.accountWindowSeconds,
    );
  }

  /** Before a password is checked: refuses a locked network, slows an attacked account. */
  async beforeAttempt(email: string, ip: string | undefined): Promise<void> {
    await consumeOrRefuse(this.perIp, ip ?? "unknown", "login attempts from your network");
    const [pair, account] = await Promise.all([
      this.perAccountAndIp.get(pairKey(email, ip)),
      this.perAccount.get(email),
    ]);
    if (pair && pair.remainingPoints <= 0)
      throw rateLimited("failed logins for this account from your network", pair.msBeforeNext);
    if (account && account.remainingPoints <= 0) await sleep(this.slowdownMs);
  }

  async failed(email: string, ip: string | undefined): Promise<void> {
    await Promise.all([
      this.perAccountAndIp.penalty(pairKey(email, ip)),
      this.perAccount.penalty(email),
    ]).catch(() => undefined);
  }

  /** A right password from this network forgets its failures (the account-wide count stays). */
  async succeeded(email: string, ip: string | undefined): Promise<void> {
    await this.perAccountAndIp.delete(pairKey(email, ip)).catch(() => undefined);
  }

  /** After a password reset: the account starts afresh (its networks' locks lapse with their window). */
  async cleared(email: string, ip: string | undefined): Promise<void> {
    await Promise.all([this.perAccount.delete(email), this.succeeded(email, ip)]).catch(() => undefined);
  }
}
