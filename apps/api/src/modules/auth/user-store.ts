import type { Db } from "../../infra/prisma.js";

// The accounts table as the auth module reads and writes it (sessions are session-store.ts).

export const USER_FIELDS = {
  id: true,
  email: true,
  name: true,
  role: true,
  locale: true,
  emailVerifiedAt: true,
} as const;

/** The id of the account at `email`, or null when there is none. */
export async function userIdByEmail(db: Db, email: string): Promise<string | null> {
  return (await db.user.findUnique({ where: { email }, select: { id: true } }))?.id ?? null;
}

export async function emailInUse(db: Db, email: string): Promise<boolean> {
  return (await userIdByEmail(db, email)) !== null;
}

/** The account with what a login checks (password hash, block). */
export function userForLogin(db: Db, email: string) {
  return db.user.findUnique({
    where: { email },
    select: { ...USER_FIELDS, passwordHash: true, blockedAt: true },
  });
}

export function userById(db: Db, id: string) {
  return db.user.findUnique({ where: { id }, select: USER_FIELDS });
}
