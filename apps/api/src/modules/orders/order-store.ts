import { Prisma } from "../../generated/prisma/client.js";
import type { OrderStatus, PaymentState } from "../../generated/prisma/enums.js";
import type { Db } from "../../infra/prisma.js";

// The SQL of checkout, cancellation and payment recovery (docs/orders.md), shared by the orders service
// and the recovery job. Orders change state only through conditional UPDATEs (`WHERE status = …`), so
// a request and the recovery job racing on one order can never both move it.

export type Sql = Prisma.TransactionClient | Db;

/** An order as stored, with what its views need. */
export interface OrderRow {
  id: string;
  userId: string;
  eventId: number;
  holdId: string;
  status: OrderStatus;
  paymentState: PaymentState;
  subtotalMinor: number;
  feesMinor: number;
  totalMinor: number;
  currency: string;
  requestHash: string;
  createdAt: Date;
  cancelledAt: Date | null;
  cancellableUntil: Date;
}

const ORDER_COLUMNS = Prisma.sql`
  o.id, o.user_id AS "userId", o.event_id AS "eventId", o.hold_id AS "holdId", o.status,
  o.payment_state AS "paymentState", o.subtotal_minor AS "subtotalMinor", o.fees_minor AS "feesMinor",
  o.total_minor AS "totalMinor", o.currency, o.request_hash AS "requestHash", o.created_at AS "createdAt",
  o.cancelled_at AS "cancelledAt",
  e.starts_at - make_interval(hours => e.cancel_cutoff_hours) AS "cancellableUntil"`;

export function ordersById(sql: Sql, ids: readonly string[]): Promise<OrderRow[]> {
  return sql.$queryRaw<OrderRow[]>`
    SELECT ${ORDER_COLUMNS} FROM "order" o JOIN event e ON e.id = o.event_id
    WHERE o.id = ANY(${ids}::uuid[])`;
}

/** A seat of a hold, as its ticket shows it. */
export interface HeldSeat {
  seatId: number;
  row: string;
  number: number;
  sectionId: number;
  section: string;
  price: number;
}

/** A hold as checkout reads it, with the event's fee and cancellation cutoff. */
export interface HoldForCheckout {
  id: string;
  userId: string;
  eventId: number;
  state: "ACTIVE" | "RELEASED" | "EXPIRED" | "CONVERTED";
  live: boolean;
  expiresAt: Date;
  seatIds: number[];
  seatPrices: number[];
  /** In the hold's order. */
  seats: HeldSeat[];
  totalMinor: number;
  currency: string;
  feePerTicketMinor: number;
  cancellableUntil: Date;
  /** The order that checked this hold out or is doing so, if any. */
  liveOrderId: string | null;
}

/**
 * What checkout needs first, in one statement: the hold (null when there is none) and the caller's
 * order for this idempotency key, if the key was used before.
 */
export async function checkoutLookup(
  sql: Sql,
  userId: string,
  holdId: string,
  idempotencyKey: string,
): Promise<{ hold: HoldForCheckout | null; keyOrderId: string | null }> {
  const [row] = await sql.$queryRaw<(Partial<HoldForCheckout> & { keyOrderId: string | null })[]>`
    SELECT h.id, h.user_id AS "userId", h.event_id AS "eventId", h.state::text AS state,
           (h.state = 'ACTIVE' AND h.expires_at > now()) AS live, h.expires_at AS "expiresAt",
           h.seat_ids AS "seatIds", h.seat_prices AS "seatPrices", h.total_minor AS "totalMinor",
           h.currency, e.fee_per_ticket_minor AS "feePerTicketMinor",
           e.starts_at - make_interval(hours => e.cancel_cutoff_hours) AS "cancellableUntil",
           (SELECT o.id FROM "order" o WHERE o.hold_id = h.id AND o.status <> 'FAILED') AS "liveOrderId",
           (SELECT json_agg(json_build_object('seatId', s.id, 'row', s.row_label, 'number', s.number,
                                              'sectionId', sec.id, 'section', sec.name, 'price', p.price)
                            ORDER BY p.position)
            FROM unnest(h.seat_ids, h.seat_prices) WITH ORDINALITY AS p(seat_id, price, position)
            JOIN seat s ON s.id = p.seat_id JOIN section sec ON sec.id = s.section_id) AS seats,
           (SELECT o.id FROM "order" o
            WHERE o.user_id = ${userId}::uuid AND o.idempotency_key = ${idempotencyKey}) AS "keyOrderId"
    FROM (SELECT 1) AS one
    LEFT JOIN hold h ON h.id = ${holdId}::uuid
    LEFT JOIN event e ON e.id = h.event_id`;
  if (!row) throw new Error("the checkout lookup returned no row");
  const { keyOrderId, ...hold } = row;
  return { hold: hold.id ? (hold as HoldForCheckout) : null, keyOrderId };
}

export interface NewOrder {
  id: string;
  userId: string;
  hold: HoldForCheckout;
  feesMinor: number;
  idempotencyKey: string;
  requestHash: string;
  provider: string;
  paymentId: string;
}

/**
 * Records the order (PENDING, payment AUTHORIZING) and its first payment row before the provider is
 * called. Null when another order took the key (same account) or the hold (another live order) first.
 */
export async function insertPendingOrder(sql: Sql, order: NewOrder): Promise<Date | null> {
  const { hold } = order;
  const [row] = await sql.$queryRaw<{ createdAt: Date }[]>`
    WITH new_order AS (
      INSERT INTO "order" (id, user_id, event_id, hold_id, status, payment_state, subtotal_minor, fees_minor,
                           total_minor, currency, idempotency_key, request_hash, updated_at)
      VALUES (${order.id}::uuid, ${order.userId}::uuid, ${hold.eventId}, ${hold.id}::uuid, 'PENDING', 'AUTHORIZING',
              ${hold.totalMinor}, ${order.feesMinor}, ${hold.totalMinor + order.feesMinor}, ${hold.currency},
              ${order.idempotencyKey}, ${order.requestHash}, now())
      ON CONFLICT DO NOTHING
      RETURNING id, total_minor, currency, created_at
    ), payment AS (
      INSERT INTO payment (id, order_id, provider, operation, amount_minor, currency, state)
      SELECT ${order.paymentId}::uuid, id, ${order.provider}, 'authorize', total_minor, currency, 'AUTHORIZING'
      FROM new_order
    )
    SELECT created_at AS "createdAt" FROM new_order`;
  return row?.createdAt ?? null;
}

export interface PaymentStep {
  /** The order moves only from one of these payment states… */
  from: PaymentState[];
  /** …and, when given, only from one of these statuses. */
  fromStatus?: OrderStatus[];
  to: PaymentState;
  status?: OrderStatus;
  provider: string;
  operation: "authorize" | "capture" | "void" | "refund";
  providerRef?: string | null;
  error?: string | null;
  paymentId: string;
}

/**
 * Moves the order's payment state (and maybe its status) and logs the provider operation in the
 * payment table, in one statement. False when the order was not in a `from` state (someone else moved it).
 */
export async function recordPaymentStep(sql: Sql, orderId: string, step: PaymentStep): Promise<boolean> {
  const statusFilter = step.fromStatus
    ? Prisma.sql`AND status = ANY(${step.fromStatus}::"OrderStatus"[])`
    : Prisma.empty;
  const rows = await sql.$queryRaw<{ id: string }[]>`
    WITH moved AS (
      UPDATE "order"
      SET payment_state = ${step.to}::"PaymentState",
          status = coalesce(${step.status ?? null}::"OrderStatus", status),
          updated_at = now()
      WHERE id = ${orderId}::uuid AND payment_state = ANY(${step.from}::"PaymentState"[]) ${statusFilter}
      RETURNING id, total_minor, currency
    ), logged AS (
      INSERT INTO payment (id, order_id, provider, operation, amount_minor, currency, state, provider_ref, error)
      SELECT ${step.paymentId}::uuid, id, ${step.provider}, ${step.operation}, total_minor, currency,
             ${step.to}::"PaymentState", ${step.providerRef ?? null}, ${step.error ?? null}
      FROM moved
    )
    SELECT id FROM moved`;
  return rows.length === 1;
}

/**
 * True when the event has a seat matching `condition`. Written so that Postgres walks the
 * (event_id, status, held_until) index and stops at the first match: an EXISTS with an OR of statuses
 * is planned as a scan of the whole event (15 ms for a stadium, measured), once per checkout.
 */
function anySeat(eventId: number, condition: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`((SELECT es.seat_id FROM event_seat es WHERE es.event_id = ${eventId} AND ${condition}
                      ORDER BY es.held_until LIMIT 1) IS NOT NULL)`;
}

export interface Conversion {
  orderId: string;
  hold: HoldForCheckout;
  tickets: { id: string; seatId: number; priceMinor: number; secretHex: string }[];
  provider: string;
  providerRef: string;
  paymentId: string;
}

export class ConversionRefused extends Error {
  constructor(readonly reason: "seats" | "order") {
    super(reason === "seats" ? "the hold no longer holds its seats" : "the order is no longer pending");
    this.name = "ConversionRefused";
  }
}

/**
 * The guard of checkout (DESIGN.md §3) and the sale, in one statement (so one implicit transaction):
 * locks the order if it is still PENDING and the hold's seats if they are still held by it unexpired;
 * only when it got the order and every seat (`gate`) does it sell the seats to the order, confirm it,
 * convert the hold, issue the tickets, log the authorization and write the `order.confirmed` outbox
 * event. Otherwise it changes nothing and throws ConversionRefused: the seats went (the hold ran out)
 * or the order did (the recovery job gave up on it).
 */
export async function convertHold(sql: Sql, conversion: Conversion): Promise<{ seatsLeft: boolean }> {
  const { hold, orderId, tickets } = conversion;
  const ticketIds = tickets.map((ticket) => ticket.id);
  const [outcome] = await sql.$queryRaw<{ ok: boolean; seatsHeld: number; seatsLeft: boolean }[]>`
    WITH pending AS (
      SELECT id FROM "order" WHERE id = ${orderId}::uuid AND status = 'PENDING' FOR UPDATE
    ), mine AS (
      -- In seat order, like every statement that waits for seat rows (holds/hold-store.ts).
      SELECT es.event_id, es.seat_id FROM event_seat es
      WHERE es.hold_id = ${hold.id}::uuid AND es.status = 'HELD' AND es.held_until > now()
      ORDER BY es.event_id, es.seat_id
      FOR UPDATE
    ), gate AS (
      SELECT (SELECT count(*) FROM pending) = 1 AND (SELECT count(*) FROM mine) = ${hold.seatIds.length} AS ok
    ), sold AS (
      UPDATE event_seat es
      SET status = 'SOLD', order_id = ${orderId}::uuid, held_until = NULL, version = es.version + 1
      FROM mine, gate
      WHERE gate.ok AND es.event_id = mine.event_id AND es.seat_id = mine.seat_id
    ), confirmed AS (
      UPDATE "order" o SET status = 'CONFIRMED', payment_state = 'AUTHORIZED', updated_at = now()
      FROM gate
      WHERE gate.ok AND o.id = ${orderId}::uuid
      RETURNING o.id, o.user_id, o.event_id, o.hold_id, o.total_minor, o.currency
    ), converted AS (
      UPDATE hold h SET state = 'CONVERTED', ended_at = now()
      FROM gate
      WHERE gate.ok AND h.id = ${hold.id}::uuid
    ), issued AS (
      INSERT INTO ticket (id, order_id, event_id, seat_id, price_minor, secret)
      SELECT t.id, c.id, c.event_id, t.seat_id, t.price, decode(t.secret, 'hex')
      FROM confirmed c,
           unnest(${ticketIds}::uuid[], ${tickets.map((t) => t.seatId)}::int[],
                  ${tickets.map((t) => t.priceMinor)}::int[],
                  ${tickets.map((t) => t.secretHex)}::text[]) AS t(id, seat_id, price, secret)
    ), logged AS (
      INSERT INTO payment (id, order_id, provider, operation, amount_minor, currency, state, provider_ref)
      SELECT ${conversion.paymentId}::uuid, id, ${conversion.provider}, 'authorize', total_minor, currency,
             'AUTHORIZED', ${conversion.providerRef}
      FROM confirmed
    ), announced AS (
      INSERT INTO outbox_event (topic, payload)
      SELECT 'order.confirmed', jsonb_build_object(
        'orderId', c.id, 'userId', c.user_id, 'eventId', c.event_id, 'holdId', c.hold_id,
        'total', jsonb_build_object('amount', c.total_minor, 'currency', c.currency),
        'seatIds', to_jsonb(${hold.seatIds}::int[]), 'ticketIds', to_jsonb(${ticketIds}::uuid[]))
      FROM confirmed c
    )
    -- The statement's snapshot does not see its own changes: this hold's seats still count as held.
    SELECT (SELECT ok FROM gate) AS ok, (SELECT count(*) FROM mine)::int AS "seatsHeld",
           ${anySeat(hold.eventId, Prisma.sql`es.status = 'AVAILABLE'`)}
           OR ${anySeat(hold.eventId, Prisma.sql`es.status = 'HELD' AND es.held_until <= now()`)} AS "seatsLeft"`;
  if (!outcome?.ok) {
    throw new ConversionRefused((outcome?.seatsHeld ?? 0) < hold.seatIds.length ? "seats" : "order");
  }
  return { seatsLeft: outcome.seatsLeft };
}

/**
 * Sets an on-sale event SOLD_OUT when no seat is free or held, and back to ON_SALE when one is. Runs
 * after the sale or cancellation committed, under the event row's lock: each run reads every change
 * committed before it, so the last run after the last change leaves the right status.
 *
 * A sale needs it only when its conversion saw no free seat (available, or held by an expired hold):
 * while one is free the event cannot sell out without a later hold and checkout of that seat, whose
 * conversion then sees what is left. Concurrent last sales see each other's seats as held, so each
 * of them runs it, and the last to commit reads the final state.
 */
export async function refreshSoldOut(db: Db, eventId: number): Promise<void> {
  await db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ id: number }[]>`
      SELECT id FROM event WHERE id = ${eventId} AND status IN ('ON_SALE', 'SOLD_OUT') FOR UPDATE`;
    if (locked.length === 0) return;
    await tx.$executeRaw`
      UPDATE event SET status = CASE
        WHEN ${anySeat(eventId, Prisma.sql`es.status = 'AVAILABLE'`)}
          OR ${anySeat(eventId, Prisma.sql`es.status = 'HELD'`)}
        THEN 'ON_SALE'::"EventStatus" ELSE 'SOLD_OUT'::"EventStatus" END
      WHERE id = ${eventId}`;
  });
}
