import { randomBytes } from "node:crypto";
import type { Tx } from "../../kernel/transactions.js";
import { uuidv7 } from "../../lib/uuid7.js";
import { issueComplimentary } from "./order-store.js";

// Complimentary tickets (docs/organizers.md, "House seats"): house seats given away as an order of price
// zero whose tickets have rotating codes like any other (their secrets are made here, as checkout's are).

export interface IssuedComplimentary {
  orderId: string;
  ticketIds: string[];
}

/**
 * Inside the organizer's transaction: sells `seatIds` of the house hold to `userId` at price zero. Null
 * when a seat is no longer held by the house hold (nothing is changed then).
 */
export async function issueComplimentaryOrder(
  tx: Tx,
  issue: { eventId: number; houseHoldId: string; seatIds: number[]; userId: string },
): Promise<IssuedComplimentary | null> {
  const orderId = uuidv7();
  const seatIds = [...issue.seatIds].sort((a, b) => a - b);
  const tickets = seatIds.map((seatId) => ({
    id: uuidv7(),
    seatId,
    secretHex: randomBytes(32).toString("hex"),
  }));
  const ok = await issueComplimentary(tx, { ...issue, seatIds, orderId, holdId: uuidv7(), tickets });
  return ok ? { orderId, ticketIds: tickets.map((ticket) => ticket.id) } : null;
}
