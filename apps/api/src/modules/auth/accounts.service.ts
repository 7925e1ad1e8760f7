import { randomUUID } from "node:crypto";
import type { RateLimiterRedis } from "rate-limiter-flexible";
import type { Db } from "../../infra/prisma.js";
import type { RedisClient } from "../../infra/redis.js";
import { AppError, badInput, ErrorCode } from "../../kernel/errors.js";
import type { SessionMeta, Viewer } from "../../kernel/viewer.js";
import {
  accountById,
  consumePasswordReset,
  insertPasswordReset,
  markEmailVerified,
  type ResetState,
  requestVerification,
  setEmail,
  setPassword,
} from "./account-store.js";
import { type AccountTokens, sha256 } from "./account-tokens.js";
import {
  checkPasswordStrength,
  emailTaken,
  MAX_PASSWORD_LENGTH,
  type SignedIn,
  type UserView,
  validEmail,
} from "./auth.service.js";
import { consumeOrRefuse, type LoginGuard, sharedLimiter } from "./login-guard.js";
import { hashPassword, verifyPassword } from "./password.js";
import type { SessionStore } from "./session-store.js";
import { emailInUse, userForLogin } from "./user-store.js";

// Account self-service (docs/defences.md, "Password reset"): reset by emailed link, email verification,
// changes of email and password, sign-out everywhere. Mails are never sent from here: each change writes
// an outbox event in its transaction and the notifications module mails about it.

export interface AccountOptions {
  resetTtlMinutes: number;
  resetsPerEmailPerHour: number;
  resetsPerIpPerHour: number;
}

const RESET_TOKEN = /^[A-Za-z0-9_-]{43}$/;

const invalidToken = (reason: Exclude<ResetState, "OK"> | "EMAIL_CHANGED", what: string) =>
  new AppError(
    ErrorCode.INVALID_TOKEN,
    reason === "EXPIRED"
      ? `This ${what} link has expired; ask for a new one`
      : reason === "USED"
        ? `This ${what} link has already been used; ask for a new one`
        : reason === "EMAIL_CHANGED"
          ? `This ${what} link is for an address the account no longer uses`
          : `This ${what} link is not valid; ask for a new one`,
    { field: "token", reason },
  );

const wrongPassword = () =>
  badInput("Your current password is not right", { field: "currentPassword", reason: "WRONG_PASSWORD" });

export class AccountsService {
  private readonly resetsPerEmail: RateLimiterRedis;
  private readonly resetsPerIp: RateLimiterRedis;

  constructor(
    private readonly db: Db,
    redis: RedisClient,
    private readonly sessions: SessionStore,
    private readonly guard: LoginGuard,
    private readonly tokens: AccountTokens,
    private readonly options: AccountOptions,
  ) {
    this.resetsPerEmail = sharedLimiter(redis, "rl:reset:email", options.resetsPerEmailPerHour, 3_600);
    this.resetsPerIp = sharedLimiter(redis, "rl:reset:ip", options.resetsPerIpPerHour, 3_600);
  }

  /**
   * Mails a reset link when the address has an account. The answer is the same either way (true), and
   * an address asked for too often is quietly left alone: neither tells whether an account exists.
   */
  async requestPasswordReset(input: string, meta: SessionMeta): Promise<boolean> {
    const email = validEmail(input);
    await consumeOrRefuse(
      this.resetsPerIp,
      meta.ip ?? "unknown",
      "password reset requests from your network",
    );
    const withinLimit = await this.resetsPerEmail.consume(email).then(
      () => true,
      () => false,
    );
    const user = withinLimit ? await userForLogin(this.db, email) : null;
    if (!user || user.blockedAt) return true;
    const id = randomUUID();
    await insertPasswordReset(this.db, {
      id,
      userId: user.id,
      tokenHash: sha256(this.tokens.resetToken(id)),
      expiresAt: new Date(Date.now() + this.options.resetTtlMinutes * 60_000),
    });
    return true;
  }

  /**
   * Sets a new password with a reset link (once; it expires), ends every session of the account and
   * signs this browser in. The failed-login counters are not asked (the link is the proof) and are cleared.
   */
  async resetPassword(token: string, password: string, meta: SessionMeta): Promise<SignedIn> {
    if (!RESET_TOKEN.test(token)) throw invalidToken("UNKNOWN", "reset");
    if (password.length > MAX_PASSWORD_LENGTH) checkPasswordStrength(password, "");
    const tokenHash = sha256(token);
    const pending = await this.db.passwordReset.findUnique({
      where: { tokenHash },
      select: { user: { select: { email: true } } },
    });
    // The strength check needs the account's email; it runs before the link is used up.
    if (pending) checkPasswordStrength(password, pending.user.email);
    const passwordHash = await hashPassword(password);
    const result = await consumePasswordReset(this.db, tokenHash, passwordHash);
    if (!("user" in result) || !result.user)
      throw invalidToken(result.state === "OK" ? "UNKNOWN" : result.state, "reset");
    const { user } = result;
    await this.sessions.destroyAllFor(user.id);
    await this.guard.cleared(user.email, meta.ip);
    return { user, ...(await this.sessions.create({ userId: user.id, role: user.role }, meta)) };
  }

  /** Proves the account receives mail at the address the link was sent to. */
  async verifyEmail(token: string): Promise<UserView> {
    const claim = this.tokens.readVerificationToken(token);
    if (!claim) throw invalidToken("UNKNOWN", "verification");
    if (claim.expiresAt.getTime() <= Date.now()) throw invalidToken("EXPIRED", "verification");
    if (!(await markEmailVerified(this.db, claim.userId, claim.email)))
      throw invalidToken("EMAIL_CHANGED", "verification");
    return this.view(claim.userId);
  }

  /** Mails a new verification link to the account's address (rate limited like reset requests). */
  async requestEmailVerification(viewer: Viewer): Promise<boolean> {
    await consumeOrRefuse(this.resetsPerEmail, `verify:${viewer.userId}`, "verification emails");
    await requestVerification(this.db, viewer.userId);
    return true;
  }

  async changeEmail(viewer: Viewer, newEmail: string, currentPassword: string, meta: SessionMeta) {
    const account = await this.checkCurrentPassword(viewer, currentPassword, meta);
    const email = validEmail(newEmail, "newEmail");
    if (email === account.email) return this.view(viewer.userId);
    if (await emailInUse(this.db, email)) throw emailTaken("newEmail");
    return setEmail(this.db, viewer.userId, account.email, email).catch((error: { code?: string }) => {
      throw error.code === "P2002" ? emailTaken("newEmail") : error;
    });
  }

  /** Sets a new password, ends every session of the account and signs this browser in again. */
  async changePassword(
    viewer: Viewer,
    currentPassword: string,
    newPassword: string,
    meta: SessionMeta,
  ): Promise<SignedIn> {
    const account = await this.checkCurrentPassword(viewer, currentPassword, meta);
    checkPasswordStrength(newPassword, account.email, "newPassword");
    await setPassword(this.db, viewer.userId, await hashPassword(newPassword));
    await this.sessions.destroyAllFor(viewer.userId);
    const user = await this.view(viewer.userId);
    return { user, ...(await this.sessions.create({ userId: user.id, role: user.role }, meta)) };
  }

  /** Ends every session of the account, this one included; returns how many there were. */
  signOutEverywhere(viewer: Viewer): Promise<number> {
    return this.sessions.destroyAllFor(viewer.userId);
  }

  /** The account, when `password` is its password; wrong guesses count like failed logins. */
  private async checkCurrentPassword(viewer: Viewer, password: string, meta: SessionMeta) {
    const account = await accountById(this.db, viewer.userId);
    if (!account) throw new AppError(ErrorCode.UNAUTHENTICATED, "Sign in first");
    await this.guard.beforeAttempt(account.email, meta.ip);
    if (!(await verifyPassword(account.passwordHash, password.slice(0, MAX_PASSWORD_LENGTH)))) {
      await this.guard.failed(account.email, meta.ip);
      throw wrongPassword();
    }
    return account;
  }

  private async view(userId: string): Promise<UserView> {
    const account = await accountById(this.db, userId);
    if (!account) throw new AppError(ErrorCode.UNAUTHENTICATED, "Sign in first");
    const { passwordHash: _hash, ...view } = account;
    return view;
  }
}
