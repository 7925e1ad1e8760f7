import { Prisma } from "../../generated/prisma/client.js";
import type { OrderStatus, PaymentState } from "../../generated/prisma/enums.js";
import type { DbOrTx, Tx } from "../../kernel/transactions.js";

// The SQL of refunds (refunds.service.ts, docs/organizers.md "Refunds"): a refund is recorded PENDING in
// the transaction that voids its tickets, and marked REFUNDED (with its `order.refunded` outbox event)
// once the provider gave the money back.

export interface OrderForRefund {
  id: string;
  userId: string;
  eventId: number;
  holdId: string;
  status: OrderStatus;
  paymentState: PaymentState;
  totalMinor: number;
  feesMinor: number;
  currency: string;
  /** Tickets the order was issued with (valid or not): its fees are per ticket. */
  ticketCount: number;
  /** What earlier refunds of it gave back or will. */
  refundedMinor: number;
}

export async function lockOrderForRefund(tx: Tx, orderId: string): Promise<OrderForRefund | null> {
  const [order] = await tx.$queryRaw<OrderForRefund[]>`
    SELECT o.id, o.user_id AS "userId", o.event_id AS "eventId", o.hold_id AS "holdId", o.status,
           o.payment_state AS "paymentState", o.total_minor AS "totalMinor", o.fees_minor AS "feesMinor",
           o.currency,
           (SELECT count(*)::int FROM ticket t WHERE t.order_id = o.id) AS "ticketCount",
           (SELECT coalesce(sum(r.amount_minor), 0)::int FROM order_refund r WHERE r.order_id = o.id)
             AS "refundedMinor"
    FROM "order" o
    WHERE o.id = ${orderId}::uuid
    FOR UPDATE OF o`;
  return order ?? null;
}

export interface RefundableTicket {
  id: string;
  seatId: number;
  priceMinor: number;
}

/** The order's valid tickets (in seat order). */
export function validTickets(tx: Tx, orderId: string): Promise<RefundableTicket[]> {
  return tx.$queryRaw<RefundableTicket[]>`
    SELECT id, seat_id AS "seatId", price_minor AS "priceMinor" FROM ticket
    WHERE order_id = ${orderId}::uuid AND status = 'VALID'
    ORDER BY seat_id`;
}

export interface RecordRefund {
  refundId: string;
  order: OrderForRefund;
  tickets: RefundableTicket[];
  amountMinor: number;
  reason: string;
  actorId: string | null;
  /** No valid ticket is left: the order becomes CANCELLED. */
  whole: boolean;
}

/**
 * Voids the tickets, puts their seats back (in seat order), cancels the order when none is left, and
 * records the PENDING refund: one statement, so a ticket is refunded once however often it is asked.
 */
export async function recordRefund(tx: Tx, refund: RecordRefund): Promise<void> {
  const ticketIds = refund.tickets.map((ticket) => ticket.id);
  const seatIds = refund.tickets.map((ticket) => ticket.seatId);
  await tx.$executeRaw`
    WITH seats AS (
      SELECT event_id, seat_id FROM event_seat
      WHERE event_id = ${refund.order.eventId} AND seat_id = ANY(${seatIds}::int[])
        AND order_id = ${refund.order.id}::uuid AND status = 'SOLD'
      ORDER BY seat_id
      FOR UPDATE
    ), freed AS (
      UPDATE event_seat es
      SET status = 'AVAILABLE', order_id = NULL, hold_id = NULL, held_until = NULL, version = es.version + 1
      FROM seats s WHERE es.event_id = s.event_id AND es.seat_id = s.seat_id
    ), voided AS (
      UPDATE ticket SET status = 'VOID' WHERE id = ANY(${ticketIds}::uuid[]) AND status = 'VALID'
    ), cancelled AS (
      UPDATE "order" SET status = 'CANCELLED', cancelled_at = now(), updated_at = now()
      WHERE id = ${refund.order.id}::uuid AND ${refund.whole}
    )
    INSERT INTO order_refund (id, order_id, event_id, ticket_ids, amount_minor, currency, reason, actor_id)
    VALUES (${refund.refundId}::uuid, ${refund.order.id}::uuid, ${refund.order.eventId}, ${ticketIds}::uuid[],
            ${refund.amountMinor}, ${refund.order.currency}, ${refund.reason}, ${refund.actorId}::uuid)`;
}

export interface PendingRefund {
  id: string;
  orderId: string;
  userId: string;
  eventId: number;
  ticketIds: string[];
  amountMinor: number;
  currency: string;
  reason: string;
  state: "PENDING" | "REFUNDED";
  paymentState: PaymentState;
  orderStatus: OrderStatus;
}

const REFUND_COLUMNS = `r.id, r.order_id AS "orderId", o.user_id AS "userId", r.event_id AS "eventId",
  r.ticket_ids::text[] AS "ticketIds", r.amount_minor AS "amountMinor", r.currency, r.reason, r.state,
  o.payment_state AS "paymentState", o.status AS "orderStatus"`;

export async function refundById(db: DbOrTx, refundId: string): Promise<PendingRefund | null> {
  const [row] = await db.$queryRawUnsafe<PendingRefund[]>(
    `SELECT ${REFUND_COLUMNS} FROM order_refund r JOIN "order" o ON o.id = r.order_id WHERE r.id = $1::uuid`,
    refundId,
  );
  return row ?? null;
}

/** The event's refunds still waiting for the provider (a refund job resumes with them). */
export function pendingRefundIds(db: DbOrTx, eventId: number, limit: number): Promise<{ id: string }[]> {
  return db.$queryRaw<{ id: string }[]>`
    SELECT id FROM order_refund WHERE event_id = ${eventId} AND state = 'PENDING' ORDER BY id LIMIT ${limit}`;
}

/**
 * Marks the refund REFUNDED and announces it (`order.refunded`), and settles a cancelled order's payment
 * state, in one statement; false when it was already marked (the outbox event is written once).
 */
export async function markRefunded(tx: Tx, refund: PendingRefund, provider: string, paymentId: string) {
  const [row] = await tx.$queryRaw<{ id: string }[]>`
    WITH moved AS (
      UPDATE order_refund SET state = 'REFUNDED', refunded_at = now()
      WHERE id = ${refund.id}::uuid AND state = 'PENDING'
      RETURNING id
    ), settled AS (
      UPDATE "order" SET payment_state = 'REFUNDED', updated_at = now()
      WHERE id = ${refund.orderId}::uuid AND status = 'CANCELLED' AND payment_state IN ('AUTHORIZED', 'CAPTURED')
        AND EXISTS (SELECT FROM moved)
    ), logged AS (
      INSERT INTO payment (id, order_id, provider, operation, amount_minor, currency, state)
      SELECT ${paymentId}::uuid, ${refund.orderId}::uuid, ${provider}, 'refund', ${refund.amountMinor},
             ${refund.currency}, 'REFUNDED'
      FROM moved WHERE ${refund.amountMinor} > 0
    ), announced AS (
      INSERT INTO outbox_event (topic, payload)
      SELECT 'order.refunded', jsonb_build_object(
        'orderId', ${refund.orderId}::uuid, 'userId', ${refund.userId}::uuid, 'eventId', ${refund.eventId}::int,
        'ticketIds', to_jsonb(${refund.ticketIds}::uuid[]), 'amountMinor', ${refund.amountMinor}::int,
        'currency', ${refund.currency}::text, 'reason', ${refund.reason}::text, 'refundId', ${refund.id}::uuid)
      FROM moved
    )
    SELECT id FROM moved`;
  return row !== undefined;
}

/**
 * "Order `o` still has a valid ticket", from the order's tickets (`ticket_order_id_idx`; an order has a
 * few). Asked as `EXISTS (… AND t.status = 'VALID')`, the status made the partial index
 * `ticket_one_valid_per_seat` (every valid ticket of every event) usable too, and statistics taken
 * while few tickets were valid made it look free: Postgres scanned all of it for each order, 0.5 s a
 * batch of 50 and 7.6 s for cancelEvent's count at 10,000 orders (docs/benchmarks.md, "Cancelling a
 * sold event").
 */
const HAS_VALID_TICKET = Prisma.sql`'VALID' = ANY (ARRAY(SELECT t.status FROM ticket t WHERE t.order_id = o.id))`;

/** How many of the event's confirmed orders still have valid tickets (a cancellation's total). */
export async function countOrdersToRefund(tx: Tx, eventId: number): Promise<number> {
  const [row] = await tx.$queryRaw<{ count: number }[]>`
    SELECT count(*)::int AS count FROM "order" o
    WHERE o.event_id = ${eventId} AND o.status = 'CONFIRMED' AND ${HAS_VALID_TICKET}`;
  return row?.count ?? 0;
}

/** Confirmed orders of the event that still have valid tickets (the cancellation's next batch). */
export async function ordersToRefund(db: DbOrTx, eventId: number, limit: number): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT o.id FROM "order" o
    WHERE o.event_id = ${eventId} AND o.status = 'CONFIRMED'
      AND ${HAS_VALID_TICKET}
    ORDER BY o.id
    LIMIT ${limit}`;
  return rows.map((row) => row.id);
}

/** How many orders of the event were refunded since `since` (a cancellation's progress). */
export async function refundedOrderCount(db: DbOrTx, eventId: number, since: Date): Promise<number> {
  const [row] = await db.$queryRaw<{ count: number }[]>`
    SELECT count(DISTINCT order_id)::int AS count FROM order_refund
    WHERE event_id = ${eventId} AND state = 'REFUNDED' AND created_at >= ${since}`;
  return row?.count ?? 0;
}

/** The event of an order; null when there is no such order. */
export async function orderEventId(db: DbOrTx, orderId: string): Promise<number | null> {
  const [row] = await db.$queryRaw<{ eventId: number }[]>`
    SELECT event_id AS "eventId" FROM "order" WHERE id = ${orderId}::uuid`;
  return row?.eventId ?? null;
}
