import type { Prisma } from "../generated/prisma/client.js";
import type { Db } from "../infra/prisma.js";

/** An interactive Prisma transaction (what `db.$transaction(async (tx) => …)` hands over). */
export type Tx = Prisma.TransactionClient;
/** Either the client or a transaction: store functions that may run inside one or on their own. */
export type DbOrTx = Db | Tx;

/**
 * Every interactive transaction of a request: wait at most 3 s for a connection (then fail fast rather
 * than queue behind a saturated pool), and give up after 10 s.
 */
export const TRANSACTION_OPTIONS = { maxWait: 3_000, timeout: 10_000 } as const;

/** Background batches (sweeps, outbox relay) may write many rows: the same wait, a longer run. */
export const BATCH_TRANSACTION_OPTIONS = { maxWait: 3_000, timeout: 30_000 } as const;
