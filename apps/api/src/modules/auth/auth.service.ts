import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { Role } from "../../generated/prisma/enums.js";
import type { Db } from "../../infra/prisma.js";
import type { RedisClient } from "../../infra/redis.js";
import { AppError, badInput, ErrorCode } from "../../kernel/errors.js";
import type { SessionMeta, Viewer } from "../../kernel/viewer.js";
import { hashPassword, verifyPassword } from "./password.js";
import type { SessionStore } from "./session-store.js";
import { emailInUse, insertUser, userById, userForLogin } from "./user-store.js";

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 128;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface UserView {
  id: string;
  email: string;
  name: string | null;
  role: Role;
}

export interface SignedIn {
  user: UserView;
  token: string;
  expiresAt: Date;
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The address normalised, or BAD_USER_INPUT naming `field` when it is not an e-mail address. */
export function validEmail(email: string, field = "email"): string {
  const normalised = normaliseEmail(email);
  if (!EMAIL.test(normalised) || normalised.length > 254)
    throw badInput("Enter a valid email address", { field });
  return normalised;
}

/** Why a password is too weak, or null when it is acceptable. */
export function passwordWeakness(password: string, email: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH)
    return `Password must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH)
    return `Password must be at most ${MAX_PASSWORD_LENGTH} characters`;
  if (new Set(password).size < 5) return "Password is too repetitive";
  if (password.toLowerCase().includes(email.split("@")[0] ?? "\0"))
    return "Password must not contain your email";
  return null;
}

const emailTaken = () =>
  new AppError(ErrorCode.EMAIL_TAKEN, "An account with this email already exists", { field: "email" });

function rateLimited(what: string, retryAfterMs: number): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new AppError(ErrorCode.RATE_LIMITED, `Too many ${what}; try again in ${retryAfterSeconds} s`, {
    retryAfterSeconds,
  });
}

export interface LoginLimits {
  attemptsPerIpPerMinute: number;
  failuresPerAccount: number;
  accountWindowSeconds: number;
}

export class AuthService {
  private readonly perIp: RateLimiterRedis;
  private readonly perAccount: RateLimiterRedis;
  // A valid Argon2id hash that matches nothing: unknown e-mails cost as much as wrong passwords.
  private readonly decoyHash: Promise<string>;

  constructor(
    private readonly db: Db,
    redis: RedisClient,
    private readonly sessions: SessionStore,
    limits: LoginLimits,
  ) {
    // Counted in Redis so every instance shares them; in memory per instance while Redis is down.
    this.perIp = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: "rl:login:ip",
      points: limits.attemptsPerIpPerMinute,
      duration: 60,
      insuranceLimiter: new RateLimiterMemory({ points: limits.attemptsPerIpPerMinute, duration: 60 }),
    });
    this.perAccount = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: "rl:login:account",
      points: limits.failuresPerAccount,
      duration: limits.accountWindowSeconds,
      insuranceLimiter: new RateLimiterMemory({
        points: limits.failuresPerAccount,
        duration: limits.accountWindowSeconds,
      }),
    });
    this.decoyHash = hashPassword("frontrow-decoy-password-never-matches");
  }

  async signUp(
    input: { email: string; password: string; name?: string | null },
    meta: SessionMeta,
  ): Promise<SignedIn> {
    const email = validEmail(input.email);
    // Before the password rules: a fan who already has an account should log in, not pick a new password.
    if (await emailInUse(this.db, email)) throw emailTaken();
    const weakness = passwordWeakness(input.password, email);
    if (weakness) throw badInput(weakness, { field: "password", reason: "WEAK_PASSWORD" });
    const name = input.name?.trim() || null;
    if (name && name.length > 100) throw badInput("Name must be at most 100 characters", { field: "name" });
    const passwordHash = await hashPassword(input.password);
    const user = await insertUser(this.db, { email, passwordHash, name }).catch(
      (error: { code?: string }) => {
        // Another sign-up with the same email won the race since the check above.
        throw error.code === "P2002" ? emailTaken() : error;
      },
    );
    return { user, ...(await this.sessions.create({ userId: user.id, role: user.role }, meta)) };
  }

  async logIn(input: { email: string; password: string }, meta: SessionMeta): Promise<SignedIn> {
    const email = normaliseEmail(input.email);
    await this.consume(this.perIp, meta.ip ?? "unknown", "login attempts from your network");
    const blocked = await this.perAccount.get(email);
    if (blocked && blocked.remainingPoints <= 0)
      throw rateLimited("failed logins for this account", blocked.msBeforeNext);
    const user = await userForLogin(this.db, email);
    const ok = await verifyPassword(
      user?.passwordHash ?? (await this.decoyHash),
      input.password.slice(0, MAX_PASSWORD_LENGTH),
    );
    if (!user || !ok) {
      await this.consume(this.perAccount, email, "failed logins for this account");
      throw new AppError(ErrorCode.UNAUTHENTICATED, "Email or password is incorrect");
    }
    if (user.blockedAt) throw new AppError(ErrorCode.FORBIDDEN, "This account is blocked");
    await this.perAccount.delete(email).catch(() => undefined);
    const { passwordHash: _hash, blockedAt: _blocked, ...view } = user;
    return { user: view, ...(await this.sessions.create({ userId: user.id, role: user.role }, meta)) };
  }

  logOut(token: string | undefined): Promise<void> {
    return this.sessions.destroy(token);
  }

  findUser(id: string): Promise<UserView | null> {
    return userById(this.db, id);
  }

  viewerFor(token: string | undefined): Promise<Viewer | null> {
    return this.sessions.resolve(token);
  }

  private async consume(limiter: RateLimiterRedis, key: string, what: string): Promise<void> {
    try {
      await limiter.consume(key);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) throw rateLimited(what, rejection.msBeforeNext);
      throw rejection;
    }
  }
}
