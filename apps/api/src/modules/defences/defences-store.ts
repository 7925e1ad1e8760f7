import type { Prisma } from "../../generated/prisma/client.js";
import type { Db } from "../../infra/prisma.js";

// Every SQL statement of the defences: bot signals and account blocks.

export function insertBotSignal(db: Db, signal: Prisma.BotSignalUncheckedCreateInput) {
  return db.botSignal.create({ data: signal });
}

/** Signals newest first, with the account's email. */
export function botSignals(db: Db, where: Prisma.BotSignalWhereInput, take: number) {
  return db.botSignal.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take,
    include: { user: { select: { email: true } } },
  });
}

/** Per account and kind: how many signals and the latest one's time. */
export function signalCountsByAccount(db: Db, where: Prisma.BotSignalWhereInput) {
  return db.botSignal.groupBy({
    by: ["userId", "kind"],
    where: { userId: { not: null }, ...where },
    _count: { _all: true },
    _max: { createdAt: true },
  });
}

export function accountsById(db: Db, userIds: string[]) {
  return db.user.findMany({
    where: { id: { in: userIds } },
    select: { id: true, email: true, blockedAt: true },
  });
}

export async function eventsOrganizedBy(db: Db, userId: string): Promise<number[]> {
  const events = await db.event.findMany({ where: { organizerId: userId }, select: { id: true } });
  return events.map((event) => event.id);
}

export async function accountRole(db: Db, userId: string) {
  return (await db.user.findUnique({ where: { id: userId }, select: { role: true } }))?.role ?? null;
}

export async function markBlocked(db: Db, userId: string): Promise<void> {
  await db.user.update({ where: { id: userId }, data: { blockedAt: new Date() } });
}

/** Lifts the block; false when the account was not blocked. */
export async function markUnblocked(db: Db, userId: string): Promise<boolean> {
  const { count } = await db.user.updateMany({
    where: { id: userId, blockedAt: { not: null } },
    data: { blockedAt: null },
  });
  return count > 0;
}
