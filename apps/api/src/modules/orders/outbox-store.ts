import type { Tx } from "../../kernel/transactions.js";

// The outbox relay's SQL (docs/orders.md, "The outbox"); events are written by the statements that make
// them true (order-store.ts).

// One relay at a time across instances keeps jobs in outbox order (queued jobs run in id order).
const RELAY_LOCK = 0x0b0c5;

/** Takes the relay's lock for this transaction; false when another instance's relay holds it. */
export async function tryRelayLock(tx: Tx): Promise<boolean> {
  const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`
    SELECT pg_try_advisory_xact_lock(${RELAY_LOCK}) AS locked`;
  return lock?.locked === true;
}

export interface OutboxRow {
  id: bigint;
  topic: string;
  payload: unknown;
  createdAt: Date;
}

/**
 * Whether any event waits to be dispatched: one index probe, outside a transaction. An idle relay asks
 * only this, five times a second, instead of a transaction of four round trips.
 */
export async function anyUndispatchedEvent(db: Tx): Promise<boolean> {
  const [row] = await db.$queryRaw<{ pending: boolean }[]>`
    SELECT EXISTS (SELECT FROM outbox_event WHERE delivered_at IS NULL) AS pending`;
  return row?.pending === true;
}

/** The oldest events not yet turned into jobs, in outbox order. */
export function undispatchedEvents(tx: Tx, limit: number): Promise<OutboxRow[]> {
  return tx.$queryRaw<OutboxRow[]>`
    SELECT id, topic, payload, created_at AS "createdAt" FROM outbox_event
    WHERE delivered_at IS NULL
    ORDER BY id
    LIMIT ${limit}`;
}

/** Marks events dispatched, in the transaction that adds their jobs. */
export async function markDispatched(tx: Tx, ids: bigint[]): Promise<void> {
  await tx.$executeRaw`
    UPDATE outbox_event SET delivered_at = now(), attempts = attempts + 1
    WHERE id = ANY(${ids}::bigint[])`;
}
