import type { Role } from "../../generated/prisma/enums.js";
import type { Db } from "../../infra/prisma.js";
import type { Tx } from "../../kernel/transactions.js";
import { USER_FIELDS } from "./user-store.js";

// The SQL of account changes (accounts.service.ts): resets, verification, email and password changes,
// each with the outbox event that has the notifications module mail about it (docs/notifications.md).

/** An outbox event, in the transaction that makes it true (payloads: docs/notifications.md). */
async function announce(tx: Tx, topic: string, payload: Record<string, unknown>): Promise<void> {
  await tx.$executeRaw`INSERT INTO outbox_event (topic, payload) VALUES (${topic}, ${JSON.stringify(payload)}::jsonb)`;
}

/** Inserts the account and its `user.signed_up` event; a taken email fails with Prisma's P2002. */
export function insertUserAnnounced(
  db: Db,
  user: { email: string; passwordHash: string; name: string | null; locale: string },
) {
  return db.$transaction(async (tx) => {
    const created = await tx.user.create({ data: user, select: USER_FIELDS });
    await announce(tx, "user.signed_up", { userId: created.id });
    return created;
  });
}

export function accountById(db: Db, id: string) {
  return db.user.findUnique({
    where: { id },
    select: { ...USER_FIELDS, passwordHash: true, locale: true, emailVerifiedAt: true },
  });
}

/** A reset link's row and its `user.password_reset_requested` event (the mail job makes the link). */
export async function insertPasswordReset(
  db: Db,
  reset: { id: string; userId: string; tokenHash: string; expiresAt: Date },
): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.passwordReset.create({ data: reset });
    await announce(tx, "user.password_reset_requested", { userId: reset.userId, resetId: reset.id });
  });
}

export type ResetState = "OK" | "USED" | "EXPIRED" | "UNKNOWN";

/**
 * Uses a reset link once: sets the password, voids every other open link of the account and announces
 * `user.password_changed`, in one transaction. The row lock makes two uses of one link one use.
 */
export function consumePasswordReset(db: Db, tokenHash: string, passwordHash: string) {
  return db.$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<{ userId: string; expired: boolean; used: boolean }[]>`
      SELECT user_id AS "userId", expires_at <= now() AS expired, used_at IS NOT NULL AS used
      FROM password_reset WHERE token_hash = ${tokenHash} FOR UPDATE`;
    if (!row) return { state: "UNKNOWN" as ResetState };
    if (row.used) return { state: "USED" as ResetState };
    if (row.expired) return { state: "EXPIRED" as ResetState };
    await tx.$executeRaw`
      UPDATE password_reset SET used_at = now() WHERE user_id = ${row.userId}::uuid AND used_at IS NULL`;
    await setPasswordIn(tx, row.userId, passwordHash);
    const user = await tx.user.findUniqueOrThrow({ where: { id: row.userId }, select: USER_FIELDS });
    return { state: "OK" as ResetState, user };
  });
}

/** Asks for a new verification link to the account's current address. */
export function requestVerification(db: Db, userId: string): Promise<void> {
  return db.$transaction((tx) => announce(tx, "user.verification_requested", { userId }));
}

async function setPasswordIn(tx: Tx, userId: string, passwordHash: string): Promise<void> {
  await tx.$executeRaw`UPDATE user_account SET password_hash = ${passwordHash} WHERE id = ${userId}::uuid`;
  await announce(tx, "user.password_changed", { userId });
}

export function setPassword(db: Db, userId: string, passwordHash: string): Promise<void> {
  return db.$transaction((tx) => setPasswordIn(tx, userId, passwordHash));
}

/** Changes the address (no longer verified) and announces it: the new one gets a verification link. */
export function setEmail(db: Db, userId: string, oldEmail: string, newEmail: string) {
  return db.$transaction(async (tx) => {
    const user = await tx.user.update({
      where: { id: userId },
      data: { email: newEmail, emailVerifiedAt: null },
      select: USER_FIELDS,
    });
    await announce(tx, "user.email_changed", { userId, oldEmail, newEmail });
    return user;
  });
}

/** Marks the address verified when it is still the account's; false when it is not (changed since). */
export async function markEmailVerified(db: Db, userId: string, email: string): Promise<boolean> {
  const changed = await db.$executeRaw`
    UPDATE user_account SET email_verified_at = coalesce(email_verified_at, now())
    WHERE id = ${userId}::uuid AND email = ${email}`;
  return changed > 0;
}

/** Gives the account a role; the account as it now is. */
export function setRole(db: Db, userId: string, role: Role) {
  return db.user.update({ where: { id: userId }, data: { role }, select: USER_FIELDS });
}
