import type { Role } from "../../generated/prisma/enums.js";
import type { Db } from "../../infra/prisma.js";
import { AppError, badInput, ErrorCode } from "../../kernel/errors.js";
import type { SessionMeta, Viewer } from "../../kernel/viewer.js";
import { insertUserAnnounced } from "./account-store.js";
import { supportedLocale } from "./locales.js";
import type { LoginGuard } from "./login-guard.js";
import { hashPassword, verifyPassword } from "./password.js";
import type { SessionStore } from "./session-store.js";
import { emailInUse, userById, userForLogin } from "./user-store.js";

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 128;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface UserView {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  locale: string;
  emailVerifiedAt: Date | null;
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

export const emailTaken = (field = "email") =>
  new AppError(ErrorCode.EMAIL_TAKEN, "An account with this email already exists", { field });

/** Refuses a weak password with BAD_USER_INPUT on `field` (reason WEAK_PASSWORD). */
export function checkPasswordStrength(password: string, email: string, field = "password"): void {
  const weakness = passwordWeakness(password, email);
  if (weakness) throw badInput(weakness, { field, reason: "WEAK_PASSWORD" });
}

export class AuthService {
  // A valid Argon2id hash that matches nothing: unknown e-mails cost as much as wrong passwords.
  private readonly decoyHash: Promise<string>;

  constructor(
    private readonly db: Db,
    private readonly guard: LoginGuard,
    private readonly sessions: SessionStore,
  ) {
    this.decoyHash = hashPassword("frontrow-decoy-password-never-matches");
  }

  async signUp(
    input: { email: string; password: string; name?: string | null; locale?: string | null },
    meta: SessionMeta,
  ): Promise<SignedIn> {
    const email = validEmail(input.email);
    // Before the password rules: a fan who already has an account should log in, not pick a new password.
    if (await emailInUse(this.db, email)) throw emailTaken();
    checkPasswordStrength(input.password, email);
    const locale = supportedLocale(input.locale);
    const name = input.name?.trim() || null;
    if (name && name.length > 100) throw badInput("Name must be at most 100 characters", { field: "name" });
    const passwordHash = await hashPassword(input.password);
    const user = await insertUserAnnounced(this.db, { email, passwordHash, name, locale }).catch(
      (error: { code?: string }) => {
        // Another sign-up with the same email won the race since the check above.
        throw error.code === "P2002" ? emailTaken() : error;
      },
    );
    return { user, ...(await this.sessions.create({ userId: user.id, role: user.role }, meta)) };
  }

  async logIn(input: { email: string; password: string }, meta: SessionMeta): Promise<SignedIn> {
    const email = normaliseEmail(input.email);
    await this.guard.beforeAttempt(email, meta.ip);
    const user = await userForLogin(this.db, email);
    const ok = await verifyPassword(
      user?.passwordHash ?? (await this.decoyHash),
      input.password.slice(0, MAX_PASSWORD_LENGTH),
    );
    if (!user || !ok) {
      await this.guard.failed(email, meta.ip);
      throw new AppError(ErrorCode.UNAUTHENTICATED, "Email or password is incorrect");
    }
    if (user.blockedAt) throw new AppError(ErrorCode.FORBIDDEN, "This account is blocked");
    await this.guard.succeeded(email, meta.ip);
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
}
