import { count, type PgClient } from "./pg.js";

// What must hold in the database after any load, checked in SQL. Each check counts violations: 0 is right.

export type Violations = Record<string, number>;

export const intact = (violations: Violations) => Object.values(violations).every((n) => n === 0);

/** No double holds, and a hold has all its seats or none (the event's holds, whoever made them). */
export async function holdInvariants(db: PgClient, eventId: number): Promise<Violations> {
  return {
    seatsInTwoActiveHolds: await count(
      db,
      `SELECT count(*)::int AS n FROM (
         SELECT seat_id FROM hold h CROSS JOIN LATERAL unnest(h.seat_ids) AS seat_id
         WHERE h.event_id = $1 AND h.state = 'ACTIVE' GROUP BY seat_id HAVING count(*) > 1) twice`,
      [eventId],
    ),
    heldSeatsWithoutTheirHold: await count(
      db,
      `SELECT count(*)::int AS n FROM event_seat es LEFT JOIN hold h ON h.id = es.hold_id
       WHERE es.event_id = $1 AND es.status = 'HELD'
         AND (h.id IS NULL OR h.state <> 'ACTIVE' OR NOT (es.seat_id = ANY (h.seat_ids)))`,
      [eventId],
    ),
    liveHoldSeatsNotHeld: await count(
      db,
      `SELECT count(*)::int AS n FROM hold h CROSS JOIN LATERAL unnest(h.seat_ids) AS wanted(seat_id)
       LEFT JOIN event_seat es ON es.event_id = h.event_id AND es.seat_id = wanted.seat_id
       WHERE h.event_id = $1 AND h.state = 'ACTIVE' AND h.expires_at > now()
         AND (es.status IS DISTINCT FROM 'HELD' OR es.hold_id IS DISTINCT FROM h.id)`,
      [eventId],
    ),
  };
}

/** No double sales: every sold seat of the event has exactly one valid ticket, of its own confirmed order. */
export async function saleInvariants(db: PgClient, eventId: number): Promise<Violations> {
  return {
    seatsWithTwoValidTickets: await count(
      db,
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM ticket WHERE event_id = $1 AND status = 'VALID'
       GROUP BY seat_id HAVING count(*) > 1) twice`,
      [eventId],
    ),
    soldSeatsWithoutOneValidTicketOfTheirOrder: await count(
      db,
      `SELECT count(*)::int AS n FROM event_seat es WHERE es.event_id = $1 AND es.status = 'SOLD' AND 1 <> (
         SELECT count(*) FROM ticket t JOIN "order" o ON o.id = t.order_id
         WHERE t.event_id = es.event_id AND t.seat_id = es.seat_id AND t.status = 'VALID'
           AND o.id = es.order_id AND o.status = 'CONFIRMED')`,
      [eventId],
    ),
  };
}

/**
 * Exactly once, for the orders of the accounts whose email is LIKE `emails`: every answered order is
 * confirmed and captured, the gateway's ledger has one capture per confirmed order and no live
 * authorization for another, and every paid hold is converted.
 */
export async function orderInvariants(
  db: PgClient,
  emails: string,
  answeredOrderIds: readonly string[],
): Promise<Violations> {
  const orders = `SELECT o.id FROM "order" o JOIN user_account u ON u.id = o.user_id WHERE u.email LIKE $1`;
  return {
    answeredNotCaptured: await count(
      db,
      `SELECT count(*)::int AS n FROM unnest($1::uuid[]) AS a(id) LEFT JOIN "order" o ON o.id = a.id
       WHERE o.status IS DISTINCT FROM 'CONFIRMED' OR o.payment_state IS DISTINCT FROM 'CAPTURED'`,
      [answeredOrderIds],
    ),
    chargesNotOnePerOrder: await count(
      db,
      `SELECT count(*)::int AS n FROM "order" o LEFT JOIN fake_gateway_charge g ON g.reference = o.id::text
       WHERE o.id IN (${orders}) AND (
         (o.status = 'CONFIRMED' AND g.state IS DISTINCT FROM 'CAPTURED')
         OR (o.status <> 'CONFIRMED' AND g.state IN ('AUTHORIZED', 'CAPTURED')))`,
      [emails],
    ),
    paidHoldsNotConverted: await count(
      db,
      `SELECT count(*)::int AS n FROM "order" o JOIN hold h ON h.id = o.hold_id
       WHERE o.id IN (${orders}) AND o.status = 'CONFIRMED' AND h.state <> 'CONVERTED'`,
      [emails],
    ),
  };
}

/** Accounts with more valid tickets for the event than its per-account limit. */
export async function accountsAboveLimit(db: PgClient, eventId: number, limit: number): Promise<Violations> {
  return {
    accountsAboveLimit: await count(
      db,
      `SELECT count(*)::int AS n FROM (SELECT o.user_id FROM ticket t JOIN "order" o ON o.id = t.order_id
       WHERE t.event_id = $1 AND t.status = 'VALID' GROUP BY o.user_id HAVING count(*) > $2) above`,
      [eventId, limit],
    ),
  };
}

export function describeViolations(violations: Violations): string {
  const broken = Object.entries(violations).filter(([, n]) => n !== 0);
  return broken.length ? broken.map(([name, n]) => `${name} ${n}`).join(", ") : "none";
}
