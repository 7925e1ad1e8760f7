// Demo accounts (their passwords are public: they are in seed.ts and the README).
import { Role } from "../generated/prisma/client.js";
import type { Db } from "../infra/prisma.js";
import { hashPassword } from "../modules/auth/password.js";

export interface DemoAccount {
  /** Lowercase: a CHECK constraint on user_account requires it. */
  email: string;
  password: string;
  name: string;
  role: Role;
}

export const DEMO_ACCOUNTS = {
  fan: { email: "fan@frontrow.test", password: "fan-password-1", name: "Alex Fan", role: Role.FAN },
  secondFan: { email: "fan2@frontrow.test", password: "fan-password-2", name: "Sam Fan", role: Role.FAN },
  organizer: {
    email: "organizer@frontrow.test",
    password: "organizer-password",
    name: "Frontrow Events",
    role: Role.ORGANIZER,
  },
  admin: {
    email: "admin@frontrow.test",
    password: "admin-password",
    name: "Frontrow Admin",
    role: Role.ADMIN,
  },
} as const satisfies Record<string, DemoAccount>;

/**
 * Creates the demo accounts that do not exist yet and returns every demo account's id by email.
 * Existing accounts are left exactly as they are (no re-hash, no password reset).
 */
export async function seedAccounts(db: Db): Promise<Map<string, string>> {
  const accounts: DemoAccount[] = Object.values(DEMO_ACCOUNTS);
  const emails = accounts.map((account) => account.email);
  const existing = await db.user.findMany({ where: { email: { in: emails } }, select: { email: true } });
  const existingEmails = new Set(existing.map((user) => user.email));
  const missing = accounts.filter((account) => !existingEmails.has(account.email));
  if (missing.length > 0) {
    // Argon2 runs on libuv's thread pool, so hashing the accounts together overlaps them.
    const data = await Promise.all(
      missing.map(async (account) => ({
        email: account.email,
        name: account.name,
        role: account.role,
        passwordHash: await hashPassword(account.password),
      })),
    );
    await db.user.createMany({ data, skipDuplicates: true });
  }
  const users = await db.user.findMany({
    where: { email: { in: emails } },
    select: { id: true, email: true },
  });
  return new Map(users.map((user) => [user.email, user.id]));
}
