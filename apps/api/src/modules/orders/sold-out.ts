import type { Logger } from "../../infra/logger.js";
import type { Db } from "../../infra/prisma.js";
import { refreshSoldOut } from "./order-store.js";

/**
 * The sold-out flag, refreshed after a sale or a cancellation has committed: it waits for the event row,
 * which every seat-map update locks too, and a wait past the transaction timeout must not turn the
 * committed change into an error for the fan (found by `pnpm drill`). A missed refresh is repaired by the
 * next one.
 */
export async function refreshSoldOutAfterCommit(db: Db, log: Logger, eventId: number): Promise<void> {
  await refreshSoldOut(db, eventId).catch((error: unknown) =>
    log.warn({ err: error, eventId }, "sold-out flag not refreshed; the next sale or cancellation will"),
  );
}
